//! The real `tgtakeout` binary downloading a 200 MiB file from an
//! in-process fakedc: killed with SIGKILL in the middle, the next run goes
//! on from the partial file's recorded offset (fakedc's byte counter shows
//! less than 10% fetched twice), the result is byte-exact, and the
//! process's peak memory stays bounded while it streams the file to disk.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fakedc::faults::FaultConfig;
use fakedc::world::{FileKey, World, WorldParams};
use fakedc::{Config, FakeDc};

const BIN: &str = env!("CARGO_BIN_EXE_tgtakeout");
const BIG: i64 = 200 << 20;
const BIG_ID: i64 = 8_800_000_001;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tgtakeout-cli-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The small world with a 200 MiB document in Saved Messages (made by
/// editing the generated world's JSON, not a fixture of the generator).
fn world_with_big_file() -> World {
    let w = World::generate(&WorldParams::preset("small", 3).unwrap());
    let mut buf = Vec::new();
    w.to_json(&mut buf).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
    let me = w.self_id;
    let m = v["messages"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["peer"]["type"] == "user" && m["peer"]["id"] == me && m.get("action").is_none() && m.get("media").is_none())
        .expect("a plain message in Saved Messages");
    let date = m["date"].clone();
    m["media"] = serde_json::json!({
        "type": "document", "id": BIG_ID, "access_hash": 4242, "date": date, "dc_id": 2,
        "kind": "file", "mime_type": "application/octet-stream", "size": BIG, "file_name": "big.bin",
    });
    World::from_json(serde_json::to_vec(&v).unwrap().as_slice()).unwrap()
}

fn export_cmd(session: &Path, out: &Path, self_id: i64) -> Command {
    let mut c = Command::new(BIN);
    c.args(["export", "--quiet", "--takeout-flags", "message-users,files", "--max-file-size", "250MB", "--media", "file"])
        .args(["--chat", &format!("user{self_id}"), "--no-profile-photos", "--no-stories", "--session"])
        .arg(session)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    c
}

/// Peak resident memory of a running process, from /proc (Linux), in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// (status, offset, path) of the big file in the store.
fn big_file_row(dir: &Path) -> Option<(String, i64, String)> {
    let conn = rusqlite::Connection::open(dir.join("store.sqlite")).ok()?;
    conn.query_row("SELECT status, offset, path FROM files WHERE location = ?1", [format!("doc:{BIG_ID}")], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_200_mib_download_resumes_from_the_partial_offset() {
    let w = world_with_big_file();
    // Capped at 64 MiB/s so the download is surely in progress when killed.
    let faults = FaultConfig { bandwidth: Some(64 << 20), ..FaultConfig::default() };
    let dc = FakeDc::start(Config { faults, ..Config::default() }, w.clone()).await.unwrap();
    let dir = tmp("resume");
    let session = dir.join("session.json");
    dc.session_file().save(&session).unwrap();

    let mut child = export_cmd(&session, &dir, w.self_id).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut peak = 0;
    // Kill once about 40% of the file has been served.
    while dc.stats().file_bytes_served < (BIG as u64) * 2 / 5 {
        assert!(child.try_wait().unwrap().is_none(), "the export ended before the kill");
        assert!(Instant::now() < deadline, "the download does not progress");
        peak = peak.max(peak_rss(child.id()).unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    peak = peak.max(peak_rss(child.id()).unwrap_or(0));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let served_before = dc.stats().file_bytes_served;
    let (status, offset, path) = big_file_row(&dir).expect("the big file is in the store");
    assert_eq!(status, "pending");
    assert!(offset > 0, "a durable offset was recorded before the kill");
    assert!(offset <= served_before as i64);
    assert!(dir.join(format!("{path}.part")).exists());
    if peak > 0 {
        assert!(peak < 150 << 20, "peak RSS {} MiB while downloading 200 MiB", peak >> 20);
    }

    // The next run, at full speed, goes on from the recorded offset.
    dc.set_faults(FaultConfig::default());
    let out = export_cmd(&session, &dir, w.self_id).stderr(Stdio::piped()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (status, _, path) = big_file_row(&dir).unwrap();
    assert_eq!(status, "done");
    let total = dc.stats().file_bytes_served;
    // Everything else fetched (the other files of Saved Messages) is small;
    // count it by what is on disk.
    let conn = rusqlite::Connection::open(dir.join("store.sqlite")).unwrap();
    let done_bytes: i64 = conn.query_row("SELECT sum(size) FROM files WHERE status = 'done'", [], |r| r.get(0)).unwrap();
    let twice = total as i64 - done_bytes;
    eprintln!(
        "killed at {} MiB served, {} MiB recorded; fetched twice: {} KiB; peak RSS {} MiB",
        served_before >> 20,
        offset >> 20,
        twice >> 10,
        peak >> 20
    );
    assert!(twice >= 0);
    assert!(twice < BIG / 10, "{} MiB fetched twice (recorded offset {} MiB, served before the kill {} MiB)", twice >> 20, offset >> 20, served_before >> 20);

    // Byte-exact, compared in 8 MiB slices (never the whole file in memory).
    let seed = fakedc::world::bytes::file_seed(w.seed, &FileKey::Document { id: BIG_ID });
    let mut f = std::fs::File::open(dir.join(&path)).unwrap();
    assert_eq!(f.metadata().unwrap().len(), BIG as u64);
    let mut got = vec![0u8; 8 << 20];
    let mut want = vec![0u8; 8 << 20];
    let mut at = 0u64;
    while at < BIG as u64 {
        use std::io::Read;
        f.read_exact(&mut got).unwrap();
        fakedc::world::bytes::fill(seed, at, &mut want);
        assert!(got == want, "bytes differ in the slice at {at}");
        at += got.len() as u64;
    }
    assert!(!dir.join(format!("{path}.part")).exists(), "the partial file became the file");
    // The sha256 recorded (computed in order across the two runs) is the file's.
    let recorded: String = conn.query_row("SELECT sha256 FROM files WHERE location = ?1", [format!("doc:{BIG_ID}")], |r| r.get(0)).unwrap();
    match Command::new("sha256sum").arg(dir.join(&path)).output() {
        Ok(out) if out.status.success() => {
            let actual = String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or("").to_string();
            assert_eq!(recorded, actual, "sha256 of the resumed file");
        }
        _ => eprintln!("sha256sum not found; the recorded checksum is not compared"),
    }
    dc.shutdown().await;
}
