//! The takeout API through the real grammers client: split ranges, the
//! dialog list, takeout session rules, every export method against the
//! world, and upload.getFile with Telegram's rules.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{ExactClient, assert_rpc, in_range, in_takeout, input_peer, takeout_all, takeout_id};
use fakedc::Config;
use fakedc::world::{ChatKind, FileKey, Media, Peer, World};
use grammers_client::tl;

const ALL: (i32, i32) = (1, i32::MAX);
const MIB: i64 = 1 << 20;

fn world() -> World {
    common::small_world(3)
}

async fn setup(config: Config) -> (World, fakedc::FakeDc, ExactClient) {
    let dc = common::start_with(config, world()).await;
    let client = common::client_no_retries(&dc.session_file());
    (world(), dc, client)
}

async fn init(c: &ExactClient, request: tl::functions::account::InitTakeoutSession) -> i64 {
    takeout_id(c.invoke(&request).await.expect("takeout starts"))
}

fn world_peer(p: &tl::enums::Peer) -> Peer {
    match p {
        tl::enums::Peer::User(u) => Peer::User(u.user_id),
        tl::enums::Peer::Chat(c) => Peer::Chat(c.chat_id),
        tl::enums::Peer::Channel(c) => Peer::Channel(c.channel_id),
    }
}

fn message_peer(m: &tl::enums::Message) -> Peer {
    match m {
        tl::enums::Message::Message(m) => world_peer(&m.peer_id),
        tl::enums::Message::Service(m) => world_peer(&m.peer_id),
        tl::enums::Message::Empty(m) => panic!("messageEmpty {}", m.id),
    }
}

/// The InputPeer a client builds from an answer's users and chats.
fn input_from(users: &[tl::enums::User], chats: &[tl::enums::Chat], peer: Peer) -> tl::enums::InputPeer {
    match peer {
        Peer::User(id) => {
            let u = users.iter().find_map(|u| match u {
                tl::enums::User::User(u) if u.id == id => Some(u),
                _ => None,
            });
            let u = u.unwrap_or_else(|| panic!("user {id} missing from the answer"));
            tl::types::InputPeerUser { user_id: id, access_hash: u.access_hash.expect("access hash") }.into()
        }
        Peer::Chat(id) => {
            assert!(chats.iter().any(|c| c.id() == id), "chat {id} missing from the answer");
            tl::types::InputPeerChat { chat_id: id }.into()
        }
        Peer::Channel(id) => {
            let hash = chats.iter().find_map(|c| match c {
                tl::enums::Chat::Channel(c) if c.id == id => c.access_hash,
                tl::enums::Chat::ChannelForbidden(c) if c.id == id => Some(c.access_hash),
                _ => None,
            });
            tl::types::InputPeerChannel { channel_id: id, access_hash: hash.expect("channel in the answer") }.into()
        }
    }
}

#[derive(Debug)]
struct SeenDialog {
    peer: Peer,
    top: i32,
    top_date: i32,
    input: tl::enums::InputPeer,
}

/// Every dialog of a range, `limit` a page, continuing after the last
/// dialog seen (offset_peer, offset_id and offset_date, as clients send).
/// Returns the dialogs and the counts the pages reported.
async fn all_dialogs(c: &ExactClient, takeout: i64, range: (i32, i32), limit: i32) -> (Vec<SeenDialog>, Vec<i32>) {
    let mut seen: Vec<SeenDialog> = Vec::new();
    let mut counts = Vec::new();
    loop {
        let (offset_peer, offset_id, offset_date) = match seen.last() {
            Some(d) => (d.input.clone(), d.top, d.top_date),
            None => (tl::enums::InputPeer::Empty, 0, 0),
        };
        let req = tl::functions::messages::GetDialogs {
            exclude_pinned: false,
            folder_id: None,
            offset_date,
            offset_id,
            offset_peer,
            limit,
            hash: 0,
        };
        let answer = c.invoke(&in_range(takeout, range, req)).await.unwrap();
        let (dialogs, messages, chats, users, whole) = match answer {
            tl::enums::messages::Dialogs::Dialogs(d) => (d.dialogs, d.messages, d.chats, d.users, true),
            tl::enums::messages::Dialogs::Slice(d) => {
                counts.push(d.count);
                (d.dialogs, d.messages, d.chats, d.users, false)
            }
            other => panic!("{other:?}"),
        };
        assert!(dialogs.len() <= limit as usize);
        if dialogs.is_empty() {
            break;
        }
        for d in &dialogs {
            let tl::enums::Dialog::Dialog(d) = d else { panic!("{d:?}") };
            let peer = world_peer(&d.peer);
            let top = messages
                .iter()
                .find(|m| m.id() == d.top_message && message_peer(m) == peer)
                .unwrap_or_else(|| panic!("top message {} of {peer:?} missing", d.top_message));
            let top_date = match top {
                tl::enums::Message::Message(m) => m.date,
                tl::enums::Message::Service(m) => m.date,
                tl::enums::Message::Empty(_) => unreachable!(),
            };
            seen.push(SeenDialog { peer, top: d.top_message, top_date, input: input_from(&users, &chats, peer) });
        }
        if whole {
            assert_eq!(seen.len(), dialogs.len(), "messages.dialogs only for a page holding every dialog");
            break;
        }
    }
    (seen, counts)
}

/// A history oldest to newest inside a range, 100 a page, as Telegram
/// Desktop walks it.
async fn walk_history(c: &ExactClient, takeout: i64, range: (i32, i32), peer: tl::enums::InputPeer) -> Vec<i32> {
    let mut out: Vec<i32> = Vec::new();
    loop {
        let last = out.last().copied().unwrap_or(0);
        let req = tl::functions::messages::GetHistory {
            peer: peer.clone(),
            offset_id: last + 1,
            offset_date: 0,
            add_offset: -100,
            limit: 100,
            max_id: 0,
            min_id: 0,
            hash: 0,
        };
        let page = c.invoke(&in_range(takeout, range, req)).await.unwrap();
        let ids = common::ids_of(&page);
        if ids.is_empty() {
            return out;
        }
        out.extend(ids.iter().rev());
    }
}

async fn split_ranges(c: &ExactClient, takeout: i64) -> Vec<(i32, i32)> {
    let ranges = c.invoke(&in_takeout(takeout, tl::functions::messages::GetSplitRanges {})).await.unwrap();
    ranges.iter().map(|tl::enums::MessageRange::Range(r)| (r.min_id, r.max_id)).collect()
}

