//! `tgtakeout login` / `whoami` / `export` / `logout` as a person runs
//! them, against an in-process fakedc serving dcs 1 to 5 with the account
//! on dc 4: the scripted answers include a wrong code and a wrong password
//! (clear message, retry), the export downloads files living on dcs 1, 3
//! and 5 (sign-in carried there by export/import), and logout signs the
//! keys out and deletes the session. A second test runs login + export with
//! -vvv and finds no auth key, login code or password in anything printed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use fakedc::world::{World, WorldParams};
use fakedc::{Config, FakeDc};

const BIN: &str = env!("CARGO_BIN_EXE_tgtakeout");
const PHONE: &str = "+1 555 010 0000";
/// Distinctive, so that finding it in output can only mean a leak.
const CODE: &str = "73914";
const PASSWORD: &str = "hunter2";
const API_HASH: &str = "5f2c0b7e9a31d4c68e07b1a2c3d4e5f6";

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tgtakeout-login-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn world() -> World {
    World::generate(&WorldParams::preset("small", 3).unwrap())
}

async fn five_dcs() -> FakeDc {
    let config = Config { dcs: vec![1, 2, 3, 4, 5], home_dc: 4, login_code: CODE.into(), ..Config::default() };
    FakeDc::start(config, world()).await.unwrap()
}

/// Runs tgtakeout with `input` on stdin, off the async runtime (fakedc
/// serves on it meanwhile).
async fn run(args: Vec<String>, input: String) -> Output {
    run_env(args, input, &[]).await
}

