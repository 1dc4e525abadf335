//! The chat list: messages.getDialogs (per split range), channels
//! .getLeftChannels, and the forum topic list.

use grammers_tl_types as tl;

use super::Call;
use super::history::ids_in_range;
use super::peers;
use crate::error::RpcErr;
use crate::tl::chats;
use crate::world::{Message, Peer};

/// One dialog as getDialogs orders them: newest top message first.
struct Entry {
    peer: Peer,
    top: Message,
}

fn entries(call: &Call) -> Vec<Entry> {
    let mut list: Vec<Entry> = call
        .world
        .dialogs()
        .into_iter()
        .filter_map(|peer| {
            // Inside a range, a dialog is listed when it has messages there,
            // with its newest message of that range on top.
            let top_id = *ids_in_range(call, peer).last()?;
            Some(Entry { peer, top: call.world.message(peer, top_id)? })
        })
        .collect();
    list.sort_by(|a, b| (b.top.date, b.top.id, b.peer).cmp(&(a.top.date, a.top.id, a.peer)));
    list
}

pub fn get_dialogs(call: &Call, req: tl::functions::messages::GetDialogs) -> Result<tl::enums::messages::Dialogs, RpcErr> {
    call.me()?;
    let list = entries(call);
    let start = match peers::input_peer(call, &req.offset_peer).ok().and_then(|p| list.iter().position(|e| e.peer == p)) {
        // Continue after the dialog the client last saw.
        Some(i) => i + 1,
        None if req.offset_date > 0 => list
            .iter()
            .position(|e| (e.top.date, e.top.id) < (req.offset_date, if req.offset_id > 0 { req.offset_id } else { i32::MAX }))
            .unwrap_or(list.len()),
        None => 0,
    };
    let limit = req.limit.clamp(0, 100) as usize;
    let page = &list[start.min(list.len())..(start + limit).min(list.len())];
    let shaper = call.shaper();
    let tops: Vec<Message> = page.iter().map(|e| e.top.clone()).collect();
    let (mut users, mut chats) = shaper.referenced(&tops);
    let (pu, pc) = shaper.peers(page.iter().map(|e| e.peer));
    merge(&mut users, pu, |u| u.id());
    merge(&mut chats, pc, |c| c.id());
    let dialogs: Vec<tl::enums::Dialog> = page
        .iter()
        .map(|e| {
            tl::types::Dialog {
                pinned: false,
                unread_mark: false,
                view_forum_as_messages: false,
                peer: crate::tl::peer(e.peer),
                top_message: e.top.id,
                read_inbox_max_id: e.top.id,
                read_outbox_max_id: e.top.id,
                unread_count: 0,
                unread_mentions_count: 0,
                unread_reactions_count: 0,
                unread_poll_votes_count: 0,
                notify_settings: crate::tl::notify_settings(),
                pts: matches!(e.peer, Peer::Channel(_)).then_some(1),
                draft: None,
                folder_id: None,
                ttl_period: None,
            }
            .into()
        })
        .collect();
    let messages = tops.iter().map(|m| shaper.message(m)).collect();
    if start == 0 && page.len() == list.len() {
        Ok(tl::types::messages::Dialogs { dialogs, messages, chats, users }.into())
    } else {
        Ok(tl::types::messages::DialogsSlice { count: list.len() as i32, dialogs, messages, chats, users }.into())
    }
}

/// Appends what `extra` has that `into` lacks, keeping ascending id order.
fn merge<T>(into: &mut Vec<T>, extra: Vec<T>, id: impl Fn(&T) -> i64) {
    for x in extra {
        if !into.iter().any(|y| id(y) == id(&x)) {
            into.push(x);
        }
    }
    into.sort_by_key(|x| id(x));
}

/// Takeout only. Pages of 100 by offset, like Telegram.
pub fn get_left_channels(call: &Call, req: tl::functions::channels::GetLeftChannels) -> Result<tl::enums::messages::Chats, RpcErr> {
    call.me()?;
    if call.takeout.is_none() {
        return Err(RpcErr::new(403, "TAKEOUT_REQUIRED"));
    }
    let left = call.world.left_channels();
    let start = (req.offset.max(0) as usize).min(left.len());
    let page: Vec<tl::enums::Chat> = left[start..(start + 100).min(left.len())].iter().map(|c| chats::chat(call.world, c)).collect();
    if start == 0 && page.len() == left.len() {
        Ok(tl::types::messages::Chats { chats: page }.into())
    } else {
        Ok(tl::types::messages::ChatsSlice { count: left.len() as i32, chats: page }.into())
    }
}

pub fn get_forum_topics(call: &Call, req: tl::functions::messages::GetForumTopics) -> Result<tl::enums::messages::ForumTopics, RpcErr> {
    let peer = peers::input_peer(call, &req.peer)?;
    peers::readable(call, peer)?;
    let chat = match peer {
        Peer::Channel(id) => call.world.chat(id).filter(|c| c.forum),
        _ => None,
    }
    .ok_or_else(|| RpcErr::bad_request("CHANNEL_FORUM_MISSING"))?;
    // A topic's newest message: scan the history once, newest first.
    let mut top: std::collections::BTreeMap<i32, Message> = Default::default();
    for &id in call.world.history_ids(peer).iter().rev() {
        if top.len() == chat.topics.len() {
            break;
        }
        if let Some(m) = call.world.message(peer, id) {
            let topic = m.reply_to.as_ref().and_then(|r| r.top_id.or(Some(r.msg_id))).filter(|t| chat.topics.iter().any(|x| x.id == *t));
            let topic = topic.or_else(|| chat.topics.iter().find(|t| t.id == m.id).map(|t| t.id));
            if let Some(t) = topic {
                top.entry(t).or_insert(m);
            }
        }
    }
    // Newest topic first; offset_topic continues after that topic.
    let mut list: Vec<_> = chat.topics.iter().collect();
    list.sort_by_key(|t| std::cmp::Reverse((top.get(&t.id).map(|m| m.id).unwrap_or(t.id), t.id)));
    let start = if req.offset_topic > 0 {
        list.iter().position(|t| t.id == req.offset_topic).map(|i| i + 1).unwrap_or(list.len())
    } else {
        0
    };
    let limit = req.limit.clamp(0, 100) as usize;
    let page = &list[start.min(list.len())..(start + limit).min(list.len())];
    let shaper = call.shaper();
    let msgs: Vec<Message> = page.iter().filter_map(|t| top.get(&t.id).cloned()).collect();
    let (users, chats) = shaper.referenced(&msgs);
    Ok(tl::types::messages::ForumTopics {
        order_by_create_date: false,
        count: list.len() as i32,
        topics: page
            .iter()
            .map(|t| crate::tl::account::forum_topic(chat, t, top.get(&t.id).map(|m| m.id).unwrap_or(t.id)))
            .collect(),
        messages: msgs.iter().map(|m| shaper.message(m)).collect(),
        chats,
        users,
        pts: 1,
    }
    .into())
}