#[tokio::test]
async fn split_ranges_partition_ids_and_reach_every_message_once() {
    let (world, dc, c) = setup(Config { split_size: 200, ..Config::default() }).await;
    let t = init(&c, takeout_all(8 * MIB)).await;
    let ranges = split_ranges(&c, t).await;
    assert!(ranges.len() >= 3, "a small world cut every 200 ids: {ranges:?}");
    assert_eq!(ranges[0].0, 1);
    assert_eq!(ranges.last().unwrap().1, i32::MAX);
    for (i, w) in ranges.windows(2).enumerate() {
        assert_eq!(w[0].1 + 1, w[1].0, "range {i} and {} touch", i + 1);
    }
    for &(lo, hi) in &ranges[..ranges.len() - 1] {
        assert_eq!(hi - lo + 1, 200);
    }
    assert!(ranges.last().unwrap().0 <= world.max_common_id());

    let mut reached: BTreeSet<(Peer, i32)> = BTreeSet::new();
    for (i, &range) in ranges.iter().enumerate() {
        let (dialogs, _) = all_dialogs(&c, t, range, 100).await;
        assert!(!dialogs.is_empty(), "range {range:?} has dialogs");
        let last_range = i == ranges.len() - 1;
        // Exactly the dialogs with messages in the range, top message the
        // newest one there.
        let in_range_ids = |peer: Peer| -> Vec<i32> {
            world
                .history_ids(peer)
                .iter()
                .copied()
                .filter(|&id| if peer.in_common_box() { range.0 <= id && id <= range.1 } else { last_range })
                .collect()
        };
        let want: BTreeSet<Peer> = world.dialogs().into_iter().filter(|&p| !in_range_ids(p).is_empty()).collect();
        assert_eq!(dialogs.iter().map(|d| d.peer).collect::<BTreeSet<_>>(), want, "dialogs of range {range:?}");
        for d in &dialogs {
            let ids = in_range_ids(d.peer);
            assert_eq!(d.top, *ids.last().unwrap(), "{:?}: top message of range {range:?}", d.peer);
            let walked = walk_history(&c, t, range, d.input.clone()).await;
            assert_eq!(walked, ids, "{:?} in range {range:?}", d.peer);
            for id in walked {
                assert!(reached.insert((d.peer, id)), "{:?} {id} reached twice", d.peer);
            }
        }
    }
    let every: BTreeSet<(Peer, i32)> =
        world.dialogs().into_iter().flat_map(|p| world.history_ids(p).iter().map(move |&id| (p, id))).collect();
    assert_eq!(reached.len(), every.len());
    assert!(reached == every, "every message of every dialog exactly once");
    assert!(dc.stats().errors.is_empty(), "{:?}", dc.stats().errors);
}

#[tokio::test]
async fn dialogs_page_three_at_a_time_newest_first() {
    let (world, _dc, c) = setup(Config::default()).await;
    let t = init(&c, takeout_all(8 * MIB)).await;
    assert!(split_ranges(&c, t).await.is_empty(), "one range: an empty list");
    let total = world.dialogs().len();
    assert!(total > 9, "several pages of 3");

    let (paged, counts) = all_dialogs(&c, t, ALL, 3).await;
    assert_eq!(paged.len(), total);
    assert!(counts.iter().all(|&n| n == total as i32), "dialogsSlice count is the total: {counts:?}");
    assert_eq!(counts.len(), total.div_ceil(3) + 1, "every page, and the empty one after, is a slice");
    let peers: Vec<Peer> = paged.iter().map(|d| d.peer).collect();
    assert_eq!(peers.iter().collect::<BTreeSet<_>>().len(), total, "each dialog once: {peers:?}");
    assert_eq!(peers.iter().copied().collect::<BTreeSet<_>>(), world.dialogs().into_iter().collect());
    for w in paged.windows(2) {
        assert!(w[0].top_date >= w[1].top_date, "newest top message first: {w:?}");
    }
    for d in &paged {
        assert_eq!(d.top, *world.history_ids(d.peer).last().unwrap());
        assert_eq!(d.top_date, world.message(d.peer, d.top).unwrap().date);
    }
    // Left chats are not dialogs; an upgraded basic group is (deactivated,
    // as Telegram lists it, so its old history can be exported).
    for ch in &world.chats {
        if ch.left {
            assert!(!peers.contains(&ch.peer()), "{} is not a dialog", ch.title);
        }
        if ch.migrated_to.is_some() {
            assert!(peers.contains(&ch.peer()), "{} is a dialog", ch.title);
        }
    }
    // One page of 100 holds them all: messages.dialogs.
    let (whole, counts) = all_dialogs(&c, t, ALL, 100).await;
    assert!(counts.is_empty());
    assert_eq!(whole.iter().map(|d| d.peer).collect::<Vec<_>>(), peers);
}

/// One peer of each kind a takeout flag covers.
fn kinds(world: &World) -> Vec<(&'static str, Peer)> {
    let family = world.chats.iter().find(|c| c.kind == ChatKind::Group && c.title.starts_with("Family")).unwrap();
    vec![
        ("TAKEOUT_MESSAGE_USERS_REQUIRED", world.resolve_username("fx_alice").unwrap()),
        ("TAKEOUT_MESSAGE_CHATS_REQUIRED", family.peer()),
        ("TAKEOUT_MESSAGE_MEGAGROUPS_REQUIRED", world.resolve_username("fx_public_group").unwrap()),
        ("TAKEOUT_MESSAGE_CHANNELS_REQUIRED", world.resolve_username("fx_public_channel").unwrap()),
    ]
}

fn search_mine(peer: tl::enums::InputPeer, limit: i32) -> tl::functions::messages::Search {
    tl::functions::messages::Search {
        peer,
        q: String::new(),
        from_id: Some(tl::enums::InputPeer::PeerSelf),
        saved_peer_id: None,
        saved_reaction: None,
        top_msg_id: None,
        filter: tl::enums::MessagesFilter::InputMessagesFilterEmpty,
        min_date: 0,
        max_date: 0,
        offset_id: 0,
        add_offset: 0,
        limit,
        max_id: 0,
        min_id: 0,
        hash: 0,
    }
}

fn by_id(ids: &[i32]) -> Vec<tl::enums::InputMessage> {
    ids.iter().map(|&id| tl::types::InputMessageId { id }.into()).collect()
}

