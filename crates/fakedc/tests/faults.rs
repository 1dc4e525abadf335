//! Injected faults as the real grammers client sees them, each exact and
//! reproducible, and the inspection counters that prove what was sent.
//!
//! Faults count every request fakedc receives, including the
//! initConnection(help.getConfig) a client sends on each new connection.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{ExactClient, Outcome, assert_rpc, in_range, in_takeout, takeout_all, takeout_id};
use fakedc::faults::FaultConfig;
use fakedc::world::{FileKey, Media, Peer, World};
use fakedc::{Config, FakeDc};
use grammers_client::tl;

fn get_self() -> tl::functions::users::GetUsers {
    tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] }
}

/// A fakedc with one client already connected (so later faults meet an
/// open connection, and the first initConnection is behind us).
async fn connected(config: Config) -> (World, FakeDc, ExactClient) {
    let dc = common::start_with(config, common::small_world(2)).await;
    let c = common::client_no_retries(&dc.session_file());
    c.invoke(&get_self()).await.expect("connects");
    (common::small_world(2), dc, c)
}

fn alice_history(world: &World) -> tl::functions::messages::GetHistory {
    let alice = world.resolve_username("fx_alice").unwrap();
    common::get_history(common::input_peer(world, alice), 10)
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let (world, dc, c) = connected(Config::default()).await;
    let latency = Duration::from_millis(300);
    dc.set_faults(FaultConfig { latency, ..FaultConfig::default() });
    for _ in 0..2 {
        let start = Instant::now();
        c.invoke(&get_self()).await.unwrap();
        assert!(start.elapsed() >= latency, "{:?}", start.elapsed());
    }
    let start = Instant::now();
    c.invoke(&alice_history(&world)).await.unwrap();
    assert!(start.elapsed() >= latency, "{:?}", start.elapsed());
    // Errors are answers too, injected or not.
    let start = Instant::now();
    assert_rpc(c.invoke(&in_takeout(42, tl::functions::messages::GetSplitRanges {})).await, 400, "TAKEOUT_INVALID");
    assert!(start.elapsed() >= latency, "{:?}", start.elapsed());
    dc.set_faults(FaultConfig { latency, internal_error_probability: 1.0, ..FaultConfig::default() });
    let start = Instant::now();
    assert_rpc(c.invoke(&get_self()).await, 500, "INTERNAL");
    assert!(start.elapsed() >= latency, "an injected error is delayed like any answer: {:?}", start.elapsed());
}

#[tokio::test]
async fn flood_wait_names_the_real_wait_per_method_class() {
    let (world, dc, c) = connected(Config::default()).await;
    // 0.2 requests a second, a burst of one: the second request in a class
    // must wait 5 s.
    dc.set_faults(FaultConfig { flood_per_sec: Some(0.2), ..FaultConfig::default() });
    c.invoke(&alice_history(&world)).await.unwrap();
    for _ in 0..2 {
        let e = common::rpc_error(c.invoke(&alice_history(&world)).await);
        assert_eq!((e.code, e.name.as_str(), e.value), (420, "FLOOD_WAIT", Some(5)));
    }
    // Wrapped, the inner method's class decides.
    let t = takeout_id(c.invoke(&takeout_all(1 << 20)).await.unwrap());
    let e = common::rpc_error(c.invoke(&in_range(t, (1, i32::MAX), alice_history(&world))).await);
    assert_eq!((e.name.as_str(), e.value), ("FLOOD_WAIT", Some(5)));
    // Other classes have their own buckets (initTakeoutSession took "other"'s token).
    let dialogs = tl::functions::messages::GetDialogs {
        exclude_pinned: false,
        folder_id: None,
        offset_date: 0,
        offset_id: 0,
        offset_peer: tl::enums::InputPeer::Empty,
        limit: 5,
        hash: 0,
    };
    c.invoke(&dialogs).await.unwrap();
    assert_rpc(c.invoke(&dialogs).await, 420, "FLOOD_WAIT_5");
    assert_rpc(c.invoke(&get_self()).await, 420, "FLOOD_WAIT_5");
    let stats = dc.stats();
    assert_eq!(stats.errors_of("FLOOD_WAIT_5"), 5);

    // The wait is real: after sleeping it, the request goes through.
    dc.set_faults(FaultConfig { flood_per_sec: Some(1.0), ..FaultConfig::default() });
    c.invoke(&alice_history(&world)).await.unwrap();
    let e = common::rpc_error(c.invoke(&alice_history(&world)).await);
    assert_eq!((e.name.as_str(), e.value), ("FLOOD_WAIT", Some(1)));
    tokio::time::sleep(Duration::from_secs(e.value.unwrap() as u64)).await;
    c.invoke(&alice_history(&world)).await.unwrap();
}

