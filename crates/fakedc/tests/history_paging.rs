//! messages.getHistory and messages.search through the real grammers client,
//! checked against the world's ground truth with a naive paging model
//! written here from Telegram's rules (not fakedc's `window`).

mod common;

use fakedc::world::{ChatKind, Peer, World, WorldParams};
use grammers_client::tl;

/// Every history at least 125 messages long (0.5× of 250), so pages of 100
/// never hold a whole one.
fn long_world() -> World {
    let params = WorldParams { messages_per_chat: 250, ..WorldParams::preset("small", 11).unwrap() };
    let mut world = World::generate(&params);
    // fx_carol has no private chat: give her a short one (messages.messages).
    let carol = world.resolve_username("fx_carol").unwrap();
    assert_eq!(world.append_messages(carol, 5).len(), 5);
    world
}

/// One private chat, one basic group, one supergroup, one channel.
fn four_peers(world: &World) -> Vec<(&'static str, Peer)> {
    let family = world.chats.iter().find(|c| c.kind == ChatKind::Group && c.title.starts_with("Family")).unwrap();
    vec![
        ("private chat", world.resolve_username("fx_alice").unwrap()),
        ("basic group", family.peer()),
        ("supergroup", world.resolve_username("fx_public_group").unwrap()),
        ("channel", world.resolve_username("fx_public_channel").unwrap()),
    ]
}

#[derive(Clone, Copy, Debug, Default)]
struct Page {
    offset_id: i32,
    offset_date: i32,
    add_offset: i32,
    limit: i32,
    max_id: i32,
    min_id: i32,
}

/// Telegram's history window, the slow obvious way: the history newest
/// first, bounded (exclusively) by max_id and min_id; the anchor is the
/// first message older than offset_id (offset_id wins), else older than
/// offset_date, else the newest; then `limit` (≤ 100) messages starting
/// `add_offset` from the anchor.
fn expected(world: &World, peer: Peer, p: Page) -> Vec<i32> {
    let mut newest_first: Vec<(i32, i32)> = Vec::new();
    for &id in world.history_ids(peer) {
        if (p.max_id == 0 || id < p.max_id) && (p.min_id == 0 || id > p.min_id) {
            newest_first.insert(0, (id, world.message(peer, id).unwrap().date));
        }
    }
    let mut anchor = 0i64;
    if p.offset_id != 0 {
        while (anchor as usize) < newest_first.len() && newest_first[anchor as usize].0 >= p.offset_id {
            anchor += 1;
        }
    } else if p.offset_date != 0 {
        while (anchor as usize) < newest_first.len() && newest_first[anchor as usize].1 >= p.offset_date {
            anchor += 1;
        }
    }
    let mut out = Vec::new();
    let limit = p.limit.min(100) as i64;
    for i in anchor + p.add_offset as i64..anchor + p.add_offset as i64 + limit {
        if i >= 0 && (i as usize) < newest_first.len() {
            out.push(newest_first[i as usize].0);
        }
    }
    out
}

fn request(world: &World, peer: Peer, p: Page) -> tl::functions::messages::GetHistory {
    tl::functions::messages::GetHistory {
        peer: common::input_peer(world, peer),
        offset_id: p.offset_id,
        offset_date: p.offset_date,
        add_offset: p.add_offset,
        limit: p.limit,
        max_id: p.max_id,
        min_id: p.min_id,
        hash: 0,
    }
}

/// The answer's messages carry the world's id, date, direction and text.
#[track_caller]
fn assert_matches_world(world: &World, peer: Peer, answer: &tl::enums::messages::Messages) {
    for m in common::messages_of(answer) {
        let want = world.message(peer, m.id()).unwrap_or_else(|| panic!("{peer:?} has no message {}", m.id()));
        match m {
            tl::enums::Message::Message(m) => {
                assert!(want.action.is_none(), "message {} should be a service message", m.id);
                assert_eq!((m.date, m.out, m.message.as_str(), m.edit_date), (want.date, want.out, want.text.as_str(), want.edit_date));
                assert_eq!(m.peer_id, fakedc::tl::peer(peer));
            }
            tl::enums::Message::Service(m) => {
                assert!(want.action.is_some(), "message {} should not be a service message", m.id);
                assert_eq!((m.date, m.out), (want.date, want.out));
            }
            tl::enums::Message::Empty(m) => panic!("messageEmpty {} in a history", m.id),
        }
    }
}