#[tokio::test]
async fn each_message_flag_guards_its_kind_of_chat() {
    let (world, dc, c) = setup(Config::default()).await;
    let kinds = kinds(&world);
    for (i, (error, peer)) in kinds.iter().enumerate() {
        let mut request = takeout_all(8 * MIB);
        match i {
            0 => request.message_users = false,
            1 => request.message_chats = false,
            2 => request.message_megagroups = false,
            _ => request.message_channels = false,
        }
        let t = init(&c, request.clone()).await;
        let record = dc.takeouts().into_iter().find(|r| r.id == t).unwrap();
        let f = record.flags;
        assert_eq!(
            [f.contacts, f.message_users, f.message_chats, f.message_megagroups, f.message_channels, f.files],
            [request.contacts, request.message_users, request.message_chats, request.message_megagroups, request.message_channels, request.files]
        );
        assert_eq!(f.file_max_size, Some(8 * MIB));
        let first = world.history_ids(*peer)[0];
        let input = input_peer(&world, *peer);
        assert_rpc(c.invoke(&in_range(t, ALL, common::get_history(input.clone(), 10))).await, 403, error);
        assert_rpc(c.invoke(&in_range(t, ALL, search_mine(input.clone(), 10))).await, 403, error);
        match peer {
            Peer::Channel(id) => assert_rpc(
                c.invoke(&in_range(t, ALL, tl::functions::channels::GetMessages { channel: common::input_channel(&world, *id), id: by_id(&[first]) }))
                    .await,
                403,
                error,
            ),
            _ => assert_rpc(c.invoke(&in_range(t, ALL, tl::functions::messages::GetMessages { id: by_id(&[first]) })).await, 403, error),
        }
        // The other kinds are open in the same session.
        for (j, (_, other)) in kinds.iter().enumerate() {
            if j != i {
                let page = c.invoke(&in_range(t, ALL, common::get_history(input_peer(&world, *other), 5))).await.unwrap();
                assert_eq!(common::ids_of(&page).len(), 5);
            }
        }
        // Outside the takeout session, ordinary rules: no flag checks.
        let page = c.invoke(&common::get_history(input, 5)).await.unwrap();
        assert_eq!(common::ids_of(&page).len(), 5);
    }
    assert_eq!(dc.stats().errors_of("TAKEOUT_MESSAGE_CHANNELS_REQUIRED"), 3);
}

#[tokio::test]
async fn init_delay_counts_down_then_init_succeeds() {
    let (_world, dc, c) = setup(Config { takeout_delay_secs: 1000, ..Config::default() }).await;
    let e = common::rpc_error(c.invoke(&takeout_all(MIB)).await);
    assert_eq!((e.code, e.name.as_str(), e.value), (420, "TAKEOUT_INIT_DELAY", Some(1000)));
    dc.advance_clock(300);
    let e = common::rpc_error(c.invoke(&takeout_all(MIB)).await);
    assert_eq!((e.code, e.name.as_str()), (420, "TAKEOUT_INIT_DELAY"));
    // Counted from the first request on fakedc's clock, which is real time
    // plus the advance: a second boundary may pass between the requests.
    let left = e.value.unwrap();
    assert!((699..=700).contains(&left), "{left}");
    assert!(dc.takeouts().is_empty(), "no session while waiting");
    dc.advance_clock(left as i64);
    let t = init(&c, takeout_all(MIB)).await;
    assert_eq!(dc.takeouts().len(), 1);
    assert_eq!(dc.takeouts()[0].id, t);
    // The delay does not come back for later inits.
    init(&c, takeout_all(MIB)).await;
}

#[tokio::test]
async fn a_new_session_replaces_the_old_and_finish_is_recorded() {
    let (_world, dc, c) = setup(Config::default()).await;
    let ranges = || tl::functions::messages::GetSplitRanges {};
    let first = init(&c, takeout_all(MIB)).await;
    c.invoke(&in_takeout(first, ranges())).await.unwrap();
    let second = init(&c, takeout_all(MIB)).await;
    assert_ne!(first, second);
    assert_rpc(c.invoke(&in_takeout(first, ranges())).await, 400, "TAKEOUT_INVALID");
    c.invoke(&in_takeout(second, ranges())).await.unwrap();
    // An id never issued.
    assert_rpc(c.invoke(&in_takeout(second ^ 0x5555, ranges())).await, 400, "TAKEOUT_INVALID");
    // Finishing the replaced one fails; the live one is recorded.
    let finish = |success| tl::functions::account::FinishTakeoutSession { success };
    assert_rpc(c.invoke(&in_takeout(first, finish(true))).await, 400, "TAKEOUT_INVALID");
    assert!(c.invoke(&in_takeout(second, finish(true))).await.unwrap());
    let records = dc.takeouts();
    assert_eq!(records.len(), 2);
    assert!(records[0].invalidated && records[0].finished.is_none());
    assert_eq!((records[1].id, records[1].finished), (second, Some(true)));
    // A finished session is over.
    assert_rpc(c.invoke(&in_takeout(second, ranges())).await, 400, "TAKEOUT_INVALID");
    // An aborted one is recorded as such.
    let third = init(&c, takeout_all(MIB)).await;
    assert!(c.invoke(&in_takeout(third, finish(false))).await.unwrap());
    assert_eq!(dc.takeouts()[2].finished, Some(false));
}

#[tokio::test]
async fn takeout_only_methods_and_the_contacts_flag() {
    let (_world, _dc, c) = setup(Config::default()).await;
    assert_rpc(c.invoke(&tl::functions::contacts::GetSaved {}).await, 403, "TAKEOUT_REQUIRED");
    assert_rpc(c.invoke(&tl::functions::channels::GetLeftChannels { offset: 0 }).await, 403, "TAKEOUT_REQUIRED");
    assert_rpc(c.invoke(&tl::functions::account::FinishTakeoutSession { success: true }).await, 403, "TAKEOUT_REQUIRED");
    // Still required while a session is open but the request is not wrapped.
    let t = init(&c, tl::functions::account::InitTakeoutSession { contacts: false, ..takeout_all(MIB) }).await;
    assert_rpc(c.invoke(&tl::functions::contacts::GetSaved {}).await, 403, "TAKEOUT_REQUIRED");
    assert_rpc(c.invoke(&in_takeout(t, tl::functions::contacts::GetSaved {})).await, 403, "TAKEOUT_CONTACTS_REQUIRED");
    // getLeftChannels needs no flag.
    c.invoke(&in_takeout(t, tl::functions::channels::GetLeftChannels { offset: 0 })).await.unwrap();
}

