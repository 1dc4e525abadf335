//! One export, start to finish: who am I, open the takeout session, split
//! ranges, the dialog list, the account's own data, then every selected
//! chat's history — several chats at once — into the store, page by page,
//! each page committed with its cursor. Running it again resumes from the
//! cursors; after a finished run it fetches only what is new.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use grammers_tl_types as tl;
use serde::Serialize;
use tl::Serializable;

use crate::api::Api;
use crate::client::Client;
use crate::error::ExportError;
use crate::options::{ChatType, ExportOptions};
use crate::parse::{self, Page};
use crate::progress::{Event, Progress};
use crate::store::{ChatRow, DialogRow, Store, UserRow};

const PAGE: i32 = 100;

/// What an export did, for the final summary (`--json` prints it).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Summary {
    pub takeout_id: i64,
    /// Chats exported this run, by Telegram Desktop's chat type.
    pub chats: BTreeMap<String, u64>,
    /// New messages stored this run, by chat type.
    pub messages: BTreeMap<String, u64>,
    pub messages_total: u64,
    pub contacts: u64,
    pub saved_contacts: u64,
    pub sessions: u64,
    pub profile_photos: u64,
    pub stories: u64,
    pub forum_topics: u64,
    /// With refresh_edits: stored pages that had changed and were fetched again.
    pub pages_refreshed: u64,
    /// Files fetched, linked, unavailable and skipped (by reason).
    pub files: crate::files::FilesSummary,
    /// Chats not exported, with the reason.
    pub skipped: Vec<Skipped>,
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Skipped {
    pub chat: String,
    pub reason: String,
}

/// A chat to fetch: where, how, and which ranges it appears in.
#[derive(Clone)]
struct Job {
    peer: String,
    input: tl::enums::InputPeer,
    name: String,
    kind: ChatType,
    only_mine: bool,
    /// A supergroup organised in topics (their list is exported too).
    forum: bool,
    /// (range, newest id of the chat inside it).
    ranges: Vec<((i32, i32), i32)>,
}

pub async fn export<A: Api>(
    api: A,
    store: Store,
    options: &ExportOptions,
    progress: Arc<dyn Progress>,
) -> Result<(Summary, Store), ExportError> {
    export_until(api, store, options, progress, std::future::pending()).await
}

/// Like [`export`], but stops when `cancel` resolves (the person pressed
/// Ctrl-C): the takeout session is closed without success, the run is
/// recorded as interrupted, and everything stored so far stays.
pub async fn export_until<A: Api>(
    api: A,
    store: Store,
    options: &ExportOptions,
    progress: Arc<dyn Progress>,
    cancel: impl std::future::Future<Output = ()>,
) -> Result<(Summary, Store), ExportError> {
    let started = Instant::now();
    let client = Arc::new(Client::new(api, options.flags, options.concurrency, progress.clone()));
    let store = Arc::new(Mutex::new(store));
    let run = store.lock().unwrap().begin_run(&serde_json::to_string(options).unwrap_or_default(), now())?;
    let result = tokio::select! {
        r = run_export(&client, &store, options, &progress) => r,
        () = cancel => Err(ExportError::Interrupted),
    };
    let mut summary = match result {
        Ok(s) => s,
        Err(e) => {
            // Abort: close the session without success (as Telegram Desktop does).
            if client.takeout_id().is_some() {
                let _ = client.finish(false).await;
            }
            let status = if matches!(e, ExportError::Interrupted) { "interrupted" } else { "failed" };
            let _ = store.lock().unwrap().finish_run(run, status, now());
            return Err(e);
        }
    };
    client.finish(true).await?;
    summary.seconds = started.elapsed().as_secs_f64();
    store.lock().unwrap().finish_run(run, "complete", now())?;
    let store = Arc::try_unwrap(store).ok().expect("all tasks are done").into_inner().unwrap();
    Ok((summary, store))
}

