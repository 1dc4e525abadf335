//! Files: after the messages, profile photos and stories are stored (and
//! inside the same takeout session), every file they refer to is planned —
//! downloaded, or recorded as skipped with the reason — and the selected
//! ones are fetched, several files at once and several parts of each,
//! resumable to the byte; a file referred to many times is fetched once
//! and linked to every other reference's path.
//!
//! - [`plan`]: the files stored data refers to, and their names.
//! - [`select`]: download or skip (files flag, media kind, size limit).
//! - [`layout`]: Telegram Desktop's paths, sanitizing, safe writes.
//! - [`download`]: one file, part by part, with resume and retries.

pub mod download;
pub mod layout;
pub mod plan;
pub mod select;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::api::Api;
use crate::client::Client;
use crate::error::ExportError;
use crate::limiter::Limiter;
use crate::options::ExportOptions;
use crate::progress::{Event, Progress};
use crate::store::{Store, StoreError};
use crate::store_files::{OWNER_PROFILE_PHOTOS, OWNER_STORIES, RefRow, SLOT_THUMB, SkipReason};

use download::{Downloader, Job, Origin, Outcome};
use layout::OutDir;
use plan::{Candidate, Name};

/// What the file stage did, for the summary.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct FilesSummary {
    /// Files fetched in this run, and the bytes fetched for them.
    pub downloaded: u64,
    pub bytes: u64,
    /// References given a file fetched once for another reference (hard link or copy).
    pub linked: u64,
    /// References Telegram could not give (the store keeps why), over the whole export.
    pub unavailable: u64,
    /// References not downloaded by choice, by reason (files_off, kind, size), over the whole export.
    pub skipped: BTreeMap<String, u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("cannot use the output directory: {0}")]
    OutDir(#[from] layout::LayoutError),
}

/// Plans and downloads every file of the stored data.
pub(crate) async fn run<A: Api>(
    client: &Arc<Client<A>>,
    store: &Arc<Mutex<Store>>,
    options: &ExportOptions,
    progress: &Arc<dyn Progress>,
) -> Result<FilesSummary, ExportError> {
    progress.event(Event::Stage("files"));
    let root = store.lock().unwrap().path().parent().map(|p| p.to_path_buf()).unwrap_or_else(|| ".".into());
    let root = if root.as_os_str().is_empty() { std::path::PathBuf::from(".") } else { root };
    let out = OutDir::new(&root).map_err(|e| ExportError::Files(FilesError::OutDir(e)))?;
    let jobs = {
        let mut s = store.lock().unwrap();
        plan_all(&mut s, options, out.root())?
    };
    let mut summary = FilesSummary::default();
    let total: u64 = jobs.iter().map(|j| (j.size - j.offset.min(j.size)) as u64).sum();
    progress.event(Event::FilesPlanned { files: jobs.len() as u64, bytes: total });
    let fo = options.file_options.clone();
    let dl = Arc::new(Downloader {
        client: Arc::clone(client),
        store: Arc::clone(store),
        out: out.clone(),
        limiter: Limiter::new(fo.parallel_requests.max(1)),
        options: fo.clone(),
        progress: Arc::clone(progress),
        good_dcs: Mutex::new(HashSet::new()),
    });
    // Files in flight are bounded by the requests they can have in flight,
    // not by a fixed count: each file claims the parts it may ask for at
    // once (one for a small file, up to parts_per_file for a big one), and
    // files start while the claims fit in parallel_requests, so free
    // request slots are filled from any file. parallel_files caps the
    // number of file tasks (not one per file: an account can refer to
    // hundreds of thousands). Buffered bytes stay bounded by the claims.
    // A fetched file is completed (fsync, rename, record) by its own task,
    // which holds no claim; at most FINISHING of those at once.
    const FINISHING: usize = 64;
    let budget = fo.parallel_requests.max(1);
    let (mut claimed, mut fetching, mut finishing) = (0usize, 0usize, 0usize);
    let mut pending = jobs.into_iter().peekable();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        while fetching < fo.parallel_files.max(1) && finishing < FINISHING {
            let Some(next) = pending.peek() else { break };
            let claim = claim_of(next, fo.parts_per_file);
            if fetching > 0 && claimed + claim > budget {
                break;
            }
            let job = pending.next().expect("peeked");
            claimed += claim;
            fetching += 1;
            let dl = Arc::clone(&dl);
            tasks.spawn(async move {
                let outcome = dl.download(&job).await;
                (job, true, outcome)
            });
        }
        let Some(joined) = tasks.join_next().await else { break };
        let (job, was_fetching, outcome) = joined.expect("a file task does not panic");
        if was_fetching {
            claimed -= claim_of(&job, fo.parts_per_file);
            fetching -= 1;
        } else {
            finishing -= 1;
        }
        match outcome? {
            Outcome::Fetched(fin) => {
                finishing += 1;
                let dl = Arc::clone(&dl);
                tasks.spawn(async move {
                    let outcome = dl.finish(fin).await;
                    (job, false, outcome)
                });
            }
            Outcome::Done { fetched } => {
                summary.downloaded += 1;
                summary.bytes += fetched as u64;
                progress.event(Event::FileDone { path: job.path.clone() });
            }
            Outcome::Unavailable(why) => {
                tracing::warn!(path = %job.path, reason = %why, "file unavailable");
                store.lock().unwrap().file_unavailable(job.file_id, &why)?;
                progress.event(Event::FileUnavailable { path: job.path.clone(), reason: why });
            }
        }
    }
    summary.linked = link_pending(store, &out)?;
    let counts = store.lock().unwrap().file_ref_counts()?;
    for (k, n) in counts {
        if let Some(reason) = k.strip_prefix("skipped_") {
            summary.skipped.insert(reason.to_string(), n);
        } else if k == "unavailable" {
            summary.unavailable = n;
        }
    }
    Ok(summary)
}

