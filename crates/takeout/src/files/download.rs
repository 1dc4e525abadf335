//! Fetching one file: upload.getFile in parts of 512 KiB, several parts in
//! flight at once, each written at its offset in `path.part`; the
//! contiguous prefix on disk is fsynced and then recorded in the store, so
//! a kill at any moment resumes from the last recorded byte. Handles the
//! file's data centre (FILE_MIGRATE_X), expired file references (fetch the
//! message, photo or story again and go on from the same offset), and
//! answers meaning the file cannot be had (recorded as unavailable). The
//! sha256 is computed in order as parts arrive; on completion the size is
//! checked, the sha256 stored, the file renamed into place and its mtime set.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use grammers_tl_types as tl;
use sha2::Digest;

use crate::api::{Api, ApiError};
use crate::client::Client;
use crate::error::ExportError;
use crate::limiter::Limiter;
use crate::options::FileOptions;
use crate::progress::{Event, Progress};
use crate::store::Store;

use super::layout::OutDir;
use super::plan::{self, Location};

/// Part size. Telegram's rules: a multiple of 4 KiB dividing 1 MiB, so a
/// part never crosses a 1 MiB boundary; 1 MiB would be allowed, but grammers
/// 0.11 cannot receive a message of 1,044,448 bytes or more.
pub const PART: i64 = 512 << 10;
/// Bytes between two durable checkpoints (fsync, then the offset in the
/// store): what a kill can cost at most, per file, besides parts in flight.
const CHECKPOINT: i64 = 4 << 20;
/// Fresh file references fetched for one file before giving up on it.
const MAX_REFRESHES: u32 = 5;

/// What refers to a file: where to fetch a fresh file reference.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    Message { peer: String, id: i32 },
    ProfilePhoto { id: i64 },
    Story { id: i32 },
}

/// One file to fetch.
#[derive(Clone, Debug)]
pub struct Job {
    pub file_id: i64,
    pub location: Location,
    pub dc: i32,
    pub size: i64,
    /// Relative to the output directory.
    pub path: String,
    /// Bytes recorded as safely on disk by an earlier run.
    pub offset: i64,
    pub origin: Origin,
    pub date: i32,
}

pub enum Outcome {
    /// Every part is written; [`Downloader::finish`] completes it.
    Fetched(Finish),
    /// Complete; bytes fetched in this run.
    Done { fetched: i64 },
    /// Telegram will not give it; why.
    Unavailable(String),
}

/// A file whose parts are all written to `path.part`, not yet fsynced,
/// renamed or recorded.
pub struct Finish {
    file: Arc<std::fs::File>,
    part_path: String,
    sha: String,
    fetched: i64,
    job: Job,
}

pub struct Downloader<A> {
    pub client: Arc<Client<A>>,
    pub store: Arc<Mutex<Store>>,
    pub out: OutDir,
    pub limiter: Limiter,
    pub options: FileOptions,
    pub progress: Arc<dyn Progress>,
    /// Data centres that answered file requests (or that Telegram sent us
    /// to): files there are asked there directly; other files start at the
    /// home dc, which answers FILE_MIGRATE_X when they live elsewhere.
    pub good_dcs: Mutex<HashSet<i32>>,
}

impl<A: Api> Downloader<A> {
    /// Fetches every part of `job`; a complete file comes back as
    /// [`Outcome::Fetched`], for [`Downloader::finish`].
    pub async fn download(self: &Arc<Self>, job: &Job) -> Result<Outcome, ExportError> {
        match self.fetch(job).await {
            Ok(o) => Ok(o),
            // A problem on disk with this one file (a planted link, an
            // unwritable directory): recorded, and the other files go on.
            Err(Failure::Local(e)) => Ok(Outcome::Unavailable(e)),
            Err(Failure::Export(e)) => Err(e),
        }
    }

