//! The engine against an in-process fakedc through the real grammers
//! client: what lands in the store is exactly the world's data of the kinds
//! asked for, resumes and top-ups fetch nothing twice, and faults do not
//! change the result.

use std::collections::BTreeSet;
use std::sync::Arc;

use fakedc::world::{ChatKind, Peer, World, WorldParams};
use fakedc::{Config, FakeDc};
use takeout::options::{ChatType, ExportOptions, Flags};
use takeout::progress::Silent;
use takeout::Store;
use takeout_telegram::{ClientOptions, SessionFile, TelegramApi};

fn world() -> World {
    World::generate(&WorldParams::preset("small", 5).unwrap())
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("takeout-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn run(dc: &FakeDc, dir: &std::path::Path, options: &ExportOptions) -> Result<(takeout::Summary, Store), takeout::ExportError> {
    let path = dir.join("session.json");
    dc.session_file().save(&path).unwrap();
    let session = SessionFile::load(&path).unwrap();
    let api = TelegramApi::connect(&session, ClientOptions { api_id: 1, connections: 1 }).unwrap();
    let store = Store::open(&dir.join("store.sqlite")).unwrap();
    takeout::export(api, store, options, Arc::new(Silent)).await
}

fn peer_key(p: Peer) -> String {
    match p {
        Peer::User(id) => format!("user{id}"),
        Peer::Chat(id) => format!("chat{id}"),
        Peer::Channel(id) => format!("channel{id}"),
    }
}

/// The chat type Telegram Desktop would give a world peer.
fn chat_type(w: &World, p: Peer) -> ChatType {
    match p {
        Peer::User(id) if id == w.self_id => ChatType::SavedMessages,
        Peer::User(id) if w.user(id).unwrap().bot => ChatType::BotChat,
        Peer::User(_) => ChatType::PersonalChat,
        Peer::Chat(_) => ChatType::PrivateGroup,
        Peer::Channel(id) => {
            let c = w.chat(id).unwrap();
            match (c.kind, c.is_public()) {
                (ChatKind::Supergroup, true) => ChatType::PublicSupergroup,
                (ChatKind::Supergroup, false) => ChatType::PrivateSupergroup,
                (_, true) => ChatType::PublicChannel,
                (_, false) => ChatType::PrivateChannel,
            }
        }
    }
}

/// Ground truth: every message of the dialogs whose type the flags allow,
/// plus the account's own messages in the chats it left.
fn expected(w: &World, flags: &Flags, left: bool) -> BTreeSet<(String, i32)> {
    let mut out = BTreeSet::new();
    for p in w.dialogs() {
        if chat_type(w, p).allowed_by(flags) {
            for &id in w.history_ids(p) {
                out.insert((peer_key(p), id));
            }
        }
    }
    if left {
        for c in w.left_channels() {
            let p = c.peer();
            if chat_type(w, p).allowed_by(flags) {
                for &id in w.history_ids(p) {
                    let m = w.message(p, id).unwrap();
                    if m.out || m.from == Some(Peer::User(w.self_id)) {
                        out.insert((peer_key(p), id));
                    }
                }
            }
        }
    }
    out
}

fn stored(s: &Store) -> BTreeSet<(String, i32)> {
    s.message_keys().unwrap().into_iter().collect()
}

#[tokio::test]
async fn every_flag_alone_all_and_none() {
    let w = world();
    let none = Flags::default();
    let all = Flags { contacts: true, message_users: true, message_chats: true, message_megagroups: true, message_channels: true, files: true, file_max_size: 1 << 20 };
    let mut cases = vec![("none", none), ("all", all)];
    for (name, f) in [
        ("contacts", Flags { contacts: true, ..none }),
        ("users", Flags { message_users: true, ..none }),
        ("chats", Flags { message_chats: true, ..none }),
        ("megagroups", Flags { message_megagroups: true, ..none }),
        ("channels", Flags { message_channels: true, ..none }),
        ("files", Flags { files: true, file_max_size: 1 << 20, ..none }),
    ] {
        cases.push((name, f));
    }
    for (name, flags) in cases {
        let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
        let dir = tmp(&format!("flags-{name}"));
        let options = ExportOptions::from_flags(flags);
        let (summary, store) = run(&dc, &dir, &options).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = expected(&w, &flags, true);
        let got = stored(&store);
        assert_eq!(got.len(), want.len(), "{name}: message count");
        assert!(got == want, "{name}: stored messages differ from the world's");
        assert_eq!(summary.messages_total as usize, want.len(), "{name}");
        // Contacts only with the contacts flag.
        assert_eq!(!store.items("saved_contact").unwrap().is_empty(), flags.contacts, "{name}: saved contacts");
        // Flags recorded by the server exactly as asked.
        let t = dc.takeouts();
        let f = t.last().unwrap().flags;
        assert_eq!(
            (f.contacts, f.message_users, f.message_chats, f.message_megagroups, f.message_channels, f.files),
            (flags.contacts, flags.message_users, flags.message_chats, flags.message_megagroups, flags.message_channels, flags.files),
            "{name}"
        );
        assert_eq!(t.last().unwrap().finished, Some(true), "{name}: finished with success");
    }
}

#[tokio::test]
async fn stored_fields_match_the_world() {
    let w = world();
    let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
    let dir = tmp("fields");
    let all = Flags { contacts: true, message_users: true, message_chats: true, message_megagroups: true, message_channels: true, files: false, file_max_size: 0 };
    let (summary, store) = run(&dc, &dir, &ExportOptions::from_flags(all)).await.unwrap();
    // Every forum's topic list.
    let topics: usize = w.chats.iter().filter(|c| c.forum && !c.left).map(|c| c.topics.len()).sum();
    assert!(topics >= 3);
    assert_eq!(store.items("forum_topic").unwrap().len(), topics);
    assert_eq!(summary.forum_topics as usize, topics);
    for p in w.dialogs() {
        let rows = store.messages_of(&peer_key(p)).unwrap();
        assert_eq!(rows.len(), w.history_ids(p).len(), "{p:?}");
        for r in rows {
            let m = w.message(p, r.id).unwrap();
            assert_eq!(r.date, m.date);
            assert_eq!(r.text, m.text);
            assert_eq!(r.out, m.out);
            assert_eq!(r.edit_date, m.edit_date);
            assert_eq!(r.service, m.action.is_some());
            assert!(!r.raw.is_empty());
        }
    }
}

#[tokio::test]
async fn incremental_fetches_only_what_is_new() {
    let w = world();
    let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
    let dir = tmp("incremental");
    let flags = Flags { message_users: true, message_chats: true, message_megagroups: true, message_channels: true, ..Flags::default() };
    let options = ExportOptions::from_flags(flags);
    let (first, _) = run(&dc, &dir, &options).await.unwrap();
    assert!(first.messages_total > 0);

    // Nothing new: not one history request.
    let before = dc.stats();
    let (again, _) = run(&dc, &dir, &options).await.unwrap();
    let after = dc.stats();
    assert_eq!(again.messages_total, 0);
    assert_eq!(after.requests_of("messages.getHistory"), before.requests_of("messages.getHistory"));

    // New messages in two chats: one history request each, exactly the new ones stored.
    let dialogs = w.dialogs();
    let (a, b) = (dialogs[0], dialogs[dialogs.len() - 1]);
    let new_a = dc.with_world(|w| w.append_messages(a, 5));
    let new_b = dc.with_world(|w| w.append_messages(b, 150));
    let before = dc.stats();
    let (third, store) = run(&dc, &dir, &options).await.unwrap();
    let after = dc.stats();
    assert_eq!(third.messages_total as usize, new_a.len() + new_b.len());
    let history = after.requests_of("messages.getHistory") - before.requests_of("messages.getHistory");
    assert_eq!(history, 1 + 2, "5 new: one page; 150 new: two pages");
    let keys = stored(&store);
    for id in new_a {
        assert!(keys.contains(&(peer_key(a), id)));
    }
    let want = expected(&dc.with_world(|w| w.clone()), &flags, true);
    assert!(keys == want, "after the top-up the store equals the world");
}

#[tokio::test]
async fn faults_do_not_change_the_result() {
    // Busy enough (hundreds of requests) for every fault to fire.
    let mut params = WorldParams::preset("small", 5).unwrap();
    params.messages_per_chat = 400;
    let w = World::generate(&params);
    let flags = Flags { contacts: true, message_users: true, message_chats: true, message_megagroups: true, message_channels: true, ..Flags::default() };
    let options = ExportOptions::from_flags(flags);
    let clean = {
        let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
        let (_, s) = run(&dc, &tmp("clean"), &options).await.unwrap();
        stored(&s)
    };
    let faults = fakedc::faults::FaultConfig {
        flood_per_sec: Some(40.0),
        drop_every: Some(50),
        internal_error_probability: 0.02,
        invalidate_takeout_after: Some(30),
        ..Default::default()
    };
    let dc = FakeDc::start(Config { faults, seed: 9, ..Config::default() }, w.clone()).await.unwrap();
    let (_, s) = run(&dc, &tmp("faulty"), &options).await.unwrap();
    let stats = dc.stats();
    assert!(stats.errors_of("INTERNAL") > 0, "{stats:?}");
    assert!(stats.errors_of("FLOOD_WAIT_1") > 0, "{stats:?}");
    assert!(stats.requests_of("help.getConfig") >= 3, "connections were dropped and re-made: {stats:?}");
    assert!(stats.errors_of("TAKEOUT_INVALID") >= 1, "{stats:?}");
    assert!(dc.takeouts().len() >= 2, "a new takeout was opened after the invalidation");
    assert!(stored(&s) == clean, "a faulty run stores exactly what a clean one does");
}

#[tokio::test]
async fn only_my_messages_selection_and_dates() {
    let w = world();
    let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
    let flags = Flags { message_users: true, message_chats: true, message_megagroups: true, message_channels: true, ..Flags::default() };

    // Only my messages in groups.
    let mut o = ExportOptions::from_flags(flags);
    o.only_mine = [ChatType::PrivateGroup, ChatType::PrivateSupergroup, ChatType::PublicSupergroup].into();
    let (_, s) = run(&dc, &tmp("mine"), &o).await.unwrap();
    for p in w.dialogs() {
        let t = chat_type(&w, p);
        let rows = s.messages_of(&peer_key(p)).unwrap();
        if o.only_mine.contains(&t) {
            let want: Vec<i32> = w.history_ids(p).iter().copied().filter(|&id| {
                let m = w.message(p, id).unwrap();
                m.out || m.from == Some(Peer::User(w.self_id))
            }).collect();
            assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), want, "{p:?}");
        } else {
            assert_eq!(rows.len(), w.history_ids(p).len(), "{p:?}");
        }
    }

    // Chat selection by @username, include and exclude.
    let mut o = ExportOptions::from_flags(flags);
    o.include = vec![takeout::options::Selector::parse("@fx_alice"), takeout::options::Selector::parse("@fx_public_channel")];
    let (_, s) = run(&dc, &tmp("select"), &o).await.unwrap();
    let peers: BTreeSet<String> = stored(&s).into_iter().map(|(p, _)| p).collect();
    let alice = peer_key(w.resolve_username("fx_alice").unwrap());
    let chan = peer_key(w.resolve_username("fx_public_channel").unwrap());
    assert_eq!(peers, [alice.clone(), chan].into());
    let mut o2 = ExportOptions::from_flags(flags);
    o2.exclude = vec![takeout::options::Selector::parse("@fx_alice")];
    let (_, s) = run(&dc, &tmp("exclude"), &o2).await.unwrap();
    assert!(!stored(&s).iter().any(|(p, _)| *p == alice));

    // A selector that matches nothing is an error, not a silent empty export.
    let mut o3 = ExportOptions::from_flags(flags);
    o3.include = vec![takeout::options::Selector::parse("@nobody_here")];
    assert!(matches!(run(&dc, &tmp("nomatch"), &o3).await, Err(takeout::ExportError::NoMatch(_))));

    // Date range over the whole account.
    let dates: Vec<i32> = w.dialogs().iter().flat_map(|&p| w.history_ids(p).iter().map(move |&id| (p, id))).map(|(p, id)| w.message(p, id).unwrap().date).collect();
    let (lo, hi) = (dates.iter().min().unwrap(), dates.iter().max().unwrap());
    let (since, until) = (lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3);
    let mut o4 = ExportOptions::from_flags(flags);
    o4.since = Some(since);
    o4.until = Some(until);
    let (_, s) = run(&dc, &tmp("dates"), &o4).await.unwrap();
    let mut want = BTreeSet::new();
    for p in w.dialogs() {
        for &id in w.history_ids(p) {
            let d = w.message(p, id).unwrap().date;
            if d >= since && d <= until {
                want.insert((peer_key(p), id));
            }
        }
    }
    let got: BTreeSet<_> = stored(&s).into_iter().filter(|(p, _)| w.dialogs().iter().any(|&d| peer_key(d) == *p)).collect();
    assert!(got == want, "date range: {} stored vs {} expected", got.len(), want.len());
}

