//! TelegramApi and the session reader against an in-process fakedc, through
//! the session file fakedc writes, as a user would run tgtakeout.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fakedc::faults::FaultConfig;
use fakedc::world::{World, WorldParams};
use fakedc::{Config, FakeDc};
use grammers_tl_types as tl;
use takeout::api::{self, Api, ApiError};
use takeout_telegram::{ClientOptions, SessionError, SessionFile, TelegramApi};

fn world() -> World {
    World::generate(&WorldParams::preset("small", 1).unwrap())
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let d =
            std::env::temp_dir().join(format!("takeout-telegram-it-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fakedc, and its session file written by fakedc and read back by us.
async fn start(config: Config, name: &str) -> (FakeDc, SessionFile, TempDir) {
    let dc = FakeDc::start(config, world()).await.expect("fakedc starts");
    let dir = TempDir::new(name);
    let path = dir.0.join("session.json");
    dc.session_file().save(&path).unwrap();
    let session = SessionFile::load(&path).unwrap();
    (dc, session, dir)
}

fn get_self() -> tl::functions::users::GetUsers {
    tl::functions::users::GetUsers {
        id: vec![tl::enums::InputUser::UserSelf],
    }
}

fn self_id(users: &[tl::enums::User]) -> i64 {
    match users {
        [tl::enums::User::User(u)] if u.is_self => u.id,
        other => panic!("expected the self user, got {other:?}"),
    }
}

fn key_hex(path: &Path) -> String {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["dcs"][0]["auth_key"].as_str().unwrap().to_string()
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn reads_fakedcs_session_file_and_gets_the_self_user() {
    let (dc, session, dir) = start(Config::default(), "self").await;
    let theirs = dc.session_file();
    // What was read back from disk is exactly what fakedc wrote.
    assert!(session == theirs);
    assert_eq!(session.dcs.len(), 1);
    let ours = &session.dcs[0];
    assert_eq!(
        hex::encode(ours.auth_key.as_ref().unwrap().expose()),
        key_hex(&dir.0.join("session.json"))
    );

    let api = TelegramApi::connect(&session, ClientOptions::new(1)).unwrap();
    let users = api::invoke(&api, &get_self()).await.unwrap();
    assert_eq!(self_id(&users), world().self_id);
    assert_eq!(Some(self_id(&users)), session.user_id);
    // One connection, opened on the first request (initConnection + help.getConfig).
    assert_eq!(dc.stats().requests_of("help.getConfig"), 1);
    let again = api::invoke(&api, &get_self()).await.unwrap();
    assert_eq!(self_id(&again), world().self_id);
    assert_eq!(
        dc.stats().requests_of("help.getConfig"),
        1,
        "the connection is reused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_connections_answer_forty_concurrent_requests() {
    let (dc, session, _dir) = start(Config::default(), "parallel").await;
    dc.set_faults(FaultConfig {
        latency: Duration::from_millis(50),
        ..FaultConfig::default()
    });
    let api = Arc::new(
        TelegramApi::connect(
            &session,
            ClientOptions {
                api_id: 1,
                connections: 4,
            },
        )
        .unwrap(),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let api = Arc::clone(&api);
        tasks.spawn(async move { api::invoke(&*api, &get_self()).await });
    }
    let mut answered = 0;
    while let Some(result) = tasks.join_next().await {
        assert_eq!(self_id(&result.unwrap().unwrap()), world().self_id);
        answered += 1;
    }
    assert_eq!(answered, 40);
    assert_eq!(dc.stats().requests_of("users.getUsers"), 40);
    // Round-robin over four pools: each opened exactly one connection.
    assert_eq!(dc.stats().requests_of("help.getConfig"), 4);
}

#[tokio::test]
async fn rpc_errors_come_back_once_with_name_and_number_split() {
    let (dc, session, _dir) = start(Config::default(), "rpc").await;
    let api = TelegramApi::connect(&session, ClientOptions::new(1)).unwrap();
    let bogus = tl::functions::InvokeWithTakeout {
        takeout_id: 0x5eed,
        query: get_self(),
    };
    let e = api::invoke(&api, &bogus).await.unwrap_err();
    assert_eq!(
        e,
        ApiError::Rpc {
            code: 400,
            name: "TAKEOUT_INVALID".into(),
            value: None
        }
    );
    assert!(e.is("TAKEOUT_INVALID"));

    // 0.2 requests a second with a burst of one: the second must wait 5 s.
    // grammers' default policy would sleep that out and retry; ours must not.
    dc.set_faults(FaultConfig {
        flood_per_sec: Some(0.2),
        ..FaultConfig::default()
    });
    api::invoke(&api, &get_self()).await.unwrap();
    let start = Instant::now();
    let e = api::invoke(&api, &get_self()).await.unwrap_err();
    assert_eq!(
        e,
        ApiError::Rpc {
            code: 420,
            name: "FLOOD_WAIT".into(),
            value: Some(5)
        }
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "no retry inside the client: {:?}",
        start.elapsed()
    );
    assert_eq!(
        dc.stats().errors_of("FLOOD_WAIT_5"),
        1,
        "sent once, not retried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_a_network_error_and_the_next_request_reconnects() {
    let (dc, session, _dir) = start(Config::default(), "drop").await;
    let api = TelegramApi::connect(&session, ClientOptions::new(1)).unwrap();
    api::invoke(&api, &get_self()).await.unwrap();
    for round in 1..=3 {
        dc.state().faults.drop_next(1);
        let e = api::invoke(&api, &get_self()).await.unwrap_err();
        assert!(matches!(e, ApiError::Network(_)), "round {round}: {e:?}");
        let users = api::invoke(&api, &get_self())
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(self_id(&users), world().self_id);
        assert_eq!(
            dc.stats().requests_of("help.getConfig"),
            1 + round,
            "a new connection each time"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drop_under_concurrent_load_fails_only_what_was_on_the_connection() {
    let (dc, session, _dir) = start(Config::default(), "drop-load").await;
    dc.set_faults(FaultConfig {
        latency: Duration::from_millis(100),
        ..FaultConfig::default()
    });
    let api = Arc::new(TelegramApi::connect(&session, ClientOptions::new(1)).unwrap());
    api::invoke(&*api, &get_self()).await.unwrap();
    dc.state().faults.drop_next(1);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let api = Arc::clone(&api);
        tasks.spawn(async move { api::invoke(&*api, &get_self()).await });
    }
    let mut failed = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(users) => assert_eq!(self_id(&users), world().self_id),
            Err(ApiError::Network(_)) => failed += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(failed >= 1, "the dropped request fails");
    // Every later request gets through on the replacement connection.
    for _ in 0..3 {
        api::invoke(&*api, &get_self()).await.unwrap();
    }
}

#[tokio::test]
async fn requests_reach_the_dc_they_are_sent_to() {
    let config = Config {
        dcs: vec![2, 4],
        ..Config::default()
    };
    let (dc, session, _dir) = start(config, "dcs").await;
    assert_eq!(
        session.dcs.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![2, 4]
    );
    let api = TelegramApi::connect(&session, ClientOptions::new(1)).unwrap();
    let body = tl::Serializable::to_bytes(&get_self());
    let answer = api.invoke_raw_in_dc(4, body.clone()).await.unwrap();
    let users: Vec<tl::enums::User> = tl::Deserializable::from_bytes(&answer).unwrap();
    assert_eq!(self_id(&users), world().self_id);
    assert_eq!(
        dc.stats().requests_of("help.getConfig"),
        1,
        "only dc 4 was connected"
    );
    api.invoke_raw(body.clone()).await.unwrap();
    assert_eq!(
        dc.stats().requests_of("help.getConfig"),
        2,
        "then the home dc"
    );

    // A dc the session does not know fails at once, without a connection attempt.
    let e = tokio::time::timeout(Duration::from_secs(5), api.invoke_raw_in_dc(5, body))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&e, ApiError::Network(t) if t.contains("dc 5")),
        "{e:?}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_session_file_others_can_read_is_refused_with_the_fix() {
    let dc = FakeDc::start(Config::default(), world()).await.unwrap();
    let dir = TempDir::new("mode");
    let path = dir.0.join("session.json");
    dc.session_file().save(&path).unwrap();
    chmod(&path, 0o644);
    let e = SessionFile::load(&path).unwrap_err();
    assert!(
        matches!(e, SessionError::NotPrivate { mode: 0o644, .. }),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains(&format!("chmod 600 {}", path.display())),
        "{text}"
    );
    assert!(!text.contains(&key_hex(&path)[..16]), "{text}");
    chmod(&path, 0o600);
    SessionFile::load(&path).unwrap();
}

#[tokio::test]
async fn a_corrupt_session_file_is_refused_without_quoting_its_key() {
    let dc = FakeDc::start(Config::default(), world()).await.unwrap();
    let dir = TempDir::new("corrupt");
    let path = dir.0.join("session.json");
    dc.session_file().save(&path).unwrap();
    let good = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
    let key = key_hex(&path);
    let corruptions = [
        // Cut in the middle of the key.
        good[..good.find(&key).unwrap() + 100].to_string(),
        // One digit of the key is not hex.
        good.replacen(&key, &format!("{}g{}", &key[..200], &key[201..]), 1),
        // The key where the port belongs (serde_json would quote the string).
        good.replacen(
            &format!("\"port\": {}", dc.addr().port()),
            &format!("\"port\": \"{key}\""),
            1,
        ),
        // Not even JSON.
        format!("auth_key={key}\n"),
    ];
    for (i, text) in corruptions.iter().enumerate() {
        std::fs::write(&path, text).unwrap();
        let e = SessionFile::load(&path).unwrap_err();
        assert!(matches!(e, SessionError::Invalid { .. }), "case {i}: {e:?}");
        let message = format!("{e} / {e:?}");
        for window in key.as_bytes().windows(8).step_by(4) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(
                !message.contains(window),
                "case {i} quotes the key: {message}"
            );
        }
    }
}
