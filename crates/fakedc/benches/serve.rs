//! fakedc throughput as the real grammers client sees it: the ceiling the
//! exporter is measured against.
//!
//! Runs the `fakedc` binary as a child process (so its CPU time and memory
//! can be read from /proc apart from the client's), connects grammers
//! clients from the session file it writes, and reports, with 1 client and
//! with 8 concurrent clients (each its own connection, 8 requests in flight
//! per client):
//! - users.getUsers([self]): requests/s and server CPU time per request;
//! - messages.getHistory pages of 100 messages: pages/s;
//! - upload.getFile: MB/s with 512 KiB and 256 KiB parts (grammers 0.11
//!   cannot receive a 1 MiB part: it rejects server messages of 1,044,448
//!   bytes or more);
//! - peak server RSS while serving the large (1,000,000-message) world.
//!
//! Run: `cargo bench -p fakedc --bench serve` (SECONDS=N per figure, default 3).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fakedc::session_file::SessionFile;
use fakedc::world::{FileKey, Peer, World, WorldParams};
use grammers_client::{Client, tl};

const PIPELINE: usize = 8;

fn main() {
    let secs: u64 = std::env::var("SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // Clients spawn their runner tasks on creation.
    let _in_runtime = rt.enter();
    let dir = std::env::temp_dir().join(format!("fakedc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    for preset in ["medium", "large"] {
        let world = World::generate(&WorldParams::preset(preset, 1).unwrap());
        let (peer, hash) = biggest_history(&world);
        let doc = biggest_document(&world);
        let (child, session) = spawn(&dir, preset);
        let pid = child.0.id();
        println!("fakedc serve --world {preset} ({} messages), pid {pid}, {secs} s per figure", world.message_count());
        for clients in [1usize, 8] {
            let conns: Vec<Client> = (0..clients).map(|_| common::client(&session).0).collect();
            rt.block_on(warm_up(&conns));
            if preset == "medium" {
                let (n, el, cpu) = rt.block_on(measure(&conns, secs, pid, |c| async move {
                    let users = c
                        .invoke(&tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] })
                        .await
                        .expect("getUsers");
                    assert_eq!(users.len(), 1);
                    0
                }));
                println!(
                    "  {clients} client(s) users.getUsers:        {:>9.0} req/s    server CPU {:>6.1} µs/req",
                    n as f64 / el,
                    cpu * 1e6 / n as f64
                );
            }
            let ids = Arc::new(world.history_ids(peer).to_vec());
            let (n, el, cpu) = rt.block_on(measure(&conns, secs, pid, move |c| {
                let ids = ids.clone();
                async move {
                    // A pseudo-random page of the biggest history.
                    let at = ids[(fastrand() as usize) % ids.len()];
                    let got = c.invoke(&history(peer, hash, at)).await.expect("getHistory");
                    let n = match got {
                        tl::enums::messages::Messages::Messages(m) => m.messages.len(),
                        tl::enums::messages::Messages::Slice(m) => m.messages.len(),
                        tl::enums::messages::Messages::ChannelMessages(m) => m.messages.len(),
                        tl::enums::messages::Messages::NotModified(_) => 0,
                    };
                    assert!(n > 0);
                    0
                }
            }));
            println!(
                "  {clients} client(s) getHistory (100/page):  {:>9.0} pages/s  server CPU {:>6.1} µs/page",
                n as f64 / el,
                cpu * 1e6 / n as f64
            );
            for part in [512 * 1024, 256 * 1024] {
                let (n, el, _) = rt.block_on(measure(&conns, secs, pid, move |c| async move {
                    let offset = (fastrand() % (doc.2 / part as u64).max(1)) * part as u64;
                    let f = c.invoke(&get_file(doc, offset as i64, part)).await.expect("getFile");
                    let tl::enums::upload::File::File(f) = f else { panic!("cdn redirect") };
                    f.bytes.len() as u64
                }));
                println!("  {clients} client(s) getFile {:>3} KiB parts:   {:>9.1} MB/s", part / 1024, n as f64 / el / 1e6);
            }
            drop(conns);
        }
        println!("  peak server RSS: {} MB", peak_rss_mb(pid));
        drop(child);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The server process, killed however the bench ends (a panic included).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(dir: &Path, preset: &str) -> (Server, SessionFile) {
    let session_path = dir.join(format!("{preset}.json"));
    let _ = std::fs::remove_file(&session_path);
    let child = Server(Command::new(env!("CARGO_BIN_EXE_fakedc"))
        .args(["serve", "--world", preset, "--session-out"])
        .arg(&session_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start fakedc"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(s) = SessionFile::load(&session_path) {
            return (child, s);
        }
        assert!(Instant::now() < deadline, "fakedc did not write its session file");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn warm_up(conns: &[Client]) {
    for c in conns {
        c.invoke(&tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] }).await.unwrap();
    }
}

/// Runs `op` on every connection with PIPELINE tasks each for `secs`;
/// returns (operations or bytes, elapsed seconds, server CPU seconds).
async fn measure<F, Fut>(conns: &[Client], secs: u64, pid: u32, op: F) -> (u64, f64, f64)
where
    F: Fn(Client) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = u64> + Send,
{
    let cpu0 = cpu_secs(pid);
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in conns {
        for _ in 0..PIPELINE {
            let (c, op) = (c.clone(), op.clone());
            tasks.push(tokio::spawn(async move {
                let mut total = 0u64;
                while Instant::now() < end {
                    let bytes = op(c.clone()).await;
                    total += if bytes == 0 { 1 } else { bytes };
                }
                total
            }));
        }
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    (total, start.elapsed().as_secs_f64(), cpu_secs(pid) - cpu0)
}

fn history(peer: Peer, access_hash: i64, offset_id: i32) -> tl::functions::messages::GetHistory {
    let input: tl::enums::InputPeer = match peer {
        Peer::User(user_id) => tl::types::InputPeerUser { user_id, access_hash }.into(),
        Peer::Chat(chat_id) => tl::types::InputPeerChat { chat_id }.into(),
        Peer::Channel(channel_id) => tl::types::InputPeerChannel { channel_id, access_hash }.into(),
    };
    tl::functions::messages::GetHistory {
        peer: input,
        offset_id,
        offset_date: 0,
        add_offset: -100,
        limit: 100,
        max_id: 0,
        min_id: 0,
        hash: 0,
    }
}

/// The peer with the longest history and its access hash.
fn biggest_history(world: &World) -> (Peer, i64) {
    let peer = world.dialogs().into_iter().max_by_key(|p| world.history_ids(*p).len()).expect("a dialog");
    let hash = match peer {
        Peer::User(id) => world.user(id).unwrap().access_hash,
        Peer::Chat(_) => 0,
        Peer::Channel(id) => world.chat(id).unwrap().access_hash,
    };
    (peer, hash)
}

/// (id, access_hash, size) of the largest document.
fn biggest_document(world: &World) -> (i64, i64, u64) {
    let mut best = None::<(i64, i64, u64)>;
    for m in world.all_messages() {
        if let Some(fakedc::world::Media::Document(d)) = &m.media {
            if best.is_none_or(|b| d.size as u64 > b.2) {
                best = Some((d.id, d.access_hash, d.size as u64));
            }
        }
    }
    let b = best.expect("a document");
    assert!(world.file(&FileKey::Document { id: b.0 }).is_some());
    b
}

fn get_file(doc: (i64, i64, u64), offset: i64, limit: i32) -> tl::functions::upload::GetFile {
    tl::functions::upload::GetFile {
        precise: false,
        cdn_supported: false,
        location: tl::types::InputDocumentFileLocation {
            id: doc.0,
            access_hash: doc.1,
            file_reference: reference(doc.0),
            thumb_size: String::new(),
        }
        .into(),
        offset,
        limit,
    }
}

/// The bench knows the server's seed (1), so it can mint the reference the
/// server would issue, instead of fetching the message first.
fn reference(media_id: i64) -> Vec<u8> {
    let refs = fakedc::filerefs::FileRefs::new(1);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    refs.issue(media_id, now)
}

fn fastrand() -> u64 {
    use std::cell::Cell;
    thread_local!(static S: Cell<u64> = const { Cell::new(0x2545_f491_4f6c_dd1d) });
    S.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    })
}

/// utime + stime of a process, from /proc/PID/stat, in seconds.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11).and_then(|s| s.parse().ok()).unwrap_or(0) + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
    ticks as f64 / 100.0
}

fn peak_rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}