#[tokio::test]
async fn account_data_matches_the_world() {
    let (world, _dc, c) = setup(Config::default()).await;
    let t = init(&c, takeout_all(MIB)).await;

    // Contacts.
    let tl::enums::contacts::Contacts::Contacts(contacts) =
        c.invoke(&in_takeout(t, tl::functions::contacts::GetContacts { hash: 0 })).await.unwrap()
    else {
        panic!("contacts.contactsNotModified for hash 0")
    };
    let want: BTreeMap<i64, bool> = world.users.iter().filter(|u| u.contact).map(|u| (u.id, u.mutual_contact)).collect();
    let got: BTreeMap<i64, bool> = contacts.contacts.iter().map(|tl::enums::Contact::Contact(c)| (c.user_id, c.mutual)).collect();
    assert_eq!(got, want);
    assert!(want.len() >= 3);
    assert_eq!(contacts.saved_count, world.saved_contacts.len() as i32);
    for id in want.keys() {
        assert!(contacts.users.iter().any(|u| u.id() == *id), "contact {id} comes with its user");
    }

    // Saved phone contacts.
    let saved = c.invoke(&in_takeout(t, tl::functions::contacts::GetSaved {})).await.unwrap();
    let got: Vec<(String, String, String, i32)> = saved
        .into_iter()
        .map(|tl::enums::SavedContact::SavedPhoneContact(s)| (s.phone, s.first_name, s.last_name, s.date))
        .collect();
    let want: Vec<(String, String, String, i32)> =
        world.saved_contacts.iter().map(|s| (s.phone.clone(), s.first_name.clone(), s.last_name.clone(), s.date)).collect();
    assert_eq!(got, want);
    assert!(got.iter().any(|s| s.1 == "Joe"), "Joe Plumber, not on Telegram");

    // Top peers: each requested category, peers by rating.
    let all_top = tl::functions::contacts::GetTopPeers {
        correspondents: true,
        bots_pm: true,
        bots_inline: true,
        phone_calls: true,
        forward_users: true,
        forward_chats: true,
        groups: true,
        channels: true,
        bots_app: false,
        bots_guestchat: false,
        offset: 0,
        limit: 100,
        hash: 0,
    };
    let top = |answer: tl::enums::contacts::TopPeers| -> BTreeMap<String, Vec<Peer>> {
        let tl::enums::contacts::TopPeers::Peers(p) = answer else { panic!("{answer:?}") };
        p.categories
            .into_iter()
            .map(|tl::enums::TopPeerCategoryPeers::Peers(c)| {
                assert_eq!(c.count as usize, c.peers.len());
                let peers = c.peers.iter().map(|tl::enums::TopPeer::Peer(p)| world_peer(&p.peer)).collect();
                (format!("{:?}", c.category), peers)
            })
            .collect()
    };
    let mut want: BTreeMap<String, Vec<(f64, Peer)>> = BTreeMap::new();
    for tp in &world.top_peers {
        let name = match tp.category {
            fakedc::world::TopPeerCategory::Correspondents => "Correspondents",
            fakedc::world::TopPeerCategory::Groups => "Groups",
            fakedc::world::TopPeerCategory::Channels => "Channels",
            fakedc::world::TopPeerCategory::BotsInline => "BotsInline",
        };
        want.entry(name.to_string()).or_default().push((tp.rating, tp.peer));
    }
    let want: BTreeMap<String, Vec<Peer>> = want
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| b.0.total_cmp(&a.0));
            (k, v.into_iter().map(|(_, p)| p).collect())
        })
        .collect();
    assert_eq!(want.len(), 4);
    assert_eq!(top(c.invoke(&in_takeout(t, all_top.clone())).await.unwrap()), want);
    // Only the categories asked for.
    let only = tl::functions::contacts::GetTopPeers { correspondents: true, ..all_top.clone() };
    let only = tl::functions::contacts::GetTopPeers {
        bots_pm: false,
        bots_inline: false,
        phone_calls: false,
        forward_users: false,
        forward_chats: false,
        groups: false,
        channels: false,
        ..only
    };
    let got = top(c.invoke(&in_takeout(t, only)).await.unwrap());
    assert_eq!(got.keys().collect::<Vec<_>>(), ["Correspondents"]);

    // Left channels: both; the private one is only a title now.
    let left = c.invoke(&in_takeout(t, tl::functions::channels::GetLeftChannels { offset: 0 })).await.unwrap();
    let tl::enums::messages::Chats::Chats(left) = left else { panic!("two left channels fit one page: {left:?}") };
    let want: BTreeSet<i64> = world.left_channels().iter().map(|c| c.id).collect();
    assert_eq!(want.len(), 2);
    assert_eq!(left.chats.iter().map(|c| c.id()).collect::<BTreeSet<_>>(), want);
    let old_news = world.resolve_username("fx_left_channel").unwrap().id();
    for chat in &left.chats {
        match chat {
            tl::enums::Chat::Channel(ch) => {
                assert_eq!(ch.id, old_news);
                assert!(ch.left && ch.broadcast);
                assert_eq!(ch.username.as_deref(), Some("fx_left_channel"));
            }
            tl::enums::Chat::ChannelForbidden(ch) => assert_eq!(ch.title, "Left Private Channel"),
            other => panic!("{other:?}"),
        }
    }
    let past = c.invoke(&in_takeout(t, tl::functions::channels::GetLeftChannels { offset: 2 })).await.unwrap();
    let tl::enums::messages::Chats::Slice(past) = past else { panic!("{past:?}") };
    assert_eq!((past.count, past.chats.len()), (2, 0));

    // Profile photos: count and paging.
    let photo_ids: Vec<i64> = world.profile_photos.iter().map(|p| p.id).collect();
    assert_eq!(photo_ids.len(), 3);
    let photos = |offset, max_id, limit| tl::functions::photos::GetUserPhotos { user_id: tl::enums::InputUser::UserSelf, offset, max_id, limit };
    let ids = |answer: tl::enums::photos::Photos| -> (Option<i32>, Vec<i64>) {
        match answer {
            tl::enums::photos::Photos::Photos(p) => (None, p.photos.iter().map(|p| p.id()).collect()),
            tl::enums::photos::Photos::Slice(p) => (Some(p.count), p.photos.iter().map(|p| p.id()).collect()),
        }
    };
    assert_eq!(ids(c.invoke(&in_takeout(t, photos(0, 0, 100))).await.unwrap()), (None, photo_ids.clone()));
    assert_eq!(ids(c.invoke(&in_takeout(t, photos(0, 0, 0))).await.unwrap()), (Some(3), vec![]), "the count request");
    for i in 0..3 {
        assert_eq!(ids(c.invoke(&in_takeout(t, photos(i, 0, 1))).await.unwrap()), (Some(3), vec![photo_ids[i as usize]]));
    }
    let below_first: Vec<i64> = photo_ids.iter().copied().filter(|&id| id < photo_ids[0]).collect();
    assert_eq!(ids(c.invoke(&in_takeout(t, photos(0, photo_ids[0], 100))).await.unwrap()).1, below_first);
    let tl::enums::photos::Photos::Photos(p) = c.invoke(&in_takeout(t, photos(0, 0, 100))).await.unwrap() else { panic!() };
    for (got, want) in p.photos.iter().zip(&world.profile_photos) {
        let tl::enums::Photo::Photo(got) = got else { panic!() };
        assert_eq!((got.access_hash, got.date, got.dc_id), (want.access_hash, want.date, want.dc_id));
        assert_eq!(got.file_reference.len(), 12);
    }

    // Stories, newest first.
    let stories = |offset_id, limit| tl::functions::stories::GetStoriesArchive { peer: tl::enums::InputPeer::PeerSelf, offset_id, limit };
    let tl::enums::stories::Stories::Stories(s) = c.invoke(&in_takeout(t, stories(0, 100))).await.unwrap();
    assert_eq!(s.count, 3);
    assert_eq!(s.stories.iter().map(|s| s.id()).collect::<Vec<_>>(), world.stories.iter().map(|s| s.id).collect::<Vec<_>>());
    assert_eq!(world.stories.iter().map(|s| s.id).collect::<Vec<_>>(), [3, 2, 1]);
    let tl::enums::stories::Stories::Stories(s) = c.invoke(&in_takeout(t, stories(3, 1))).await.unwrap();
    assert_eq!((s.count, s.stories.iter().map(|s| s.id()).collect::<Vec<_>>()), (3, vec![2]));
    let tl::enums::stories::Stories::Stories(s) = c.invoke(&in_takeout(t, stories(0, 0))).await.unwrap();
    assert_eq!((s.count, s.stories.len()), (3, 0));

    // Sessions.
    let tl::enums::account::Authorizations::Authorizations(a) =
        c.invoke(&in_takeout(t, tl::functions::account::GetAuthorizations {})).await.unwrap();
    let got: Vec<(i64, bool, String, String)> = a
        .authorizations
        .into_iter()
        .map(|tl::enums::Authorization::Authorization(a)| (a.hash, a.current, a.device_model, a.ip))
        .collect();
    let want: Vec<(i64, bool, String, String)> =
        world.authorizations.iter().map(|a| (a.hash, a.current, a.device_model.clone(), a.ip.clone())).collect();
    assert_eq!(got, want);
    assert_eq!(got.len(), 2);
    assert!(got[0].1 && got[0].0 == 0, "the current session first, hash 0");

    let tl::enums::account::WebAuthorizations::Authorizations(w) =
        c.invoke(&in_takeout(t, tl::functions::account::GetWebAuthorizations {})).await.unwrap();
    let got: Vec<(i64, i64, String)> =
        w.authorizations.iter().map(|tl::enums::WebAuthorization::Authorization(a)| (a.hash, a.bot_id, a.domain.clone())).collect();
    let want: Vec<(i64, i64, String)> = world.web_authorizations.iter().map(|a| (a.hash, a.bot_id, a.domain.clone())).collect();
    assert_eq!(got, want);
    let bot = world.resolve_username("fx_helper_bot").unwrap().id();
    assert_eq!(got[0].1, bot);
    assert!(w.users.iter().any(|u| u.id() == bot), "the bot comes along");
}

