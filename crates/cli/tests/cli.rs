//! The real `tgtakeout` binary against an in-process fakedc: kills at any
//! moment lose and duplicate nothing, the takeout delay is explained and
//! waited out, and bad input gets a clear message and exit code 2.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use fakedc::world::{World, WorldParams};
use fakedc::{Config, FakeDc};

const BIN: &str = env!("CARGO_BIN_EXE_tgtakeout");

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tgtakeout-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn world() -> World {
    World::generate(&WorldParams::preset("small", 3).unwrap())
}

fn session(dc: &FakeDc, dir: &Path) -> PathBuf {
    let p = dir.join("session.json");
    dc.session_file().save(&p).unwrap();
    p
}

fn export_cmd(session: &Path, out: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.args(["export", "--quiet", "--takeout-flags", "contacts,message-users,message-chats,message-megagroups,message-channels", "--session"])
        .arg(session)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null());
    c
}

fn run(mut c: Command) -> Output {
    c.output().expect("run tgtakeout")
}

type Row = (String, i32, i32, Option<i32>, Option<String>, bool, bool, String, Option<String>, Option<i32>);

/// Every stored message with every parsed column. (Raw TL bytes differ
/// between two runs only in file references, which embed their issue time
/// as Telegram's do, so they are compared by length instead.)
fn dump(dir: &Path) -> BTreeSet<(Row, usize)> {
    let conn = rusqlite::Connection::open(dir.join("store.sqlite")).unwrap();
    let mut st = conn
        .prepare("SELECT peer, id, date, edit_date, from_peer, out, service, text, media, reply_to, length(raw) FROM messages")
        .unwrap();
    st.query_map([], |r| {
        Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?), r.get(10)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn count(dir: &Path) -> usize {
    dump(dir).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_ten_points_resumes_to_the_same_store() {
    let mut params = WorldParams::preset("small", 3).unwrap();
    params.messages_per_chat = 300;
    let w = World::generate(&params);
    let clean = tmp("kill-clean");
    {
        let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
        let s = session(&dc, &clean);
        let out = run(export_cmd(&s, &clean));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let want = dump(&clean);
    assert!(want.len() > 500);

    // A slow server (25 ms a request) so the export runs long enough to be killed anywhere in it.
    let faults = fakedc::faults::FaultConfig { latency: Duration::from_millis(25), ..Default::default() };
    let dc = FakeDc::start(Config { faults, ..Config::default() }, w.clone()).await.unwrap();
    let dir = tmp("kill");
    let s = session(&dc, &dir);
    let mut progress = Vec::new();
    let mut killed_mid_run = 0;
    for k in 0..10u64 {
        // Kill after this run has sent 1 to 3 history requests: the kill then
        // lands while pages are in flight or being committed, and every run
        // makes some progress, whatever the machine's speed.
        let base = dc.stats().requests_of("messages.getHistory");
        let mut child = export_cmd(&s, &dir).spawn().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while dc.stats().requests_of("messages.getHistory") < base + 1 + k % 3 {
            if child.try_wait().unwrap().is_some() || std::time::Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        progress.push(count(&dir));
    }
    let out = run(export_cmd(&s, &dir));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = dump(&dir);
    assert!(got == want, "resumed store differs: {} rows vs {} (progress after each kill: {progress:?})", got.len(), want.len());
    assert!(progress.windows(2).all(|p| p[0] <= p[1]), "nothing stored is ever lost: {progress:?}");
    assert_eq!(killed_mid_run, 10, "every kill landed during the export: {progress:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takeout_delay_explained_with_exit_code_3_then_waited_out() {
    let dc = FakeDc::start(Config { takeout_delay_secs: 3, ..Config::default() }, world()).await.unwrap();
    let dir = tmp("delay");
    let s = session(&dc, &dir);
    let out = run(export_cmd(&s, &dir));
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("becomes possible on") && err.contains("local time") && err.contains("--wait"), "{err}");
    let mut c = export_cmd(&s, &dir);
    c.arg("--wait");
    let out = run(c);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(count(&dir) > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_explained_with_exit_code_2() {
    let dc = FakeDc::start(Config::default(), world()).await.unwrap();
    let dir = tmp("bad");
    let s = session(&dc, &dir);
    let expect = |c: Command, code: i32, needle: &str| {
        let out = run(c);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(code), "{needle}: {err}");
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
        assert!(!err.contains("panicked"), "{err}");
    };
    // Unknown option values.
    let mut c = export_cmd(&s, &dir);
    c.args(["--chats", "everything"]);
    expect(c, 2, "invalid value");
    let mut c = export_cmd(&s, &dir);
    c.args(["--max-file-size", "5XB"]);
    expect(c, 2, "unknown unit");
    // Missing session file.
    expect(export_cmd(&dir.join("nope.json"), &dir), 2, "nope.json");
    // World-readable session file.
    let open = dir.join("open.json");
    std::fs::copy(&s, &open).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        expect(export_cmd(&open, &dir), 2, "chmod 600");
    }
    // Corrupt session file (and its key never echoed).
    let bad = dir.join("bad.json");
    std::fs::write(&bad, b"{\"format\": \"tgtakeout-session\", \"auth_key\": \"deadbeef").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = run(export_cmd(&bad, &dir));
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("deadbeef"));
    // Unwritable output directory.
    let file = dir.join("a-file");
    std::fs::write(&file, b"x").unwrap();
    expect(export_cmd(&s, &file.join("sub")), 2, "output directory");
    // A store from a newer version.
    let newer = tmp("newer");
    {
        let conn = rusqlite::Connection::open(newer.join("store.sqlite")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    expect(export_cmd(&s, &newer), 2, "newer tgtakeout");
    // A chat selector that matches nothing.
    let mut c = export_cmd(&s, &dir);
    c.args(["--chat", "@nobody_at_all"]);
    expect(c, 2, "no chat matches");
}

#[test]
fn demo_runs_and_says_where() {
    let dir = tmp("demo");
    let out = Command::new(BIN).args(["demo", "--out"]).arg(&dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}{}", text, String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("store.sqlite") && text.contains("closed successfully"), "{text}");
    assert!(count(&dir) > 500);
    // Running it again tops up: nothing new.
    let out = Command::new(BIN).args(["demo", "--json", "--out"]).arg(&dir).output().unwrap();
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["messages_total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_closes_the_takeout_without_success_and_keeps_the_store() {
    let mut params = WorldParams::preset("small", 3).unwrap();
    params.messages_per_chat = 300;
    let faults = fakedc::faults::FaultConfig { latency: Duration::from_millis(25), ..Default::default() };
    let dc = FakeDc::start(Config { faults, ..Config::default() }, World::generate(&params)).await.unwrap();
    let dir = tmp("sigint");
    let s = session(&dc, &dir);
    let child = export_cmd(&s, &dir).stderr(Stdio::piped()).spawn().unwrap();
    // Interrupt once the export is under way (its takeout session exists).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while dc.takeouts().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the export never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert_eq!(dc.takeouts()[0].finished, Some(false), "closed without success");
    let partial = count(&dir);
    let out = run(export_cmd(&s, &dir));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(count(&dir) > partial);
    assert_eq!(dc.takeouts().last().unwrap().finished, Some(true));
}