async fn run_export<A: Api>(
    client: &Arc<Client<A>>,
    store: &Arc<Mutex<Store>>,
    options: &ExportOptions,
    progress: &Arc<dyn Progress>,
) -> Result<Summary, ExportError> {
    let mut summary = Summary::default();
    progress.event(Event::Stage("account"));
    let me = client.plain(&tl::functions::users::GetUsers { id: vec![tl::enums::InputUser::UserSelf] }).await?;
    let self_user = me.first().and_then(parse::user_row).ok_or_else(|| ExportError::Api(crate::api::ApiError::Decode("no self user".into())))?;
    if self_user.bot {
        return Err(ExportError::Bot);
    }
    let self_id = self_user.id;
    {
        let mut s = store.lock().unwrap();
        s.put_peers(&[self_user], &[])?;
        s.set_meta("self_id", &self_id.to_string())?;
    }
    summary.takeout_id = client.start_takeout().await?;

    let ranges: Vec<(i32, i32)> = {
        let r = client.call(&tl::functions::messages::GetSplitRanges {}, None).await?;
        let mut r: Vec<(i32, i32)> = r.into_iter().map(|tl::enums::MessageRange::Range(r)| (r.min_id, r.max_id)).collect();
        if r.is_empty() {
            r.push((1, i32::MAX));
        }
        r
    };

    progress.event(Event::Stage("dialogs"));
    let dialogs = fetch_dialogs(client, &ranges).await?;
    let left = if options.left_chats { fetch_left_channels(client).await? } else { Vec::new() };
    let all_users: Vec<UserRow> = dialogs.users.values().filter_map(parse::user_row).collect();
    let all_chats: Vec<ChatRow> = dialogs.chats.values().chain(left.iter()).filter_map(parse::chat_row).collect();
    store.lock().unwrap().put_peers(&all_users, &all_chats)?;

    let jobs = plan(&dialogs, &left, self_id, options, &mut summary)?;
    let rows: Vec<DialogRow> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| DialogRow {
            peer: j.peer.clone(),
            kind: j.kind.name().into(),
            name: j.name.clone(),
            position: i as i64,
            left: j.ranges.is_empty() || left_peer(&left, &j.peer),
            only_mine: j.only_mine,
        })
        .collect();
    store.lock().unwrap().put_dialogs(&rows)?;

    // The account's own data and the chats go at the same time: on a slow
    // link the dozen small requests of the former would otherwise idle the
    // connection before the first page of history is asked for.
    let mut account = Summary::default();
    let sections = async {
        account_sections(client, store, options, self_id, &mut account, progress).await?;
        for job in jobs.iter().filter(|j| j.forum && !j.only_mine) {
            account.forum_topics += fetch_topics(client, store, job).await?;
        }
        Ok::<_, ExportError>(())
    };
    let chats = fetch_chats(client, store, options, jobs.clone(), progress);
    let (sections, chats) = tokio::join!(sections, chats);
    sections?;
    let chats = chats?;
    summary.contacts = account.contacts;
    summary.saved_contacts = account.saved_contacts;
    summary.sessions = account.sessions;
    summary.profile_photos = account.profile_photos;
    summary.stories = account.stories;
    summary.forum_topics = account.forum_topics;
    summary.chats = chats.chats;
    summary.messages = chats.messages;
    summary.messages_total = chats.messages_total;
    summary.pages_refreshed = chats.pages_refreshed;
    // Files last, inside the same takeout session: by now every message,
    // profile photo and story that refers to one is in the store.
    summary.files = crate::files::run(client, store, options, progress).await?;
    Ok(summary)
}