#[tokio::test]
async fn every_third_request_is_dropped() {
    let (_world, dc, c) = connected(Config::default()).await;
    // Counting from here: 1 ok, 2 ok, 3 dropped; then the reconnection's
    // initConnection is 4, the request 5, 6 dropped; and so on.
    let want = [Outcome::Ok, Outcome::Ok, Outcome::Dropped, Outcome::Ok, Outcome::Dropped, Outcome::Ok, Outcome::Dropped, Outcome::Ok];
    for round in 0..2 {
        dc.set_faults(FaultConfig { drop_every: Some(3), ..FaultConfig::default() });
        let before = dc.stats();
        let mut got = Vec::new();
        for _ in 0..want.len() {
            let r = c.invoke(&get_self()).await;
            got.push(common::outcome(&r));
        }
        assert_eq!(got, want, "round {round}");
        let after = dc.stats();
        assert_eq!(after.requests_of("help.getConfig") - before.requests_of("help.getConfig"), 3, "three reconnections");
        assert_eq!(after.requests_of("users.getUsers") - before.requests_of("users.getUsers"), 8, "dropped requests were received too");
    }
}

/// 60 sequential requests against a fresh fakedc whose faults are drawn
/// from `seed`, from the very first connection on.
async fn seeded_run(seed: u64) -> Vec<Outcome> {
    let faults = FaultConfig { drop_probability: 0.15, internal_error_probability: 0.15, ..FaultConfig::default() };
    let dc = common::start_with(Config { seed, faults, ..Config::default() }, common::small_world(2)).await;
    let c = common::client_no_retries(&dc.session_file());
    let world = common::small_world(2);
    let mut out = Vec::new();
    for i in 0..60 {
        let r = if i % 2 == 0 { common::outcome(&c.invoke(&get_self()).await) } else { common::outcome(&c.invoke(&alice_history(&world)).await) };
        out.push(r);
    }
    let stats = dc.stats();
    let internal = out.iter().filter(|o| **o == Outcome::Rpc(500, "INTERNAL".into())).count() as u64;
    assert_eq!(stats.errors_of("INTERNAL"), internal, "every INTERNAL was counted");
    out
}

#[tokio::test]
async fn seeded_drops_and_internal_errors_reproduce() {
    let a = seeded_run(7).await;
    let b = seeded_run(7).await;
    let other = seeded_run(8).await;
    assert_eq!(a, b, "same seed, same faults");
    assert_ne!(a, other, "another seed, other faults");
    for run in [&a, &other] {
        assert!(run.contains(&Outcome::Ok));
        assert!(run.contains(&Outcome::Dropped));
        assert!(run.contains(&Outcome::Rpc(500, "INTERNAL".into())));
        assert!(run.iter().all(|o| matches!(o, Outcome::Ok | Outcome::Dropped) || *o == Outcome::Rpc(500, "INTERNAL".into())), "{run:?}");
    }
}

#[tokio::test]
async fn takeout_is_invalidated_once_after_n_requests() {
    let (_world, dc, c) = connected(Config::default()).await;
    let first = takeout_id(c.invoke(&takeout_all(1 << 20)).await.unwrap());
    dc.set_faults(FaultConfig { invalidate_takeout_after: Some(3), ..FaultConfig::default() });
    let ranges = |t| in_takeout(t, tl::functions::messages::GetSplitRanges {});
    for i in 0..3 {
        assert!(c.invoke(&ranges(first)).await.is_ok(), "request {} of 3", i + 1);
    }
    assert_rpc(c.invoke(&ranges(first)).await, 400, "TAKEOUT_INVALID");
    assert!(dc.takeouts()[0].invalidated);
    // A new session works, and stays valid: it happens once.
    let second = takeout_id(c.invoke(&takeout_all(1 << 20)).await.unwrap());
    for _ in 0..5 {
        c.invoke(&ranges(second)).await.unwrap();
    }
    assert!(c.invoke(&in_takeout(second, tl::functions::account::FinishTakeoutSession { success: true })).await.unwrap());
    assert_eq!(dc.takeouts()[1].finished, Some(true));
}

/// The location of Saved Messages' exactly_1MiB.bin, with a fresh reference.
async fn one_mib_file(world: &World, c: &ExactClient) -> (tl::enums::InputFileLocation, i64) {
    let saved = Peer::User(world.self_id);
    let (msg, doc) = world
        .history_ids(saved)
        .iter()
        .find_map(|&id| match world.message(saved, id).unwrap().media {
            Some(Media::Document(d)) if d.file_name.as_deref() == Some("exactly_1MiB.bin") => Some((id, d.id)),
            _ => None,
        })
        .unwrap();
    let answer = c
        .invoke(&tl::functions::messages::GetMessages { id: vec![tl::types::InputMessageId { id: msg }.into()] })
        .await
        .unwrap();
    let tl::enums::Message::Message(m) = &common::messages_of(&answer)[0] else { panic!() };
    let Some(tl::enums::MessageMedia::Document(media)) = &m.media else { panic!() };
    let Some(tl::enums::Document::Document(d)) = &media.document else { panic!() };
    assert_eq!(d.id, doc);
    let location = tl::types::InputDocumentFileLocation {
        id: d.id,
        access_hash: d.access_hash,
        file_reference: d.file_reference.clone(),
        thumb_size: String::new(),
    };
    (location.into(), doc)
}