#[tokio::test]
async fn messages_by_id_see_only_their_range() {
    let (world, _dc, c) = setup(Config { split_size: 200, ..Config::default() }).await;
    let t = init(&c, takeout_all(MIB)).await;
    let ranges = split_ranges(&c, t).await;
    let (first, second, last) = (ranges[0], ranges[1], *ranges.last().unwrap());
    // Three common-box ids: two of different chats in the first range, one
    // in the second.
    let mut picks: Vec<(Peer, i32)> = Vec::new();
    for id in first.0..=first.1 {
        if let Some(peer) = world.common_box_peer(id) {
            if picks.len() < 2 && picks.iter().all(|p| p.0 != peer) {
                picks.push((peer, id));
            }
        }
    }
    let outside = (second.0..=second.1).find(|&id| world.common_box_peer(id).is_some()).unwrap();
    picks.push((world.common_box_peer(outside).unwrap(), outside));
    assert_eq!(picks.len(), 3, "{picks:?}");
    let ids: Vec<i32> = picks.iter().map(|p| p.1).collect();

    let got = c.invoke(&in_range(t, first, tl::functions::messages::GetMessages { id: by_id(&ids) })).await.unwrap();
    let found: Vec<(Peer, i32)> = common::messages_of(&got)
        .iter()
        .filter(|m| !matches!(m, tl::enums::Message::Empty(_)))
        .map(|m| (message_peer(m), m.id()))
        .collect();
    let want: Vec<(Peer, i32)> = picks.iter().copied().filter(|p| p.1 != outside).collect();
    assert_eq!(found, want, "the id outside the range is missing");
    for m in common::messages_of(&got) {
        if let tl::enums::Message::Message(m) = m {
            let w = world.message(world_peer(&m.peer_id), m.id).unwrap();
            assert_eq!((m.date, m.message.as_str()), (w.date, w.text.as_str()));
        }
    }
    // In its own range it is there.
    let got = c.invoke(&in_range(t, second, tl::functions::messages::GetMessages { id: by_id(&[outside]) })).await.unwrap();
    assert_eq!(common::ids_of(&got), [outside]);
    // Without a range wrapper, every id.
    let got = c.invoke(&in_takeout(t, tl::functions::messages::GetMessages { id: by_id(&ids) })).await.unwrap();
    assert_eq!(common::ids_of(&got), ids);

    // A channel's messages live in the last range only.
    let channel = world.resolve_username("fx_public_channel").unwrap();
    let channel_ids = world.history_ids(channel)[..3].to_vec();
    let request = || tl::functions::channels::GetMessages { channel: common::input_channel(&world, channel.id()), id: by_id(&channel_ids) };
    let got = c.invoke(&in_range(t, first, request())).await.unwrap();
    assert!(common::messages_of(&got).iter().all(|m| matches!(m, tl::enums::Message::Empty(_))), "{got:?}");
    let got = c.invoke(&in_range(t, last, request())).await.unwrap();
    assert!(matches!(got, tl::enums::messages::Messages::ChannelMessages(_)));
    assert_eq!(common::ids_of(&got), channel_ids);
    for m in common::messages_of(&got) {
        assert_eq!(message_peer(m), channel);
    }
}