/// Every selected chat's history, several chats at once.
async fn fetch_chats<A: Api>(
    client: &Arc<Client<A>>,
    store: &Arc<Mutex<Store>>,
    options: &ExportOptions,
    jobs: Vec<Job>,
    progress: &Arc<dyn Progress>,
) -> Result<Summary, ExportError> {
    let mut out = Summary::default();
    progress.event(Event::Stage("messages"));
    progress.event(Event::ChatsPlanned { chats: jobs.len() });
    let me_input = tl::enums::InputPeer::PeerSelf;
    let mut tasks = tokio::task::JoinSet::new();
    // Chats run concurrently; the client's limiter bounds requests in flight.
    let chat_slots = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
    for job in jobs {
        let (client, store, progress, me_input) = (client.clone(), store.clone(), progress.clone(), me_input.clone());
        let (since, until) = (options.since, options.until);
        let refresh = options.refresh_edits && since.is_none() && until.is_none();
        let slots = chat_slots.clone();
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("semaphore lives");
            let n = fetch_chat(&client, &store, &job, &me_input, since, until, &progress).await?;
            let edited = if refresh && !job.only_mine { refresh_edits(&client, &store, &job).await? } else { 0 };
            progress.event(Event::ChatDone { name: job.name.clone(), messages: n });
            Ok::<_, ExportError>((job.kind, n, edited))
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (kind, n, edited) = done.expect("chat task does not panic")?;
        out.pages_refreshed += edited;
        *out.chats.entry(kind.name().into()).or_default() += 1;
        *out.messages.entry(kind.name().into()).or_default() += n;
        out.messages_total += n;
    }
    Ok(out)
}

struct Dialogs {
    /// Peer key -> (input peer, ranges with the top id inside each), in dialog-list order.
    order: Vec<String>,
    found: HashMap<String, (tl::enums::Peer, Vec<((i32, i32), i32)>)>,
    users: BTreeMap<i64, tl::enums::User>,
    chats: BTreeMap<i64, tl::enums::Chat>,
}

async fn fetch_dialogs<A: Api>(client: &Client<A>, ranges: &[(i32, i32)]) -> Result<Dialogs, ExportError> {
    let mut d = Dialogs { order: vec![], found: HashMap::new(), users: BTreeMap::new(), chats: BTreeMap::new() };
    // Newest range first, as Telegram Desktop does, so the list starts with the newest chats.
    for &range in ranges.iter().rev() {
        let (mut offset_date, mut offset_id, mut offset_peer) = (0, 0, tl::enums::InputPeer::Empty);
        // Dialogs listed in this range so far (a dialog appears in every range it has messages in).
        let mut in_range = 0i32;
        loop {
            let req = tl::functions::messages::GetDialogs {
                exclude_pinned: false,
                folder_id: None,
                offset_date,
                offset_id,
                offset_peer: offset_peer.clone(),
                limit: PAGE,
                hash: 0,
            };
            let (dialogs, messages, users, chats, count) = match client.call(&req, Some(range)).await? {
                tl::enums::messages::Dialogs::Dialogs(x) => (x.dialogs, x.messages, x.users, x.chats, None),
                tl::enums::messages::Dialogs::Slice(x) => (x.dialogs, x.messages, x.users, x.chats, Some(x.count)),
                tl::enums::messages::Dialogs::NotModified(_) => break,
            };
            for u in users {
                d.users.insert(u.id(), u);
            }
            for c in chats {
                d.chats.insert(c.id(), c);
            }
            let got = dialogs.len();
            let mut last = None;
            for dialog in dialogs {
                let tl::enums::Dialog::Dialog(dl) = dialog else { continue };
                let key = parse::peer_key(&dl.peer);
                let entry = d.found.entry(key.clone()).or_insert_with(|| {
                    d.order.push(key.clone());
                    (dl.peer.clone(), Vec::new())
                });
                entry.1.push((range, dl.top_message));
                let top = messages.iter().find(|m| parse::message_id(m) == dl.top_message && msg_peer(m).as_ref() == Some(&dl.peer));
                last = Some((top.map(parse::message_date).unwrap_or(0), dl.top_message, dl.peer.clone()));
            }
            in_range += got as i32;
            match (count, last) {
                (Some(total), Some((date, id, peer))) if got as i32 == PAGE && in_range < total => {
                    offset_date = date;
                    offset_id = id;
                    offset_peer = input_peer(&peer, &d.users, &d.chats);
                }
                _ => break,
            }
        }
    }
    Ok(d)
}