/// Telegram's paging hash (core.telegram.org/api/offsets), over each
/// message's id and edit date.
fn telegram_hash(answer: &tl::enums::messages::Messages) -> i64 {
    let mut h: u64 = 0;
    for m in common::messages_of(answer) {
        let edit = match m {
            tl::enums::Message::Message(m) => m.edit_date.unwrap_or(0),
            _ => 0,
        };
        for v in [m.id() as u64, edit as u64] {
            h ^= h >> 21;
            h ^= h << 35;
            h ^= h >> 4;
            h = h.wrapping_add(v);
        }
    }
    h as i64
}

#[tokio::test]
async fn history_windows_match_a_naive_model() {
    let world = long_world();
    let peers = four_peers(&world);
    let dc = common::start(long_world()).await;
    let (client, _runner) = common::client(&dc.session_file());

    for (kind, peer) in peers {
        let ids = world.history_ids(peer).to_vec();
        let n = ids.len();
        assert!(n > 120, "{kind}: a history longer than a page ({n})");
        let date = |i: usize| world.message(peer, ids[i]).unwrap().date;
        let cases: Vec<(&str, Page)> = vec![
            ("newest page", Page { limit: 20, ..Page::default() }),
            ("offset_id", Page { offset_id: ids[n / 2], limit: 10, ..Page::default() }),
            ("offset_id not a message id", Page { offset_id: ids[n / 2] + 1, limit: 10, ..Page::default() }),
            ("offset_date", Page { offset_date: date(n / 3), limit: 10, ..Page::default() }),
            ("offset_date between messages", Page { offset_date: date(n / 3) + 1, limit: 10, ..Page::default() }),
            ("offset_id wins over offset_date", Page { offset_id: ids[n / 2], offset_date: date(n - 5), limit: 10, ..Page::default() }),
            ("positive add_offset", Page { offset_id: ids[n / 2], add_offset: 5, limit: 10, ..Page::default() }),
            ("add_offset from the top", Page { add_offset: 7, limit: 3, ..Page::default() }),
            ("window straddling the anchor", Page { offset_id: ids[n / 2], add_offset: -3, limit: 7, ..Page::default() }),
            ("reverse from the start", Page { offset_id: 1, add_offset: -10, limit: 10, ..Page::default() }),
            ("max_id and min_id", Page { max_id: ids[n - 10], min_id: ids[10], limit: 100, ..Page::default() }),
            ("max_id, min_id and offset_id", Page { offset_id: ids[n / 2], max_id: ids[n - 10], min_id: ids[n / 2 - 4], limit: 100, ..Page::default() }),
            ("limit capped at 100", Page { limit: 1000, ..Page::default() }),
            ("past the oldest", Page { offset_id: ids[0], limit: 10, ..Page::default() }),
            ("limit zero", Page { limit: 0, ..Page::default() }),
        ];
        for (what, page) in cases {
            let want = expected(&world, peer, page);
            let got = client.invoke(&request(&world, peer, page)).await.unwrap();
            assert_eq!(common::ids_of(&got), want, "{kind}: {what} {page:?}");
            assert_matches_world(&world, peer, &got);
            // The answer's type and count.
            use tl::enums::messages::Messages as M;
            match (&got, peer) {
                (M::ChannelMessages(m), Peer::Channel(_)) => assert_eq!(m.count, n as i32, "{kind}: {what}"),
                (M::Slice(m), Peer::User(_) | Peer::Chat(_)) => assert_eq!(m.count, n as i32, "{kind}: {what}"),
                (other, _) => panic!("{kind}: {what}: wrong answer type {other:?}"),
            }
        }
        // The offset_id + offset_date case proves something only if the
        // date alone would anchor elsewhere.
        let by_date = expected(&world, peer, Page { offset_date: date(n - 5), limit: 10, ..Page::default() });
        assert_ne!(by_date, expected(&world, peer, Page { offset_id: ids[n / 2], limit: 10, ..Page::default() }));
        assert_eq!(expected(&world, peer, Page { limit: 1000, ..Page::default() }).len(), 100);
    }
    assert!(dc.stats().errors.is_empty(), "{:?}", dc.stats());
}