#[tokio::test]
async fn forum_topics_newest_first_with_offset_paging() {
    let (world, _dc, c) = setup(Config::default()).await;
    let t = init(&c, takeout_all(MIB)).await;
    let forum_peer = world.resolve_username("fx_forum").unwrap();
    let forum = world.chat(forum_peer.id()).unwrap();
    assert_eq!(forum.topics.len(), 3);
    // A topic's newest message, the naive way.
    let topic_ids: Vec<i32> = forum.topics.iter().map(|t| t.id).collect();
    let topic_of = |m: &fakedc::world::Message| -> Option<i32> {
        if topic_ids.contains(&m.id) {
            return Some(m.id);
        }
        let r = m.reply_to.as_ref()?;
        r.top_id.or(Some(r.msg_id)).filter(|t| topic_ids.contains(t))
    };
    let mut top: BTreeMap<i32, i32> = BTreeMap::new();
    for &id in world.history_ids(forum_peer) {
        if let Some(topic) = topic_of(&world.message(forum_peer, id).unwrap()) {
            top.insert(topic, id);
        }
    }
    let mut want: Vec<i32> = topic_ids.clone();
    want.sort_by_key(|t| std::cmp::Reverse(top[t]));

    let request = |offset_topic, limit| tl::functions::messages::GetForumTopics {
        peer: input_peer(&world, forum_peer),
        q: None,
        offset_date: 0,
        offset_id: 0,
        offset_topic,
        limit,
    };
    let tl::enums::messages::ForumTopics::Topics(all) = c.invoke(&in_takeout(t, request(0, 100))).await.unwrap();
    assert_eq!(all.count, 3);
    let got: Vec<(i32, String, i32)> = all
        .topics
        .iter()
        .map(|t| match t {
            tl::enums::ForumTopic::Topic(t) => (t.id, t.title.clone(), t.top_message),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), want);
    for (id, title, top_message) in &got {
        let topic = forum.topics.iter().find(|t| t.id == *id).unwrap();
        assert_eq!(title, &topic.title);
        assert_eq!(*top_message, top[id]);
        assert!(all.messages.iter().any(|m| m.id() == *top_message), "the top message travels along");
    }
    // One a page.
    let mut paged = Vec::new();
    let mut offset_topic = 0;
    loop {
        let tl::enums::messages::ForumTopics::Topics(page) = c.invoke(&in_takeout(t, request(offset_topic, 1))).await.unwrap();
        assert_eq!(page.count, 3);
        let Some(topic) = page.topics.first() else { break };
        let tl::enums::ForumTopic::Topic(topic) = topic else { panic!() };
        paged.push(topic.id);
        offset_topic = topic.id;
    }
    assert_eq!(paged, want);
}

#[tokio::test]
async fn left_private_channel_is_closed_but_my_messages_are_found() {
    // The account posted in the private channel before leaving it: every
    // third post is its own (through the world file, as a person would).
    let world = {
        let generated = world();
        let channel = generated.chats.iter().find(|c| c.title == "Left Private Channel").unwrap().id;
        let mut json = Vec::new();
        generated.to_json(&mut json).unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let mut k = 0;
        for m in v["messages"].as_array_mut().unwrap() {
            if m["peer"]["type"] == "channel" && m["peer"]["id"] == channel {
                k += 1;
                if k % 3 == 0 {
                    m["out"] = true.into();
                }
            }
        }
        let bytes = serde_json::to_vec(&v).unwrap();
        (World::from_json(bytes.as_slice()).unwrap(), World::from_json(bytes.as_slice()).unwrap())
    };
    let (world, served) = world;
    let dc = common::start(served).await;
    let c = common::client_no_retries(&dc.session_file());
    let t = init(&c, takeout_all(MIB)).await;
    let left = c.invoke(&in_takeout(t, tl::functions::channels::GetLeftChannels { offset: 0 })).await.unwrap();
    let tl::enums::messages::Chats::Chats(left) = left else { panic!() };
    let private = world.chats.iter().find(|c| c.title == "Left Private Channel").unwrap();
    let input = input_from(&[], &left.chats, Peer::Channel(private.id));
    assert_rpc(c.invoke(&in_range(t, ALL, common::get_history(input.clone(), 10))).await, 400, "CHANNEL_PRIVATE");
    assert_rpc(c.invoke(&common::get_history(input.clone(), 10)).await, 400, "CHANNEL_PRIVATE");
    let peer = private.peer();
    let mine: Vec<i32> = world
        .history_ids(peer)
        .iter()
        .rev()
        .copied()
        .filter(|&id| {
            let m = world.message(peer, id).unwrap();
            m.out || m.from == Some(Peer::User(world.self_id))
        })
        .collect();
    assert!(mine.len() >= 5, "{} of mine", mine.len());
    let found = c.invoke(&in_range(t, ALL, search_mine(input, 100))).await.unwrap();
    assert!(matches!(found, tl::enums::messages::Messages::ChannelMessages(_)), "{found:?}");
    assert_eq!(common::ids_of(&found), mine);
    // The public left channel stays readable.
    let old_news = world.resolve_username("fx_left_channel").unwrap();
    let page = c.invoke(&in_range(t, ALL, common::get_history(input_peer(&world, old_news), 100))).await.unwrap();
    assert_eq!(common::ids_of(&page).len(), world.history_ids(old_news).len());
}