fn msg_peer(m: &tl::enums::Message) -> Option<tl::enums::Peer> {
    match m {
        tl::enums::Message::Message(m) => Some(m.peer_id.clone()),
        tl::enums::Message::Service(m) => Some(m.peer_id.clone()),
        tl::enums::Message::Empty(_) => None,
    }
}

async fn fetch_left_channels<A: Api>(client: &Client<A>) -> Result<Vec<tl::enums::Chat>, ExportError> {
    let mut out = Vec::new();
    loop {
        let got = client.call(&tl::functions::channels::GetLeftChannels { offset: out.len() as i32 }, None).await?;
        let (chats, count) = match got {
            tl::enums::messages::Chats::Chats(c) => (c.chats, None),
            tl::enums::messages::Chats::Slice(c) => (c.chats, Some(c.count)),
        };
        let empty = chats.is_empty();
        out.extend(chats);
        if empty || count.is_none_or(|c| out.len() as i32 >= c) {
            return Ok(out);
        }
    }
}

fn left_peer(left: &[tl::enums::Chat], peer: &str) -> bool {
    left.iter().any(|c| format!("channel{}", c.id()) == peer)
}

pub fn input_peer(
    peer: &tl::enums::Peer,
    users: &BTreeMap<i64, tl::enums::User>,
    chats: &BTreeMap<i64, tl::enums::Chat>,
) -> tl::enums::InputPeer {
    match peer {
        tl::enums::Peer::User(u) => match users.get(&u.user_id) {
            Some(tl::enums::User::User(x)) if x.is_self => tl::enums::InputPeer::PeerSelf,
            Some(tl::enums::User::User(x)) => {
                tl::types::InputPeerUser { user_id: x.id, access_hash: x.access_hash.unwrap_or(0) }.into()
            }
            _ => tl::enums::InputPeer::Empty,
        },
        tl::enums::Peer::Chat(c) => tl::types::InputPeerChat { chat_id: c.chat_id }.into(),
        tl::enums::Peer::Channel(c) => match chats.get(&c.channel_id) {
            Some(tl::enums::Chat::Channel(x)) => {
                tl::types::InputPeerChannel { channel_id: x.id, access_hash: x.access_hash.unwrap_or(0) }.into()
            }
            Some(tl::enums::Chat::ChannelForbidden(x)) => {
                tl::types::InputPeerChannel { channel_id: x.id, access_hash: x.access_hash }.into()
            }
            _ => tl::enums::InputPeer::Empty,
        },
    }
}

/// Telegram Desktop's chat type of a dialog.
fn chat_type(peer: &tl::enums::Peer, self_id: i64, users: &BTreeMap<i64, tl::enums::User>, chats: &BTreeMap<i64, tl::enums::Chat>) -> Option<ChatType> {
    Some(match peer {
        tl::enums::Peer::User(u) if u.user_id == self_id => ChatType::SavedMessages,
        tl::enums::Peer::User(u) => match users.get(&u.user_id) {
            Some(tl::enums::User::User(x)) if x.bot => ChatType::BotChat,
            _ => ChatType::PersonalChat,
        },
        tl::enums::Peer::Chat(_) => ChatType::PrivateGroup,
        tl::enums::Peer::Channel(c) => match chats.get(&c.channel_id)? {
            tl::enums::Chat::Channel(x) => match (x.megagroup, x.username.is_some()) {
                (true, true) => ChatType::PublicSupergroup,
                (true, false) => ChatType::PrivateSupergroup,
                (false, true) => ChatType::PublicChannel,
                (false, false) => ChatType::PrivateChannel,
            },
            tl::enums::Chat::ChannelForbidden(x) => {
                if x.megagroup { ChatType::PrivateSupergroup } else { ChatType::PrivateChannel }
            }
            _ => return None,
        },
    })
}