async fn run_env(args: Vec<String>, input: String, env: &[(&str, &str)]) -> Output {
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(BIN)
            .args(&args)
            .envs(env)
            .env_remove("TG_API_ID")
            .env_remove("TG_API_HASH")
            .env("HOME", "/nonexistent-home-for-tests")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run tgtakeout");
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn args(list: &[&str], session: &Path) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.push("--session".into());
    v.push(session.display().to_string());
    v
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn login_args(session: &Path, extra: &[&str]) -> Vec<String> {
    let mut v = args(&["login", "--api-id", "271828", "--api-hash", API_HASH, "--phone", PHONE], session);
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn key_id(session: &takeout_telegram::SessionFile, dc: i32) -> u64 {
    mtproto_server::AuthKey::new(*session.dc(dc).unwrap().auth_key.as_ref().unwrap().expose()).id()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_retries_whoami_export_on_five_dcs_and_logout() {
    let dc = five_dcs().await;
    let me = dc.with_world(|w| w.self_id);
    let dir = tmp("flow");
    let session = dir.join("session.json");
    let fresh = dc.unauthorized_session_file();
    fresh.save(&session).unwrap();

    // Without api credentials: how to get them.
    let o = run(args(&["login", "--phone", PHONE], &session), String::new()).await;
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("https://my.telegram.org") && err.contains("TG_API_HASH"), "{err}");
    // A bot token: refused with the reason.
    let o = run(login_args(&session, &["--bot-token", "123456:AAEabcdefghijklmnopqrstuvwxyz012345"]), String::new()).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("bot accounts cannot be exported"), "{}", text(&o).1);

    // Wrong code, then the right one; wrong password, then the right one (all on stdin).
    let o = run(login_args(&session, &[]), format!("00000\n{CODE}\nhunter3\n{PASSWORD}\n")).await;
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(err.contains("The login code is wrong. Try again."), "{err}");
    assert!(err.contains("The two-step verification password is wrong. Try again."), "{err}");
    assert!(out.contains("Signed in as Alex Takeout (@fx_self)"), "{out}");
    let saved = takeout_telegram::SessionFile::load(&session).unwrap();
    assert_eq!((saved.home_dc, saved.user_id, saved.api_id), (4, Some(me), Some(271828)), "PHONE_MIGRATE_4 followed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&session).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(dc.signed_in_as(key_id(&saved, 4)), Some(me));
    assert_eq!(dc.signed_in_as(key_id(&saved, 1)), None, "other dcs are signed in when first used");

    // Running login again says who is signed in and changes nothing.
    let o = run(login_args(&session, &[]), String::new()).await;
    assert!(o.status.success());
    assert!(text(&o).0.contains("already signed in as Alex Takeout"), "{:?}", text(&o));

    let o = run(args(&["whoami"], &session), String::new()).await;
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("Signed in as Alex Takeout (@fx_self)") && out.contains("home data centre 4"), "{out}");

    // Export with every media kind: files live on dcs 1 to 5.
    let out_dir = dir.join("out");
    let o = run(
        args(&["export", "--quiet", "--all-chats", "--media", "all", "--max-file-size", "4000MB", "--format", "none", "--out", out_dir.to_str().unwrap()], &session),
        String::new(),
    )
    .await;
    assert!(o.status.success(), "{:?}", text(&o));
    let conn = rusqlite::Connection::open(out_dir.join("store.sqlite")).unwrap();
    let by_dc: Vec<(i32, i64)> = conn
        .prepare("SELECT dc, count(*) FROM files WHERE status = 'done' GROUP BY dc ORDER BY dc")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for want in [1, 3, 4, 5] {
        assert!(by_dc.iter().any(|(d, n)| *d == want && *n > 0), "files downloaded from dc {want}: {by_dc:?}");
    }
    let stats = dc.stats();
    let other_dcs = by_dc.iter().filter(|(d, _)| *d != 4).count() as u64;
    assert_eq!(stats.requests_of("auth.importAuthorization"), other_dcs, "signed in once on each other dc: {by_dc:?}");
    assert_eq!(stats.requests_of("auth.exportAuthorization"), other_dcs);
    for d in [1, 3, 5] {
        assert_eq!(dc.signed_in_as(key_id(&saved, d)), Some(me), "dc {d}");
    }
    assert!(dc.takeouts().iter().any(|t| t.finished == Some(true)));

    let o = run(args(&["logout"], &session), String::new()).await;
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(out.contains("Signed out"), "{out}");
    assert!(!session.exists(), "the session file is deleted");
    for d in [1, 2, 3, 4, 5] {
        assert_eq!(dc.signed_in_as(key_id(&saved, d)), None, "dc {d} signed out");
    }
    let o = run(args(&["whoami"], &session), String::new()).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("tgtakeout login"), "{:?}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_code_or_password_in_any_output_at_trace_level() {
    let dc = five_dcs().await;
    let dir = tmp("secrets");
    let session = dir.join("session.json");
    let fresh = dc.unauthorized_session_file();
    fresh.save(&session).unwrap();
    let code_file = dir.join("code.txt");
    std::fs::write(&code_file, format!("{CODE}\n")).unwrap();
    let password_file = dir.join("password.txt");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();

    let mut outputs = Vec::new();
    let login = login_args(&session, &["-vvv", "--code-file", code_file.to_str().unwrap(), "--password-file", password_file.to_str().unwrap()]);
    // Every crate at trace level (RUST_LOG wins over -vvv), grammers included.
    let o = run_env(login, String::new(), &[("RUST_LOG", "trace")]).await;
    assert!(o.status.success(), "{:?}", text(&o));
    outputs.push(o);
    let out_dir = dir.join("out");
    for (cmd, rust_log) in [
        (args(&["export", "-vvv", "--all-chats", "--media", "all", "--out", out_dir.to_str().unwrap()], &session), None),
        // Every crate at trace level, grammers included: a top-up run, sent through dc 1 to 5 again.
        (args(&["export", "--all-chats", "--media", "all", "--out", out_dir.to_str().unwrap()], &session), Some("trace")),
        (args(&["whoami", "-vvv"], &session), None),
        (args(&["logout", "-vvv"], &session), None),
    ] {
        let env: Vec<(&str, &str)> = rust_log.map(|l| ("RUST_LOG", l)).into_iter().collect();
        let o = run_env(cmd, String::new(), &env).await;
        assert!(o.status.success(), "{:?}", text(&o));
        outputs.push(o);
    }
    let all: String = outputs.iter().map(|o| format!("{}{}", text(o).0, text(o).1)).collect();
    assert!(all.contains("TRACE") || all.contains("DEBUG"), "verbose logging was on");
    // Any file the export wrote that is text (logs, result.json, HTML) too.
    let mut written = String::new();
    for e in walk(&out_dir) {
        if let Ok(t) = std::fs::read_to_string(&e) {
            written.push_str(&t);
        }
    }
    for (dc_id, key) in fresh.dcs.iter().map(|d| (d.id, d.auth_key.as_ref().unwrap().expose())) {
        let hex_key = hex(key);
        let b64 = base64(key);
        for (what, needle) in [("hex", &hex_key[..32]), ("HEX", &hex_key.to_uppercase()[..32]), ("base64", &b64[..32])] {
            assert!(!all.contains(needle), "dc {dc_id}'s key ({what}) in the output");
            assert!(!written.contains(needle), "dc {dc_id}'s key ({what}) in the export");
        }
    }
    assert!(!all.contains(CODE), "the login code in the output");
    assert!(!all.contains(PASSWORD), "the password in the output");
    assert!(!written.contains(PASSWORD));
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else if p.extension().is_some_and(|x| x == "json" || x == "html" || x == "txt" || x == "log") {
                out.push(p);
            }
        }
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..=c.len() {
            s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    s
}