#[tokio::test]
async fn oldest_to_newest_walk_returns_every_message_once() {
    let world = long_world();
    let dc = common::start(long_world()).await;
    let (client, _runner) = common::client(&dc.session_file());
    let mut peers = four_peers(&world);
    peers.push(("saved messages", Peer::User(world.self_id)));
    let mut requests = 0;
    for (kind, peer) in peers {
        let mut walked: Vec<i32> = Vec::new();
        let mut last = 0;
        loop {
            let page = Page { offset_id: last + 1, add_offset: -100, limit: 100, ..Page::default() };
            let got = client.invoke(&request(&world, peer, page)).await.unwrap();
            requests += 1;
            let ids = common::ids_of(&got);
            assert!(ids.windows(2).all(|w| w[0] > w[1]), "{kind}: a page is newest first: {ids:?}");
            assert_matches_world(&world, peer, &got);
            if ids.is_empty() {
                break;
            }
            walked.extend(ids.iter().rev());
            last = walked[walked.len() - 1];
        }
        assert_eq!(walked, world.history_ids(peer), "{kind}: every message once, oldest to newest");
        // The Telethon reverse=True form starts the same way.
        let first = client.invoke(&request(&world, peer, Page { offset_id: 1, add_offset: -100, limit: 100, ..Page::default() })).await.unwrap();
        let mut first = common::ids_of(&first);
        first.reverse();
        assert_eq!(first, world.history_ids(peer)[..100]);
        requests += 1;
    }
    assert_eq!(dc.stats().requests_of("messages.getHistory"), requests);
}

#[tokio::test]
async fn answer_types_and_not_modified() {
    let world = long_world();
    let dc = common::start(long_world()).await;
    let (client, _runner) = common::client(&dc.session_file());
    use tl::enums::messages::Messages as M;

    // A history that fits one page: messages.messages, all of it.
    let carol = world.resolve_username("fx_carol").unwrap();
    let got = client.invoke(&request(&world, carol, Page { limit: 100, ..Page::default() })).await.unwrap();
    let M::Messages(m) = &got else { panic!("a whole history is messages.messages: {got:?}") };
    assert_eq!(m.messages.len(), 5);
    assert!(m.users.iter().any(|u| u.id() == carol.id()), "the peer travels with its messages");
    // The same short history, but a page that does not hold it: a slice.
    let got = client.invoke(&request(&world, carol, Page { limit: 2, ..Page::default() })).await.unwrap();
    let M::Slice(s) = &got else { panic!("a partial page is messagesSlice: {got:?}") };
    assert_eq!((s.count, s.messages.len()), (5, 2));

    for (kind, peer) in four_peers(&world) {
        let page = Page { offset_id: world.history_ids(peer)[50], limit: 20, ..Page::default() };
        let first = client.invoke(&request(&world, peer, page)).await.unwrap();
        let hash = telegram_hash(&first);
        let mut again = request(&world, peer, page);
        again.hash = hash;
        match client.invoke(&again).await.unwrap() {
            M::NotModified(nm) => assert_eq!(nm.count, world.history_ids(peer).len() as i32, "{kind}"),
            other => panic!("{kind}: the same page with its hash is messagesNotModified, got {other:?}"),
        }
        // A wrong hash gets the page.
        again.hash = hash ^ 1;
        assert_eq!(common::ids_of(&client.invoke(&again).await.unwrap()), common::ids_of(&first), "{kind}");
        // An edit inside the page changes the hash: the page comes back.
        let edited = common::ids_of(&first)[3];
        let edit_date = world.message(peer, edited).unwrap().date + 100;
        let editable = dc.with_world(|w| w.edit_message(peer, edited, "edited by the test", edit_date));
        if editable {
            again.hash = hash;
            let got = client.invoke(&again).await.unwrap();
            assert!(!matches!(got, M::NotModified(_)), "{kind}: an edited page is modified");
            let m = common::messages_of(&got).iter().find(|m| m.id() == edited).unwrap();
            let tl::enums::Message::Message(m) = m else { panic!() };
            assert_eq!((m.message.as_str(), m.edit_date), ("edited by the test", Some(edit_date)));
        }
    }
}