/// Parts of `job` that can be in flight at once.
fn claim_of(job: &Job, parts_per_file: usize) -> usize {
    let left = (job.size - job.offset.min(job.size)).max(1);
    let parts = ((left + download::PART - 1) / download::PART) as usize;
    parts.clamp(1, parts_per_file.max(1))
}

/// Every other reference to a fetched file gets a hard link (or a copy)
/// of it at its own path. Returns how many were made.
fn link_pending(store: &Mutex<Store>, out: &OutDir) -> Result<u64, StoreError> {
    let links = store.lock().unwrap().refs_to_link()?;
    let mut n = 0;
    for (owner, item, slot, path, file_path) in links {
        if let Err(e) = out.link_or_copy(&file_path, &path) {
            tracing::warn!(path = %path, error = %e, "could not link a file");
            continue;
        }
        store.lock().unwrap().ref_done(&owner, item, &slot)?;
        n += 1;
    }
    Ok(n)
}

/// Records every reference of the stored data (skipped with the reason, or
/// pending with its path) in one transaction, and returns the files to fetch.
fn plan_all(store: &mut Store, o: &ExportOptions, root: &std::path::Path) -> Result<Vec<Job>, StoreError> {
    let dialogs = store.dialogs()?;
    let peers: Vec<String> = dialogs.iter().map(|d| d.peer.clone()).collect();
    let folders = store.assign_chat_folders(&peers)?;
    let mut p = Planner { store, o, root, used: HashSet::new(), jobs: BTreeMap::new() };
    p.used = p.store.used_paths()?;
    p.store.begin()?;
    let result = p.plan_everything(&peers, &folders);
    match result {
        Ok(()) => p.store.commit()?,
        Err(e) => {
            let _ = p.store.conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    Ok(p.jobs.into_values().collect())
}

struct Planner<'a> {
    store: &'a mut Store,
    o: &'a ExportOptions,
    root: &'a std::path::Path,
    used: HashSet<String>,
    jobs: BTreeMap<i64, Job>,
}

impl Planner<'_> {
    fn plan_everything(&mut self, peers: &[String], folders: &HashMap<String, String>) -> Result<(), StoreError> {
        for peer in peers {
            let folder = &folders[peer];
            let mut after = 0;
            loop {
                let page = self.store.media_messages(peer, after, 500)?;
                let Some(last) = page.last().map(|m| m.0) else { break };
                for (id, _, raw) in &page {
                    let origin = Origin::Message { peer: peer.clone(), id: *id };
                    self.record_all(peer, *id as i64, Some(folder), &plan::message_files(raw), &origin)?;
                }
                after = last;
            }
        }
        for (_, raw) in self.store.items("profile_photo")? {
            if let Some((id, c)) = plan::profile_photo_file(&raw) {
                self.record_all(OWNER_PROFILE_PHOTOS, id, None, &[c], &Origin::ProfilePhoto { id })?;
            }
        }
        for (_, raw) in self.store.items("story")? {
            if let Some((id, cs)) = plan::story_files(&raw) {
                self.record_all(OWNER_STORIES, id, None, &cs, &Origin::Story { id: id as i32 })?;
            }
        }
        Ok(())
    }

    /// A main file and its thumbnail: the thumbnail follows its document
    /// (skipped with it, named after it).
    fn record_all(&mut self, owner: &str, item: i64, chat: Option<&str>, cs: &[Candidate], origin: &Origin) -> Result<(), StoreError> {
        let mut main: Result<String, SkipReason> = Err(SkipReason::Kind);
        for c in cs {
            let decision = if c.slot == SLOT_THUMB { main.as_ref().err().cloned() } else { select::decide(c, self.o) };
            let got = self.record(owner, item, chat, c, origin, decision, main.as_ref().ok().map(String::as_str))?;
            if c.slot != SLOT_THUMB {
                main = got;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        owner: &str,
        item: i64,
        chat: Option<&str>,
        c: &Candidate,
        origin: &Origin,
        decision: Option<SkipReason>,
        main_path: Option<&str>,
    ) -> Result<Result<String, SkipReason>, StoreError> {
        let existing = self.store.ref_row(owner, item, c.slot)?;
        // Done stays done (a later run with other options keeps what is on disk).
        if let Some(RefRow { status, path: Some(path), .. }) = &existing
            && status == "done"
        {
            return Ok(Ok(path.clone()));
        }
        if let Some(reason) = decision {
            let row = RefRow { kind: c.kind.name().into(), file_id: None, status: "skipped".into(), reason: Some(reason.as_str().into()), path: None };
            if existing.as_ref() != Some(&row) {
                self.store.put_ref(owner, item, c.slot, &row)?;
            }
            return Ok(Err(reason));
        }
        let key = c.location.key();
        let file = self.store.file_by_location(&key)?;
        let path = match existing.as_ref().and_then(|r| r.path.clone()) {
            Some(p) => p,
            None => self.new_path(chat, c, main_path)?,
        };
        let file = match file {
            Some(f) => f,
            None => self.store.insert_file(&key, c.dc, c.size, &path)?,
        };
        let status = if file.status == "done" && file.path.as_deref() == Some(path.as_str()) { "done" } else { "pending" };
        let row = RefRow { kind: c.kind.name().into(), file_id: Some(file.id), status: status.into(), reason: None, path: Some(path.clone()) };
        if existing.as_ref() != Some(&row) {
            self.store.put_ref(owner, item, c.slot, &row)?;
        }
        if file.status != "done" {
            self.jobs.entry(file.id).or_insert_with(|| Job {
                file_id: file.id,
                location: c.location.clone(),
                dc: c.dc,
                size: file.size,
                path: file.path.clone().unwrap_or_else(|| path.clone()),
                offset: file.offset,
                origin: origin.clone(),
                date: c.date,
            });
        }
        Ok(Ok(path))
    }

    /// A fresh, unique path in Telegram Desktop's layout.
    fn new_path(&mut self, chat: Option<&str>, c: &Candidate, main_path: Option<&str>) -> Result<String, StoreError> {
        let dir = match chat {
            Some(chat) => format!("{chat}/{}", c.kind.folder()),
            None => c.kind.folder().to_string(),
        };
        let (dir, name) = match (&c.name, main_path) {
            (Name::ThumbOf, Some(main)) => {
                let (d, n) = main.rsplit_once('/').unwrap_or(("", main));
                (d.to_string(), layout::sanitize(&format!("{n}_thumb.jpg")))
            }
            (Name::ThumbOf, None) => (dir.clone(), "thumb.jpg".to_string()),
            (Name::Given(_), _) => (dir.clone(), plan::file_name(&c.name, 0, c.date)),
            (Name::Generated { prefix, .. }, _) => {
                let n = self.store.next_name_index(&format!("{dir}/{prefix}"))?;
                (dir.clone(), plan::file_name(&c.name, n, c.date))
            }
        };
        Ok(layout::unique_path(self.root, &dir, &name, &mut self.used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One server file referred to from two chats: fetched once (one
    /// `files` row), the second reference gets a hard link to it.
    #[test]
    fn a_file_referred_to_twice_is_linked_not_fetched_again() {
        let root = std::env::temp_dir().join(format!("takeout-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let store = Mutex::new(Store::open(&root.join("store.sqlite")).unwrap());
        let out = OutDir::new(&root).unwrap();
        let (a, b) = ("chats/chat_1/files/a.bin", "chats/chat_2/files/a.bin");
        {
            let s = store.lock().unwrap();
            let f = s.insert_file("doc:1", 2, 5, a).unwrap();
            for (owner, path) in [("user1", a), ("user2", b)] {
                let row = RefRow { kind: "file".into(), file_id: Some(f.id), status: "pending".into(), reason: None, path: Some(path.into()) };
                s.put_ref(owner, 7, "file", &row).unwrap();
            }
            let mut w = out.open_write(a).unwrap();
            std::io::Write::write_all(&mut w, b"hello").unwrap();
            s.file_done(f.id, "x").unwrap();
        }
        assert_eq!(link_pending(&store, &out).unwrap(), 1, "only the second reference needed a link");
        assert_eq!(std::fs::read(root.join(b)).unwrap(), b"hello");
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let (ma, mb) = (std::fs::metadata(root.join(a)).unwrap(), std::fs::metadata(root.join(b)).unwrap());
            assert_eq!(ma.ino(), mb.ino(), "a hard link, not a copy");
        }
        for owner in ["user1", "user2"] {
            let r = store.lock().unwrap().file_ref(owner, 7, "file").unwrap().unwrap();
            assert_eq!(r.status, crate::store_files::FileStatus::Done);
        }
        assert_eq!(link_pending(&store, &out).unwrap(), 0, "nothing left to link");
    }
}