#[tokio::test]
async fn refresh_edits_fetches_only_changed_pages() {
    let w = world();
    let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
    let dir = tmp("edits");
    let flags = Flags { message_users: true, message_chats: true, message_megagroups: true, message_channels: true, ..Flags::default() };
    let mut options = ExportOptions::from_flags(flags);
    run(&dc, &dir, &options).await.unwrap();

    // Nothing edited: every page answers notModified.
    options.refresh_edits = true;
    let (s, _) = run(&dc, &dir, &options).await.unwrap();
    assert_eq!(s.pages_refreshed, 0);

    // Two edits in one chat: exactly the pages holding them come back.
    let alice = w.resolve_username("fx_alice").unwrap();
    let ids = w.history_ids(alice).to_vec();
    let (a, b) = (ids[1], ids[ids.len() - 2]);
    let now = 1_900_000_000;
    dc.with_world(|w| {
        assert!(w.edit_message(alice, a, "edited one", now));
        assert!(w.edit_message(alice, b, "edited two", now));
    });
    let (s, store) = run(&dc, &dir, &options).await.unwrap();
    let pages: std::collections::BTreeSet<usize> = [a, b].iter().map(|id| ids.iter().position(|x| x == id).unwrap() / 100).collect();
    assert_eq!(s.pages_refreshed as usize, pages.len());
    let rows = store.messages_of(&peer_key(alice)).unwrap();
    let get = |id| rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!((get(a).text.as_str(), get(a).edit_date), ("edited one", Some(now)));
    assert_eq!((get(b).text.as_str(), get(b).edit_date), ("edited two", Some(now)));
    assert_eq!(stored(&store).len(), expected(&w, &flags, true).len(), "nothing doubled");
}

#[tokio::test]
async fn many_dialogs_in_every_split_range() {
    // Over 100 dialogs with messages in each of several ranges: every
    // range's dialog list takes more than one page.
    let mut params = WorldParams::preset("small", 8).unwrap();
    params.private_chats = 240;
    params.messages_per_chat = 12;
    let w = World::generate(&params);
    let dc = FakeDc::start(Config { split_size: 900, ..Config::default() }, w.clone()).await.unwrap();
    let flags = Flags { message_users: true, message_chats: true, message_megagroups: true, message_channels: true, ..Flags::default() };
    let (_, store) = run(&dc, &tmp("many"), &ExportOptions::from_flags(flags)).await.unwrap();
    let ranges = w.max_common_id() / 900 + 1;
    assert!(ranges >= 3, "several ranges: {ranges}");
    assert!(dc.stats().requests_of("messages.getDialogs") as i32 > ranges, "some range needed a second page");
    let want = expected(&w, &flags, true);
    let got = stored(&store);
    assert_eq!(got.len(), want.len());
    assert!(got == want);
}