fn part(location: &tl::enums::InputFileLocation, offset: i64, limit: i32) -> tl::functions::upload::GetFile {
    tl::functions::upload::GetFile { precise: false, cdn_supported: false, location: location.clone(), offset, limit }
}

fn bytes(file: tl::enums::upload::File) -> Vec<u8> {
    let tl::enums::upload::File::File(f) = file else { panic!() };
    f.bytes
}

#[tokio::test]
async fn bandwidth_caps_file_bytes_over_all_connections() {
    let (world, dc, c) = connected(Config::default()).await;
    let (location, doc) = one_mib_file(&world, &c).await;
    let cap = 1u64 << 20;
    dc.set_faults(FaultConfig { bandwidth: Some(cap), ..FaultConfig::default() });
    // 512 KiB at 1 MiB/s: at least half a second.
    let start = Instant::now();
    let mut got = Vec::new();
    for offset in [0, 256 << 10] {
        got.extend(bytes(c.invoke(&part(&location, offset, 256 << 10)).await.unwrap()));
    }
    let took = start.elapsed();
    assert!(took >= Duration::from_secs_f64(got.len() as f64 / cap as f64), "{took:?}");
    assert!(got == world.file_bytes(&FileKey::Document { id: doc }, 0, 512 << 10).unwrap());
    // Two clients at once share the cap.
    let c2 = common::client_no_retries(&dc.session_file());
    c2.invoke(&get_self()).await.unwrap(); // connected before the clock starts
    let (pa, pb) = (part(&location, 512 << 10, 256 << 10), part(&location, 768 << 10, 256 << 10));
    let start = Instant::now();
    let (a, b) = tokio::join!(c.invoke(&pa), c2.invoke(&pb));
    let n = bytes(a.unwrap()).len() + bytes(b.unwrap()).len();
    assert_eq!(n, 512 << 10);
    let took = start.elapsed();
    assert!(took >= Duration::from_secs_f64(n as f64 / cap as f64), "{took:?}");
}

#[tokio::test]
async fn stats_count_what_was_sent() {
    let world = common::small_world(2);
    let dc = common::start(common::small_world(2)).await;
    let c = common::client_no_retries(&dc.session_file());
    c.invoke(&get_self()).await.unwrap();
    c.invoke(&get_self()).await.unwrap();
    let t = takeout_id(c.invoke(&takeout_all(1 << 20)).await.unwrap());
    c.invoke(&in_takeout(t, tl::functions::messages::GetSplitRanges {})).await.unwrap();
    c.invoke(&in_range(t, (1, i32::MAX), alice_history(&world))).await.unwrap();
    assert_rpc(c.invoke(&in_takeout(t ^ 1, tl::functions::messages::GetSplitRanges {})).await, 400, "TAKEOUT_INVALID");
    assert_rpc(c.invoke(&tl::functions::messages::GetAllStickers { hash: 0 }).await, 400, "METHOD_NOT_IMPLEMENTED_BY_FAKEDC");
    let private = world.chats.iter().find(|c| c.title == "Left Private Channel").unwrap();
    assert_rpc(c.invoke(&common::get_history(common::input_peer(&world, private.peer()), 5)).await, 400, "CHANNEL_PRIVATE");
    dc.state().faults.drop_next(1);
    assert_eq!(common::outcome(&c.invoke(&get_self()).await), Outcome::Dropped);
    c.invoke(&get_self()).await.unwrap();
    dc.set_faults(FaultConfig { internal_error_probability: 1.0, ..FaultConfig::default() });
    assert_rpc(c.invoke(&in_range(t, (1, i32::MAX), alice_history(&world))).await, 500, "INTERNAL");
    dc.set_faults(FaultConfig::default());
    let (location, _) = one_mib_file(&world, &c).await;
    assert_eq!(bytes(c.invoke(&in_takeout(t, part(&location, 0, 8192))).await.unwrap()).len(), 8192);

    let stats = dc.stats();
    let want: BTreeMap<String, u64> = [
        ("help.getConfig", 2), // the first connection and the one after the drop
        ("users.getUsers", 4), // the dropped one included
        ("account.initTakeoutSession", 1),
        ("invokeWithTakeout", 5),
        ("invokeWithMessagesRange", 2),
        ("messages.getSplitRanges", 2),
        ("messages.getHistory", 3),
        ("messages.getAllStickers", 1),
        ("messages.getMessages", 1),
        ("upload.getFile", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(stats.requests, want);
    let errors: BTreeMap<String, u64> =
        [("TAKEOUT_INVALID", 1), ("METHOD_NOT_IMPLEMENTED_BY_FAKEDC", 1), ("CHANNEL_PRIVATE", 1), ("INTERNAL", 1)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
    assert_eq!(stats.errors, errors);
    assert_eq!(stats.file_bytes_served, 8192);
    assert!(stats.bytes_served > 8192);
    assert_eq!(stats.total_requests(), want.values().sum::<u64>());
}