fn display_name(peer: &tl::enums::Peer, users: &BTreeMap<i64, tl::enums::User>, chats: &BTreeMap<i64, tl::enums::Chat>) -> (String, Option<String>) {
    match peer {
        tl::enums::Peer::User(u) => match users.get(&u.user_id) {
            Some(tl::enums::User::User(x)) if x.is_self => ("Saved Messages".into(), x.username.clone()),
            Some(tl::enums::User::User(x)) if x.deleted => ("Deleted Account".into(), None),
            Some(tl::enums::User::User(x)) => {
                let name = [x.first_name.as_deref(), x.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                (name, x.username.clone())
            }
            _ => (format!("user{}", u.user_id), None),
        },
        tl::enums::Peer::Chat(c) => match chats.get(&c.chat_id) {
            Some(tl::enums::Chat::Chat(x)) => (x.title.clone(), None),
            Some(tl::enums::Chat::Forbidden(x)) => (x.title.clone(), None),
            _ => (format!("chat{}", c.chat_id), None),
        },
        tl::enums::Peer::Channel(c) => match chats.get(&c.channel_id) {
            Some(tl::enums::Chat::Channel(x)) => (x.title.clone(), x.username.clone()),
            Some(tl::enums::Chat::ChannelForbidden(x)) => (x.title.clone(), None),
            _ => (format!("channel{}", c.channel_id), None),
        },
    }
}

/// Which chats to fetch, and how.
fn plan(dialogs: &Dialogs, left: &[tl::enums::Chat], self_id: i64, o: &ExportOptions, summary: &mut Summary) -> Result<Vec<Job>, ExportError> {
    let mut chats = dialogs.chats.clone();
    for c in left {
        chats.insert(c.id(), c.clone());
    }
    let mut candidates: Vec<(String, tl::enums::Peer, Vec<((i32, i32), i32)>, bool)> =
        dialogs.order.iter().map(|k| (k.clone(), dialogs.found[k].0.clone(), dialogs.found[k].1.clone(), false)).collect();
    for c in left {
        let peer: tl::enums::Peer = tl::types::PeerChannel { channel_id: c.id() }.into();
        // A left chat is read in the last range (channels belong there), own messages only.
        candidates.push((parse::peer_key(&peer), peer, vec![((1, i32::MAX), i32::MAX)], true));
    }
    let mut jobs = Vec::new();
    let mut matched = vec![false; o.include.len()];
    for (key, peer, ranges, is_left) in candidates {
        let Some(kind) = chat_type(&peer, self_id, &dialogs.users, &chats) else { continue };
        let (name, username) = display_name(&peer, &dialogs.users, &chats);
        let id = key.trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse::<i64>().unwrap_or(0);
        let hit = |s: &crate::options::Selector| s.matches(&key, id, username.as_deref(), &name);
        if !o.include.is_empty() {
            let mut any = false;
            for (i, s) in o.include.iter().enumerate() {
                if hit(s) {
                    matched[i] = true;
                    any = true;
                }
            }
            if !any {
                continue;
            }
        } else if !o.chat_types.contains(&kind) {
            continue;
        }
        if o.exclude.iter().any(hit) {
            summary.skipped.push(Skipped { chat: name, reason: "excluded".into() });
            continue;
        }
        if !kind.allowed_by(&o.flags) {
            summary.skipped.push(Skipped { chat: name, reason: format!("{} messages are not part of this takeout's flags", kind.name()) });
            continue;
        }
        let range_list = if is_left {
            ranges
        } else {
            ranges
        };
        let forum = matches!(&peer, tl::enums::Peer::Channel(c) if matches!(chats.get(&c.channel_id), Some(tl::enums::Chat::Channel(x)) if x.forum));
        jobs.push(Job {
            forum,
            input: input_peer(&peer, &dialogs.users, &chats),
            peer: key,
            name,
            kind,
            only_mine: is_left || o.only_mine.contains(&kind),
            ranges: range_list,
        });
    }
    if let Some(i) = matched.iter().position(|m| !m) {
        return Err(ExportError::NoMatch(format!("{:?}", o.include[i])));
    }
    Ok(jobs)
}

/// Fetches one chat, oldest to newest, from its cursors. Returns how many
/// new messages were stored.
async fn fetch_chat<A: Api>(
    client: &Client<A>,
    store: &Mutex<Store>,
    job: &Job,
    me: &tl::enums::InputPeer,
    since: Option<i32>,
    until: Option<i32>,
    progress: &Arc<dyn Progress>,
) -> Result<u64, ExportError> {
    let mut stored = 0u64;
    for &(range, top) in &job.ranges {
        let mut last = store.lock().unwrap().cursor(&job.peer, range.0)?;
        // Nothing new since the last run: no request at all.
        if last.is_some_and(|l| l >= top) {
            continue;
        }
        loop {
            let (offset_id, offset_date) = match (last, since) {
                (Some(l), _) => (l + 1, 0),
                (None, Some(s)) => (0, s),
                (None, None) => (1, 0),
            };
            let page: Page = if job.only_mine {
                parse::page(client.call(&search(job.input.clone(), me.clone(), offset_id, PAGE), Some(range)).await?)
            } else {
                let req = tl::functions::messages::GetHistory {
                    peer: job.input.clone(),
                    offset_id,
                    offset_date,
                    add_offset: -PAGE,
                    limit: PAGE,
                    max_id: 0,
                    min_id: 0,
                    hash: 0,
                };
                match client.call(&req, Some(range)).await {
                    Ok(p) => parse::page(p),
                    // A private channel that is closed to us: our own messages are still ours.
                    Err(ExportError::Api(e)) if e.is("CHANNEL_PRIVATE") => {
                        parse::page(client.call(&search(job.input.clone(), me.clone(), offset_id, PAGE), Some(range)).await?)
                    }
                    Err(e) => return Err(e),
                }
            };
            let floor = last.unwrap_or(0);
            let new: Vec<&tl::enums::Message> = page.messages.iter().filter(|m| parse::message_id(m) > floor).collect();
            let Some(max_id) = new.iter().map(|m| parse::message_id(m)).max() else { break };
            let rows: Vec<_> = new
                .iter()
                .filter_map(|m| parse::message_row(m))
                .filter(|r| r.peer == job.peer)
                .filter(|r| since.is_none_or(|s| r.date >= s) && until.is_none_or(|u| r.date <= u))
                .collect();
            let users: Vec<UserRow> = page.users.iter().filter_map(parse::user_row).collect();
            let chats: Vec<ChatRow> = page.chats.iter().filter_map(parse::chat_row).collect();
            store.lock().unwrap().save_page(&job.peer, range, &rows, max_id, &users, &chats)?;
            stored += rows.len() as u64;
            progress.event(Event::Messages(rows.len() as u64));
            last = Some(max_id);
            let past_until = until.is_some_and(|u| new.iter().all(|m| parse::message_date(m) > u));
            if (page.messages.len() as i32) < PAGE || past_until {
                break;
            }
        }
    }
    Ok(stored)
}

/// Re-checks a chat's stored messages for edits: for each stored page of
/// 100 (oldest first) it sends getHistory for exactly that window with the
/// page's hash — Telegram's hash generation over (id, edit_date), newest
/// first — and stores the page again only when Telegram answers with it
/// instead of messagesNotModified. Returns how many pages changed.
async fn refresh_edits<A: Api>(client: &Client<A>, store: &Mutex<Store>, job: &Job) -> Result<u64, ExportError> {
    let mut changed = 0;
    for &(range, _) in &job.ranges {
        let versions = store.lock().unwrap().versions(&job.peer, range)?;
        for chunk in versions.chunks(PAGE as usize) {
            let hash = page_hash(chunk.iter().rev());
            let req = tl::functions::messages::GetHistory {
                peer: job.input.clone(),
                offset_id: chunk[0].0,
                offset_date: 0,
                add_offset: -PAGE,
                limit: PAGE,
                max_id: 0,
                min_id: 0,
                hash,
            };
            let answer = client.call(&req, Some(range)).await?;
            if matches!(answer, tl::enums::messages::Messages::NotModified(_)) {
                continue;
            }
            let page = parse::page(answer);
            let rows: Vec<_> = page.messages.iter().filter_map(parse::message_row).filter(|r| r.peer == job.peer).collect();
            let Some(max_id) = rows.iter().map(|r| r.id).max() else { continue };
            let users: Vec<UserRow> = page.users.iter().filter_map(parse::user_row).collect();
            let chats: Vec<ChatRow> = page.chats.iter().filter_map(parse::chat_row).collect();
            store.lock().unwrap().save_page(&job.peer, range, &rows, max_id, &users, &chats)?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Telegram's hash generation (core.telegram.org/api/offsets), fed with
/// each message's id and edit date.
pub fn page_hash<'a>(versions: impl Iterator<Item = &'a (i32, Option<i32>)>) -> i64 {
    let mut h: u64 = 0;
    for (id, edit) in versions {
        for v in [*id as u64, edit.unwrap_or(0) as u64] {
            h ^= h >> 21;
            h ^= h << 35;
            h ^= h >> 4;
            h = h.wrapping_add(v);
        }
    }
    h as i64
}

/// The topic list of a forum (names, icons, creation dates); the topics'
/// messages come with the chat's history (reply_to.top_id).
async fn fetch_topics<A: Api>(client: &Client<A>, store: &Mutex<Store>, job: &Job) -> Result<u64, ExportError> {
    let mut items = Vec::new();
    let mut offset_topic = 0;
    loop {
        let req = tl::functions::messages::GetForumTopics {
            peer: job.input.clone(),
            q: None,
            offset_date: 0,
            offset_id: 0,
            offset_topic,
            limit: PAGE,
        };
        let tl::enums::messages::ForumTopics::Topics(page) = client.call(&req, None).await?;
        let n = page.topics.len();
        for t in &page.topics {
            let id = match t {
                tl::enums::ForumTopic::Topic(t) => t.id,
                tl::enums::ForumTopic::Deleted(t) => t.id,
            };
            items.push((format!("{}/{id:010}", job.peer), t.to_bytes()));
            offset_topic = id;
        }
        if n == 0 || items.len() as i32 >= page.count {
            break;
        }
    }
    let n = items.len() as u64;
    store.lock().unwrap().put_item_group("forum_topic", &job.peer, &items)?;
    Ok(n)
}

fn search(peer: tl::enums::InputPeer, me: tl::enums::InputPeer, offset_id: i32, limit: i32) -> tl::functions::messages::Search {
    tl::functions::messages::Search {
        peer,
        q: String::new(),
        from_id: Some(me),
        saved_peer_id: None,
        saved_reaction: None,
        top_msg_id: None,
        filter: tl::enums::MessagesFilter::InputMessagesFilterEmpty,
        min_date: 0,
        max_date: 0,
        offset_id,
        add_offset: -limit,
        limit,
        max_id: 0,
        min_id: 0,
        hash: 0,
    }
}

/// Personal info, profile photos, stories, contacts, sessions.
async fn account_sections<A: Api>(
    client: &Client<A>,
    store: &Mutex<Store>,
    o: &ExportOptions,
    self_id: i64,
    summary: &mut Summary,
    progress: &Arc<dyn Progress>,
) -> Result<(), ExportError> {
    let key = |i: usize| format!("{i:08}");
    if o.personal_info {
        progress.event(Event::Stage("personal info"));
        let full = client.call(&tl::functions::users::GetFullUser { id: tl::enums::InputUser::UserSelf }, None).await?;
        store.lock().unwrap().put_items("personal_info", &[(self_id.to_string(), full.to_bytes())])?;
    }
    if o.profile_photos {
        progress.event(Event::Stage("profile photos"));
        let mut photos = Vec::new();
        loop {
            let req = tl::functions::photos::GetUserPhotos { user_id: tl::enums::InputUser::UserSelf, offset: photos.len() as i32, max_id: 0, limit: PAGE };
            let (page, count) = match client.call(&req, None).await? {
                tl::enums::photos::Photos::Photos(p) => (p.photos, None),
                tl::enums::photos::Photos::Slice(p) => (p.photos, Some(p.count)),
            };
            let empty = page.is_empty();
            photos.extend(page);
            if empty || count.is_none_or(|c| photos.len() as i32 >= c) {
                break;
            }
        }
        summary.profile_photos = photos.len() as u64;
        let items: Vec<_> = photos.iter().enumerate().map(|(i, p)| (key(i), p.to_bytes())).collect();
        store.lock().unwrap().put_items("profile_photo", &items)?;
    }
    if o.stories {
        progress.event(Event::Stage("stories"));
        let mut stories = Vec::new();
        let mut offset_id = 0;
        loop {
            let req = tl::functions::stories::GetStoriesArchive { peer: tl::enums::InputPeer::PeerSelf, offset_id, limit: PAGE };
            let tl::enums::stories::Stories::Stories(s) = client.call(&req, None).await?;
            let Some(min) = s.stories.iter().map(story_id).min() else { break };
            let n = s.stories.len();
            stories.extend(s.stories);
            offset_id = min;
            if (n as i32) < PAGE || stories.len() as i32 >= s.count {
                break;
            }
        }
        summary.stories = stories.len() as u64;
        let items: Vec<_> = stories.iter().map(|s| (format!("{:010}", story_id(s)), s.to_bytes())).collect();
        store.lock().unwrap().put_items("story", &items)?;
    }
    if o.flags.contacts {
        progress.event(Event::Stage("contacts"));
        let c = match client.call(&tl::functions::contacts::GetContacts { hash: 0 }, None).await? {
            tl::enums::contacts::Contacts::Contacts(c) => c,
            // Only answered to a non-zero hash, which is never sent.
            tl::enums::contacts::Contacts::NotModified => {
                tl::types::contacts::Contacts { contacts: vec![], saved_count: 0, users: vec![] }
            }
        };
        summary.contacts = c.contacts.len() as u64;
        let users: Vec<UserRow> = c.users.iter().filter_map(parse::user_row).collect();
        let items: Vec<_> = c.contacts.iter().enumerate().map(|(i, x)| (key(i), x.to_bytes())).collect();
        let saved = client.call(&tl::functions::contacts::GetSaved {}, None).await?;
        summary.saved_contacts = saved.len() as u64;
        let saved_items: Vec<_> = saved.iter().enumerate().map(|(i, x)| (key(i), x.to_bytes())).collect();
        let top = client
            .call(
                &tl::functions::contacts::GetTopPeers {
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
                    limit: PAGE,
                    hash: 0,
                },
                None,
            )
            .await?;
        let mut s = store.lock().unwrap();
        s.put_peers(&users, &[])?;
        s.put_items("contact", &items)?;
        s.put_items("saved_contact", &saved_items)?;
        s.put_items("top_peers", &[("0".into(), top.to_bytes())])?;
    }
    if o.sessions {
        progress.event(Event::Stage("sessions"));
        let tl::enums::account::Authorizations::Authorizations(a) = client.call(&tl::functions::account::GetAuthorizations {}, None).await?;
        let tl::enums::account::WebAuthorizations::Authorizations(w) = client.call(&tl::functions::account::GetWebAuthorizations {}, None).await?;
        summary.sessions = (a.authorizations.len() + w.authorizations.len()) as u64;
        let mut s = store.lock().unwrap();
        s.put_items("session", &a.authorizations.iter().enumerate().map(|(i, x)| (key(i), x.to_bytes())).collect::<Vec<_>>())?;
        s.put_items("web_session", &w.authorizations.iter().enumerate().map(|(i, x)| (key(i), x.to_bytes())).collect::<Vec<_>>())?;
    }
    Ok(())
}

fn story_id(s: &tl::enums::StoryItem) -> i32 {
    match s {
        tl::enums::StoryItem::Item(x) => x.id,
        tl::enums::StoryItem::Skipped(x) => x.id,
        tl::enums::StoryItem::Deleted(x) => x.id,
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