fn is_mine(world: &World, peer: Peer, id: i32) -> bool {
    let m = world.message(peer, id).unwrap();
    m.out || m.from == Some(Peer::User(world.self_id))
}

#[tokio::test]
async fn search_from_self_finds_exactly_the_accounts_messages() {
    let world = long_world();
    let dc = common::start(long_world()).await;
    let (client, _runner) = common::client(&dc.session_file());
    let mut peers = four_peers(&world);
    peers.push(("saved messages", Peer::User(world.self_id)));
    let self_hash = world.self_user().access_hash;
    let mut found_any = 0;
    for (kind, peer) in peers {
        let want: Vec<i32> = world.history_ids(peer).iter().rev().copied().filter(|&id| is_mine(&world, peer, id)).collect();
        // Newest to oldest, 30 a page, offset_id = the oldest seen.
        for from in [tl::enums::InputPeer::PeerSelf, tl::types::InputPeerUser { user_id: world.self_id, access_hash: self_hash }.into()] {
            let mut got: Vec<i32> = Vec::new();
            let mut offset_id = 0;
            loop {
                let answer = client
                    .invoke(&tl::functions::messages::Search {
                        peer: common::input_peer(&world, peer),
                        q: String::new(),
                        from_id: Some(from.clone()),
                        saved_peer_id: None,
                        saved_reaction: None,
                        top_msg_id: None,
                        filter: tl::enums::MessagesFilter::InputMessagesFilterEmpty,
                        min_date: 0,
                        max_date: 0,
                        offset_id,
                        add_offset: 0,
                        limit: 30,
                        max_id: 0,
                        min_id: 0,
                        hash: 0,
                    })
                    .await
                    .unwrap();
                assert_matches_world(&world, peer, &answer);
                let count = match &answer {
                    tl::enums::messages::Messages::Messages(m) => m.messages.len() as i32,
                    tl::enums::messages::Messages::Slice(m) => m.count,
                    tl::enums::messages::Messages::ChannelMessages(m) => m.count,
                    other => panic!("{other:?}"),
                };
                assert_eq!(count, want.len() as i32, "{kind}: the count is of my messages");
                let ids = common::ids_of(&answer);
                if ids.is_empty() {
                    break;
                }
                got.extend(&ids);
                offset_id = *ids.last().unwrap();
            }
            assert_eq!(got, want, "{kind}: exactly my messages, newest first");
        }
        found_any += want.len();
    }
    assert!(found_any > 50, "the account wrote something: {found_any}");
    // Other forms are refused loudly rather than answered wrongly.
    let alice = world.resolve_username("fx_alice").unwrap();
    let err = client
        .invoke(&tl::functions::messages::Search {
            peer: common::input_peer(&world, alice),
            q: "hello".into(),
            from_id: None,
            saved_peer_id: None,
            saved_reaction: None,
            top_msg_id: None,
            filter: tl::enums::MessagesFilter::InputMessagesFilterEmpty,
            min_date: 0,
            max_date: 0,
            offset_id: 0,
            add_offset: 0,
            limit: 30,
            max_id: 0,
            min_id: 0,
            hash: 0,
        })
        .await;
    assert_eq!(common::rpc_error(err).code, 400);
}