    async fn fetch(self: &Arc<Self>, job: &Job) -> Result<Outcome, Failure> {
        let part_path = format!("{}.part", job.path);
        // Disk work runs on the blocking pool, never on the async workers.
        let (file, mut prefix) = {
            let (out, part, offset, size) = (self.out.clone(), part_path.clone(), job.offset, job.size);
            blocking(move || -> Result<(std::fs::File, i64), Failure> {
                let file = out.open_write(&part).map_err(|e| Failure::Local(e.to_string()))?;
                // Trust only what the store recorded: bytes past it may be torn.
                let on_disk = file.metadata().map_err(local)?.len() as i64;
                let prefix = (if on_disk >= offset { offset / PART * PART } else { 0 }).min(size);
                file.set_len(prefix as u64).map_err(local)?;
                Ok((file, prefix))
            })
            .await?
        };
        let file = Arc::new(file);
        let mut recorded = prefix;
        let mut fetched = 0i64;
        let mut queue: VecDeque<i64> = (0..).map(|i| prefix + i * PART).take_while(|o| *o < job.size).collect();
        // Parts that arrived ahead of the prefix, kept until it reaches them
        // so the sha256 is computed in order as the file streams in (no
        // second read of the file). Bounded: no part is asked for more than
        // `window` bytes past the prefix.
        let mut ahead: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
        let window = self.options.parts_per_file.max(1) as i64 * PART * 2;
        let mut hasher = self.hash_prefix(&part_path, prefix).await?;
        let mut location = job.location.clone();
        let mut dc = self.good_dcs.lock().unwrap().contains(&job.dc).then_some(job.dc);
        // Parts sent with an older reference (or dc) than the current one
        // are re-sent without another refresh.
        let mut generation = 0u32;
        let mut refreshes = 0u32;
        let mut tasks = tokio::task::JoinSet::new();
        let stall = Duration::from_secs_f64(self.options.stall_timeout_secs.max(0.05));
        loop {
            while tasks.len() < self.options.parts_per_file.max(1) {
                match queue.front() {
                    Some(&o) if o < prefix + window => {}
                    _ => break,
                }
                let Some(offset) = queue.pop_front() else { break };
                let me = Arc::clone(self);
                let req = tl::functions::upload::GetFile {
                    precise: false,
                    cdn_supported: false,
                    location: location.input(),
                    offset,
                    limit: PART as i32,
                };
                let g = generation;
                let (f, want) = (Arc::clone(&file), PART.min(job.size - offset));
                tasks.spawn(async move {
                    let result = me.client.get_file(dc, &req, &me.limiter, stall).await;
                    // A part of the expected length is written at its offset
                    // right here, on the blocking pool, in parallel with the
                    // file's other parts.
                    match result {
                        Ok(tl::enums::upload::File::File(x)) if x.bytes.len() as i64 == want => {
                            let bytes = x.bytes;
                            let (r, bytes) = tokio::task::spawn_blocking(move || (write_at(&f, &bytes, offset), bytes))
                                .await
                                .expect("a write task does not panic");
                            (offset, g, Part::Written(r.map(|()| bytes)))
                        }
                        other => (offset, g, Part::Answer(other)),
                    }
                });
            }
            let Some(joined) = tasks.join_next().await else { break };
            let (offset, g, part) = joined.expect("a part task does not panic");
            let result = match part {
                Part::Written(bytes) => {
                    let bytes = bytes.map_err(local)?;
                    if let Some(d) = dc {
                        self.good_dcs.lock().unwrap().insert(d);
                    }
                    let want = bytes.len() as i64;
                    fetched += want;
                    self.progress.event(Event::FileBytes(want as u64));
                    ahead.insert(offset, bytes);
                    while let Some(b) = ahead.remove(&prefix) {
                        hasher.update(&b);
                        prefix += b.len() as i64;
                    }
                    if prefix - recorded >= CHECKPOINT && prefix < job.size {
                        self.checkpoint(&file, job.file_id, prefix).await?;
                        recorded = prefix;
                    }
                    continue;
                }
                Part::Answer(result) => result,
            };
            match result {
                Ok(tl::enums::upload::File::File(f)) => {
                    // Only a part of the wrong length comes back unwritten.
                    return Ok(Outcome::Unavailable(format!(
                        "Telegram sent {} bytes at offset {offset} of a file announced as {} bytes",
                        f.bytes.len(),
                        job.size
                    )));
                }
                Ok(tl::enums::upload::File::CdnRedirect(_)) => {
                    return Ok(Outcome::Unavailable("Telegram offered the file only through a CDN, which tgtakeout does not support".into()));
                }
                Err(ExportError::Api(e)) if e.is("FILE_REFERENCE_EXPIRED") => {
                    if g == generation {
                        refreshes += 1;
                        if refreshes > MAX_REFRESHES {
                            return Ok(Outcome::Unavailable("the file reference kept expiring".into()));
                        }
                        tracing::info!(path = %job.path, offset, "file reference expired; fetching a fresh one");
                        match self.fresh_reference(&job.origin, &location.key()).await? {
                            Some(r) => location.set_reference(r),
                            None => return Ok(Outcome::Unavailable("its message, photo or story no longer exists".into())),
                        }
                        generation += 1;
                    }
                    queue.push_front(offset);
                }
                Err(ExportError::Api(ApiError::Rpc { code: 303, name, value: Some(to) })) if name == "FILE_MIGRATE" => {
                    if dc != Some(to as i32) {
                        dc = Some(to as i32);
                        generation += 1;
                    }
                    queue.push_front(offset);
                }
                // Any other 4xx: Telegram will not give this file
                // (LOCATION_INVALID, FILE_ID_INVALID, FILE_REFERENCE_INVALID,
                // TAKEOUT_FILE_TOO_BIG, …); the export goes on without it.
                Err(ExportError::Api(e @ ApiError::Rpc { code: 400..=403, .. })) => {
                    tasks.abort_all();
                    return Ok(Outcome::Unavailable(e.to_string()));
                }
                Err(e) => return Err(Failure::Export(e)),
            }
        }
        if prefix != job.size {
            return Ok(Outcome::Unavailable(format!("only {prefix} of {} bytes arrived", job.size)));
        }
        drop(tasks);
        let sha: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Outcome::Fetched(Finish { file, part_path, sha, fetched, job: job.clone() }))
    }

    /// Completes a fetched file, on the blocking pool: one fsync per file (a
    /// file under CHECKPOINT bytes is fsynced only here), then the rename,
    /// the mtime and the store's record. Runs apart from the fetching, so a
    /// slow fsync holds no request slot.
    pub async fn finish(&self, f: Finish) -> Result<Outcome, ExportError> {
        let (out, store) = (self.out.clone(), Arc::clone(&self.store));
        let done = blocking(move || -> Result<Outcome, Failure> {
            let Finish { file, part_path, sha, fetched, job } = f;
            file.sync_all().map_err(local)?;
            drop(file);
            let on_disk = out.prepare(&part_path).ok().and_then(|p| p.metadata().ok()).map_or(0, |m| m.len());
            if on_disk != job.size as u64 {
                return Ok(Outcome::Unavailable(format!("{on_disk} bytes on disk, {} expected", job.size)));
            }
            out.rename(&part_path, &job.path).map_err(|e| Failure::Local(e.to_string()))?;
            out.set_mtime(&job.path, job.date).map_err(|e| Failure::Local(e.to_string()))?;
            store.lock().unwrap().file_done(job.file_id, &sha).map_err(|e| Failure::Export(e.into()))?;
            Ok(Outcome::Done { fetched })
        })
        .await;
        match done {
            Ok(o) => Ok(o),
            Err(Failure::Local(e)) => Ok(Outcome::Unavailable(e)),
            Err(Failure::Export(e)) => Err(e),
        }
    }

    /// fsync, then record: the store never claims bytes the disk may lose.
    async fn checkpoint(&self, file: &Arc<std::fs::File>, id: i64, prefix: i64) -> Result<(), Failure> {
        let (f, store) = (Arc::clone(file), Arc::clone(&self.store));
        blocking(move || -> Result<(), Failure> {
            f.sync_data().map_err(local)?;
            store.lock().unwrap().file_progress(id, prefix).map_err(|e| Failure::Export(e.into()))
        })
        .await
    }

    /// The sha256 state after the first `len` bytes already on disk (a
    /// resumed download hashes what an earlier run wrote, once).
    async fn hash_prefix(&self, part: &str, len: i64) -> Result<sha2::Sha256, Failure> {
        if len == 0 {
            return Ok(sha2::Sha256::new());
        }
        let path = self.out.prepare(part).map_err(|e| Failure::Local(e.to_string()))?;
        tokio::task::spawn_blocking(move || -> std::io::Result<sha2::Sha256> {
            let mut f = std::fs::File::open(&path)?.take(len as u64);
            let mut h = sha2::Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    return Ok(h);
                }
                h.update(&buf[..n]);
            }
        })
        .await
        .expect("hash task")
        .map_err(local)
    }

    /// A fresh file reference for the file `key` of `origin`, by fetching
    /// the message (in its range), the profile photo or the story again.
    /// None when it no longer exists.
    async fn fresh_reference(&self, origin: &Origin, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        let e = Failure::Export;
        let candidates: Vec<plan::Candidate> = match origin {
            Origin::Message { peer, id } => {
                let input = vec![tl::enums::InputMessage::Id(tl::types::InputMessageId { id: *id })];
                let (range, channel) = {
                    let s = self.store.lock().unwrap();
                    let range = s.range_of(peer, *id).map_err(|x| e(x.into()))?;
                    let channel = match peer.strip_prefix("channel").and_then(|x| x.parse::<i64>().ok()) {
                        Some(cid) => {
                            let raw = s.chat_raw(cid).map_err(|x| e(x.into()))?;
                            let hash = raw
                                .and_then(|r| <tl::enums::Chat as tl::Deserializable>::from_bytes(&r).ok())
                                .and_then(|c| match c {
                                    tl::enums::Chat::Channel(c) => c.access_hash,
                                    tl::enums::Chat::ChannelForbidden(c) => Some(c.access_hash),
                                    _ => None,
                                })
                                .unwrap_or(0);
                            Some(tl::types::InputChannel { channel_id: cid, access_hash: hash })
                        }
                        None => None,
                    };
                    (range, channel)
                };
                let answer = match channel {
                    Some(ch) => self.client.call(&tl::functions::channels::GetMessages { channel: ch.into(), id: input }, range).await,
                    None => self.client.call(&tl::functions::messages::GetMessages { id: input }, range).await,
                }
                .map_err(e)?;
                let page = crate::parse::page(answer);
                page.messages
                    .iter()
                    .filter(|m| crate::parse::message_id(m) == *id)
                    .flat_map(|m| plan::message_files(&tl::Serializable::to_bytes(m)))
                    .collect()
            }
            Origin::ProfilePhoto { id } => {
                let mut found = Vec::new();
                let mut offset = 0;
                loop {
                    let req = tl::functions::photos::GetUserPhotos { user_id: tl::enums::InputUser::UserSelf, offset, max_id: 0, limit: 100 };
                    let photos = match self.client.call(&req, None).await.map_err(e)? {
                        tl::enums::photos::Photos::Photos(p) => p.photos,
                        tl::enums::photos::Photos::Slice(p) => p.photos,
                    };
                    let n = photos.len() as i32;
                    for p in photos {
                        if let tl::enums::Photo::Photo(p) = p
                            && p.id == *id
                        {
                            found.extend(plan::photo_file(&p, crate::options::MediaKind::ProfilePhoto, p.date));
                        }
                    }
                    if !found.is_empty() || n < 100 {
                        break;
                    }
                    offset += n;
                }
                found
            }
            Origin::Story { id } => {
                // The archive lists stories with ids below offset_id.
                let req = tl::functions::stories::GetStoriesArchive { peer: tl::enums::InputPeer::PeerSelf, offset_id: id + 1, limit: 1 };
                let tl::enums::stories::Stories::Stories(s) = self.client.call(&req, None).await.map_err(e)?;
                s.stories
                    .iter()
                    .filter_map(|s| plan::story_files(&tl::Serializable::to_bytes(s)))
                    .filter(|(sid, _)| *sid == *id as i64)
                    .flat_map(|(_, c)| c)
                    .collect()
            }
        };
        Ok(candidates.into_iter().find(|c| c.location.key() == key).map(|c| match c.location {
            Location::Photo { file_reference, .. } | Location::Document { file_reference, .. } => file_reference,
        }))
    }
}

enum Failure {
    /// Only this file is affected (the text says why).
    Local(String),
    /// The export cannot go on.
    Export(ExportError),
}

/// What a part task brings back: a part of the expected length already
/// written at its offset (its bytes, for the sha256), or any other answer.
enum Part {
    Written(std::io::Result<Vec<u8>>),
    Answer(Result<tl::enums::upload::File, ExportError>),
}

/// Runs blocking disk (and SQLite) work off the async worker threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Failure> + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f).await.expect("a disk task does not panic")
}

fn local(e: std::io::Error) -> Failure {
    Failure::Local(e.to_string())
}

#[cfg(unix)]
fn write_at(f: &std::fs::File, bytes: &[u8], offset: i64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, bytes, offset as u64)
}

#[cfg(not(unix))]
fn write_at(f: &std::fs::File, bytes: &[u8], offset: i64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = f;
    f.seek(SeekFrom::Start(offset as u64))?;
    f.write_all(bytes)
}