/// The Saved Messages document with this file name.
fn saved_file(world: &World, name: &str) -> (i32, i64, u64) {
    let saved = Peer::User(world.self_id);
    for &id in world.history_ids(saved) {
        if let Some(Media::Document(d)) = world.message(saved, id).unwrap().media {
            if d.file_name.as_deref() == Some(name) {
                return (id, d.id, d.size as u64);
            }
        }
    }
    panic!("{name} is not in Saved Messages")
}

/// The document location carried by a TL message (with its reference).
fn document_location(answer: &tl::enums::messages::Messages, id: i32) -> tl::types::InputDocumentFileLocation {
    let m = common::messages_of(answer).iter().find(|m| m.id() == id).expect("message in the answer");
    let tl::enums::Message::Message(m) = m else { panic!("{m:?}") };
    let Some(tl::enums::MessageMedia::Document(media)) = &m.media else { panic!("{:?}", m.media) };
    let Some(tl::enums::Document::Document(d)) = &media.document else { panic!() };
    tl::types::InputDocumentFileLocation { id: d.id, access_hash: d.access_hash, file_reference: d.file_reference.clone(), thumb_size: String::new() }
}

fn get_file(location: impl Into<tl::enums::InputFileLocation>, offset: i64, limit: i32) -> tl::functions::upload::GetFile {
    tl::functions::upload::GetFile { precise: false, cdn_supported: false, location: location.into(), offset, limit }
}

fn bytes_of(file: tl::enums::upload::File) -> Vec<u8> {
    match file {
        tl::enums::upload::File::File(f) => f.bytes,
        other => panic!("{other:?}"),
    }
}

/// Downloads from `offset` until a short part, `part` bytes at a time.
async fn download(c: &ExactClient, t: i64, location: tl::enums::InputFileLocation, part: i32) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let bytes = bytes_of(c.invoke(&in_takeout(t, get_file(location.clone(), out.len() as i64, part))).await.unwrap());
        let n = bytes.len();
        out.extend(bytes);
        if n < part as usize {
            return out;
        }
    }
}

async fn fetch_message(c: &ExactClient, t: i64, id: i32) -> tl::enums::messages::Messages {
    c.invoke(&in_range(t, ALL, tl::functions::messages::GetMessages { id: by_id(&[id]) })).await.unwrap()
}

#[tokio::test]
async fn files_download_whole_and_follow_telegrams_rules() {
    let (world, dc, c) = setup(Config::default()).await;
    // file_max_size = 1 MiB: the 1 MiB file is allowed, one byte more is not.
    let t = init(&c, takeout_all(MIB)).await;
    let (msg, doc_id, size) = saved_file(&world, "exactly_1MiB.bin");
    assert_eq!(size, MIB as u64);
    let loc = document_location(&fetch_message(&c, t, msg).await, msg);
    assert_eq!(loc.id, doc_id);
    let whole = download(&c, t, loc.clone().into(), 512 << 10).await;
    let want = world.file_bytes(&FileKey::Document { id: doc_id }, 0, size as usize).unwrap();
    assert_eq!(whole.len(), want.len());
    assert!(whole == want, "the document's bytes");
    assert_eq!(dc.stats().requests_of("upload.getFile"), 3, "two full parts and an empty one");
    // Smaller parts give the same bytes.
    assert!(download(&c, t, loc.clone().into(), 128 << 10).await == want);

    let (big_msg, _, big_size) = saved_file(&world, "1MiB_plus_1.bin");
    assert_eq!(big_size, MIB as u64 + 1);
    let big = document_location(&fetch_message(&c, t, big_msg).await, big_msg);
    assert_rpc(c.invoke(&in_takeout(t, get_file(big.clone(), 0, 512 << 10))).await, 400, "TAKEOUT_FILE_TOO_BIG");
    // Outside the session there is no size limit.
    assert_eq!(bytes_of(c.invoke(&get_file(big.clone(), MIB, 4096)).await.unwrap()).len(), 1);

    // Part rules.
    assert_rpc(c.invoke(&in_takeout(t, get_file(loc.clone(), 0, 5000))).await, 400, "LIMIT_INVALID");
    assert_rpc(c.invoke(&in_takeout(t, get_file(loc.clone(), 768 << 10, 512 << 10))).await, 400, "LIMIT_INVALID");
    assert_rpc(c.invoke(&in_takeout(t, get_file(loc.clone(), 100, 4096))).await, 400, "OFFSET_INVALID");
    // At and past the end: empty parts.
    assert!(bytes_of(c.invoke(&in_takeout(t, get_file(loc.clone(), MIB, 4096))).await.unwrap()).is_empty());
    assert!(bytes_of(c.invoke(&in_takeout(t, get_file(loc.clone(), 2 * MIB, 512 << 10))).await.unwrap()).is_empty());
    // precise: 1 KiB steps, any limit up to 1 MiB.
    let precise = tl::functions::upload::GetFile { precise: true, ..get_file(loc.clone(), 1024, 3072) };
    assert!(bytes_of(c.invoke(&in_takeout(t, precise.clone())).await.unwrap()) == want[1024..4096]);
    let odd = tl::functions::upload::GetFile { offset: 1000, ..precise.clone() };
    assert_rpc(c.invoke(&in_takeout(t, odd)).await, 400, "OFFSET_INVALID");
    let too_long = tl::functions::upload::GetFile { offset: 0, limit: (1 << 20) + 1024, ..precise };
    assert_rpc(c.invoke(&in_takeout(t, too_long)).await, 400, "LIMIT_INVALID");
    // The "other data" archive: there is none, and only a session may ask.
    let other = || get_file(tl::enums::InputFileLocation::InputTakeoutFileLocation, 0, 4096);
    assert_rpc(c.invoke(&in_takeout(t, other())).await, 400, "TAKEOUT_FILE_EMPTY");
    assert_rpc(c.invoke(&other()).await, 403, "TAKEOUT_REQUIRED");
    // References.
    let mut wrong = loc.clone();
    wrong.file_reference[5] ^= 0x40;
    assert_rpc(c.invoke(&in_takeout(t, get_file(wrong, 0, 4096))).await, 400, "FILE_REFERENCE_INVALID");
    let empty = tl::types::InputDocumentFileLocation { file_reference: vec![], ..loc.clone() };
    assert_rpc(c.invoke(&in_takeout(t, get_file(empty, 0, 4096))).await, 400, "FILE_REFERENCE_EMPTY");

    // A photo size, in parts smaller than it.
    let alice = world.resolve_username("fx_alice").unwrap();
    let (photo_msg, photo) = world
        .history_ids(alice)
        .iter()
        .find_map(|&id| match world.message(alice, id).unwrap().media {
            Some(Media::Photo(p)) if p.sizes.len() == 4 => Some((id, p)),
            _ => None,
        })
        .expect("Alice's photo with sizes s, m, x, y");
    let y = photo.sizes.iter().find(|s| s.kind == "y").unwrap();
    assert!(y.size > 64 << 10, "more than one part");
    let answer = fetch_message(&c, t, photo_msg).await;
    let tl::enums::Message::Message(m) = common::messages_of(&answer).iter().find(|m| m.id() == photo_msg).unwrap() else { panic!() };
    let Some(tl::enums::MessageMedia::Photo(media)) = &m.media else { panic!() };
    let Some(tl::enums::Photo::Photo(p)) = &media.photo else { panic!() };
    assert!(p.sizes.iter().any(|s| matches!(s, tl::enums::PhotoSize::Size(s) if s.r#type == "y" && s.size as i64 == y.size)));
    let photo_loc = tl::types::InputPhotoFileLocation {
        id: p.id,
        access_hash: p.access_hash,
        file_reference: p.file_reference.clone(),
        thumb_size: "y".into(),
    };
    let got = download(&c, t, photo_loc.into(), 64 << 10).await;
    let want = world.file_bytes(&FileKey::Photo { id: photo.id, size: 'y' }, 0, y.size as usize).unwrap();
    assert_eq!(got.len(), y.size as usize);
    assert!(got == want, "the photo size's bytes");

    // Without the files flag.
    let no_files = init(&c, tl::functions::account::InitTakeoutSession { files: false, file_max_size: None, ..takeout_all(MIB) }).await;
    assert_rpc(c.invoke(&in_takeout(no_files, get_file(loc.clone(), 0, 4096))).await, 403, "TAKEOUT_FILES_REQUIRED");
    assert_eq!(dc.takeouts().last().unwrap().flags.file_max_size, None);
}

#[tokio::test]
async fn expired_reference_is_refreshed_and_the_download_resumes() {
    let (world, dc, c) = setup(Config { file_reference_ttl: 60, ..Config::default() }).await;
    let t = init(&c, takeout_all(8 * MIB)).await;
    let (msg, doc_id, size) = saved_file(&world, "1MiB_plus_1.bin");
    let want = world.file_bytes(&FileKey::Document { id: doc_id }, 0, size as usize).unwrap();
    let part = 256 << 10;
    let mut loc = document_location(&fetch_message(&c, t, msg).await, msg);
    let mut got = Vec::new();
    let mut refreshes = 0;
    let saved = Peer::User(world.self_id);
    while got.len() < size as usize {
        let offset = got.len() as i64;
        match c.invoke(&in_takeout(t, get_file(loc.clone(), offset, part))).await {
            Ok(file) => {
                got.extend(bytes_of(file));
                // Expire the reference after every other part.
                if got.len() % (2 * part as usize) == part as usize {
                    dc.advance_clock(61);
                }
            }
            Err(e) => {
                let e = common::rpc_error::<()>(Err(e));
                assert_eq!((e.code, e.name.as_str()), (400, "FILE_REFERENCE_EXPIRED"));
                // Re-fetch the message: by id the first time, through the
                // history the next.
                let answer = if refreshes % 2 == 0 {
                    fetch_message(&c, t, msg).await
                } else {
                    let page = tl::functions::messages::GetHistory { offset_id: msg + 1, ..common::get_history(input_peer(&world, saved), 1) };
                    c.invoke(&in_range(t, ALL, page)).await.unwrap()
                };
                let fresh = document_location(&answer, msg);
                assert_ne!(fresh.file_reference, loc.file_reference);
                loc = fresh;
                refreshes += 1;
            }
        }
    }
    assert_eq!(refreshes, 2, "expired after parts 1 and 3");
    assert!(got == want, "resumed at the same offset, bytes intact");
    assert_eq!(dc.stats().errors_of("FILE_REFERENCE_EXPIRED"), 2);
}

/// Alice's video lives on DC 4 (the one fixture file not on DC 2).
fn alice_video(world: &World) -> (i32, i64, u64) {
    let alice = world.resolve_username("fx_alice").unwrap();
    world
        .history_ids(alice)
        .iter()
        .find_map(|&id| match world.message(alice, id).unwrap().media {
            Some(Media::Document(d)) if d.dc_id == 4 => Some((id, d.id, d.size as u64)),
            _ => None,
        })
        .expect("a document on DC 4")
}

#[tokio::test]
async fn files_on_another_served_dc_migrate_there() {
    let (world, dc, c) = setup(Config { dcs: vec![2, 4], ..Config::default() }).await;
    let t = init(&c, takeout_all(8 * MIB)).await;
    let (msg, doc, size) = alice_video(&world);
    let loc = document_location(&fetch_message(&c, t, msg).await, msg);
    let e = common::rpc_error(c.invoke(&in_takeout(t, get_file(loc.clone(), 0, 4096))).await);
    assert_eq!((e.code, e.name.as_str(), e.value), (303, "FILE_MIGRATE", Some(4)));
    // The same request on DC 4 (the same takeout session) is served.
    let mut got = Vec::new();
    loop {
        let part = c.client.invoke_in_dc(4, &in_takeout(t, get_file(loc.clone(), got.len() as i64, 512 << 10))).await.unwrap();
        let part = bytes_of(part);
        let n = part.len();
        got.extend(part);
        if n < 512 << 10 {
            break;
        }
    }
    assert_eq!(got.len() as u64, size);
    assert!(got == world.file_bytes(&FileKey::Document { id: doc }, 0, size as usize).unwrap());
    assert!(dc.addr_of(4).is_some());

    // A single-dc fakedc serves every file itself.
    let (_, single, c1) = setup(Config::default()).await;
    let t1 = init(&c1, takeout_all(8 * MIB)).await;
    let loc = document_location(&fetch_message(&c1, t1, msg).await, msg);
    let first = bytes_of(c1.invoke(&in_takeout(t1, get_file(loc, 0, 4096))).await.unwrap());
    assert!(first == world.file_bytes(&FileKey::Document { id: doc }, 0, 4096).unwrap());
    assert!(single.stats().errors.is_empty());
}
