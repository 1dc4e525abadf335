//! Message history: messages.getSplitRanges, messages.getHistory,
//! messages.search (from_id = self, the takeout "only my messages" form),
//! messages.getMessages and channels.getMessages, with Telegram's paging.
//!
//! Ranges: getSplitRanges cuts the common-box id space (private chats and
//! basic groups share one account-wide sequence) into ranges of
//! `split_size` ids, the last one open to i32::MAX. Channels and
//! supergroups number their own messages, so they belong to the last range
//! only: inside any other range their history is empty. Every message is
//! therefore reachable through exactly one range.

use grammers_tl_types as tl;

use super::Call;
use super::peers;
use crate::error::RpcErr;
use crate::world::{Message, Peer};

/// Telegram caps a history page at 100 messages.
pub const MAX_LIMIT: i32 = 100;

pub fn get_split_ranges(call: &Call, _: tl::functions::messages::GetSplitRanges) -> Result<Vec<tl::enums::MessageRange>, RpcErr> {
    call.me()?;
    Ok(split_ranges(call.world.max_common_id(), call.dc.split_size)
        .into_iter()
        .map(|(min_id, max_id)| tl::types::MessageRange { min_id, max_id }.into())
        .collect())
}

/// The ranges for an account whose largest common-box id is `max_id`. Empty
/// (meaning "one range, 1..i32::MAX") while one range would do.
pub fn split_ranges(max_id: i32, split_size: i32) -> Vec<(i32, i32)> {
    if split_size <= 0 || max_id <= split_size {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut lo = 1;
    while lo + split_size <= max_id {
        out.push((lo, lo + split_size - 1));
        lo += split_size;
    }
    out.push((lo, i32::MAX));
    out
}

/// The ids of `peer` visible inside the request's range, ascending.
pub fn ids_in_range<'w>(call: &Call<'w>, peer: Peer) -> &'w [i32] {
    let ids = call.world.history_ids(peer);
    match call.range {
        None => ids,
        Some((min, max)) if peer.in_common_box() => {
            let lo = ids.partition_point(|&id| id < min);
            let hi = ids.partition_point(|&id| id <= max);
            &ids[lo..hi.max(lo)]
        }
        Some((_, max)) => if max == i32::MAX { ids } else { &[] },
    }
}

/// The paging parameters every history-like method shares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paging {
    pub offset_id: i32,
    pub offset_date: i32,
    pub add_offset: i32,
    pub limit: i32,
    pub max_id: i32,
    pub min_id: i32,
}

/// Telegram's window over a history: `ids` ascending, result newest first.
///
/// The anchor is the position (in newest-first order) of the first message
/// older than `offset_id` (or, with no offset_id, older than `offset_date`;
/// offset_id wins when both are given, as Telethon relies on). The window is
/// `limit` messages starting `add_offset` from the anchor, so a negative
/// add_offset reaches newer messages: offset_id = last + 1, add_offset =
/// -100, limit = 100 walks a chat oldest to newest, as Telegram Desktop does.
/// max_id and min_id (exclusive bounds) filter before the window is taken.
pub fn window(ids: &[i32], date_of: impl Fn(i32) -> i32, p: &Paging) -> Vec<i32> {
    let lo = if p.min_id > 0 { ids.partition_point(|&id| id <= p.min_id) } else { 0 };
    let hi = if p.max_id > 0 { ids.partition_point(|&id| id < p.max_id) } else { ids.len() };
    let ids = &ids[lo..hi.max(lo)];
    let n = ids.len() as i64;
    // Number of messages at or above the anchor = index of the anchor in newest-first order.
    let above = if p.offset_id > 0 {
        n - ids.partition_point(|&id| id < p.offset_id) as i64
    } else if p.offset_date > 0 {
        // Dates grow with ids within a history.
        n - ids.partition_point(|&id| date_of(id) < p.offset_date) as i64
    } else {
        0
    };
    let limit = p.limit.clamp(0, MAX_LIMIT) as i64;
    let start = (above + p.add_offset as i64).max(0);
    let end = (above + p.add_offset as i64 + limit).min(n);
    (start..end.max(start)).map(|i| ids[(n - 1 - i) as usize]).collect()
}

pub fn get_history(call: &Call, req: tl::functions::messages::GetHistory) -> Result<tl::enums::messages::Messages, RpcErr> {
    let peer = peers::input_peer(call, &req.peer)?;
    peers::readable(call, peer)?;
    peers::takeout_allows_messages(call, peer)?;
    let ids = ids_in_range(call, peer);
    let paging = Paging {
        offset_id: req.offset_id,
        offset_date: req.offset_date,
        add_offset: req.add_offset,
        limit: req.limit,
        max_id: req.max_id,
        min_id: req.min_id,
    };
    page(call, peer, ids, &paging, req.hash)
}

/// messages.search: only the empty query with from_id = self (and no
/// filter) is served — what takeout's "only my messages" needs.
pub fn search(call: &Call, req: tl::functions::messages::Search) -> Result<tl::enums::messages::Messages, RpcErr> {
    let me = call.me()?;
    let peer = peers::input_peer(call, &req.peer)?;
    peers::takeout_allows_messages(call, peer)?;
    let from_me = match &req.from_id {
        Some(from) => peers::input_peer(call, from)? == Peer::User(me),
        None => false,
    };
    if !req.q.is_empty() || !from_me || !matches!(req.filter, tl::enums::MessagesFilter::InputMessagesFilterEmpty) {
        tracing::warn!("fakedc serves messages.search only with an empty query, from_id = self and no filter");
        return Err(RpcErr::bad_request("SEARCH_QUERY_NOT_SUPPORTED_BY_FAKEDC"));
    }
    // Own messages can be found even where the history is closed (a left
    // private channel), which is why Telegram Desktop searches there.
    let mine: Vec<i32> = ids_in_range(call, peer)
        .iter()
        .copied()
        .filter(|&id| call.world.message(peer, id).is_some_and(|m| is_mine(&m, me)))
        .collect();
    let paging = Paging {
        offset_id: req.offset_id,
        offset_date: 0,
        add_offset: req.add_offset,
        limit: req.limit,
        max_id: req.max_id,
        min_id: req.min_id,
    };
    page(call, peer, &mine, &paging, req.hash)
}

fn is_mine(m: &Message, me: i64) -> bool {
    m.out || m.from == Some(Peer::User(me))
}

/// One page of `ids` (ascending) shaped as Telegram answers: channelMessages
/// for channels; for the rest messages.messages when the page holds the
/// whole history, else messagesSlice with the total count.
fn page(call: &Call, peer: Peer, ids: &[i32], paging: &Paging, hash: i64) -> Result<tl::enums::messages::Messages, RpcErr> {
    let w = call.world;
    let date_of = |id| w.message(peer, id).map(|m| m.date).unwrap_or(0);
    let picked = window(ids, date_of, paging);
    let msgs: Vec<Message> = picked.iter().filter_map(|&id| w.message(peer, id)).collect();
    let count = ids.len() as i32;
    if hash != 0 && hash == page_hash(&msgs) {
        return Ok(tl::types::messages::MessagesNotModified { count }.into());
    }
    Ok(shape_messages(call, peer, &msgs, count))
}

pub fn shape_messages(call: &Call, peer: Peer, msgs: &[Message], count: i32) -> tl::enums::messages::Messages {
    let shaper = call.shaper();
    let (users, chats) = shaper.referenced(msgs);
    let messages: Vec<tl::enums::Message> = msgs.iter().map(|m| shaper.message(m)).collect();
    if let Peer::Channel(_) = peer {
        return tl::types::messages::ChannelMessages {
            inexact: false,
            pts: 1,
            count,
            offset_id_offset: None,
            messages,
            topics: vec![],
            chats,
            users,
        }
        .into();
    }
    if messages.len() as i32 >= count {
        tl::types::messages::Messages { messages, topics: vec![], chats, users }.into()
    } else {
        tl::types::messages::MessagesSlice {
            inexact: false,
            count,
            next_rate: None,
            offset_id_offset: None,
            search_flood: None,
            messages,
            topics: vec![],
            chats,
            users,
        }
        .into()
    }
}

/// Telegram's paging hash over (id, edit_date) pairs: a client that sends
/// it back gets messagesNotModified when nothing changed.
pub fn page_hash(msgs: &[Message]) -> i64 {
    let mut h: u64 = 0;
    for m in msgs {
        for v in [m.id as u64, m.edit_date.unwrap_or(0) as u64] {
            h ^= h >> 21;
            h ^= h << 35;
            h ^= h >> 4;
            h = h.wrapping_add(v);
        }
    }
    h as i64
}

pub fn get_messages(call: &Call, req: tl::functions::messages::GetMessages) -> Result<tl::enums::messages::Messages, RpcErr> {
    call.me()?;
    let mut found = Vec::new();
    for input in &req.id {
        let tl::enums::InputMessage::Id(m) = input else { continue };
        if let Some(peer) = call.world.common_box_peer(m.id) {
            if in_range(call, peer, m.id) {
                // Refused like getHistory, not silently left out (docs/fakedc.md).
                peers::takeout_allows_messages(call, peer)?;
                found.extend(call.world.message(peer, m.id));
            }
        }
    }
    // A common-box answer is never a channel page: any user peer shapes it.
    let count = found.len() as i32;
    Ok(shape_messages(call, Peer::User(call.me()?), &found, count))
}

pub fn get_channel_messages(call: &Call, req: tl::functions::channels::GetMessages) -> Result<tl::enums::messages::Messages, RpcErr> {
    let peer = peers::input_channel(call, &req.channel)?;
    peers::readable(call, peer)?;
    peers::takeout_allows_messages(call, peer)?;
    let found: Vec<Message> = req
        .id
        .iter()
        .filter_map(|input| match input {
            tl::enums::InputMessage::Id(m) if in_range(call, peer, m.id) => call.world.message(peer, m.id),
            _ => None,
        })
        .collect();
    let count = found.len() as i32;
    Ok(shape_messages(call, peer, &found, count))
}

fn in_range(call: &Call, peer: Peer, id: i32) -> bool {
    match call.range {
        None => true,
        Some((min, max)) if peer.in_common_box() => (min..=max).contains(&id),
        Some((_, max)) => max == i32::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(offset_id: i32, add_offset: i32, limit: i32) -> Paging {
        Paging { offset_id, add_offset, limit, ..Paging::default() }
    }

    #[test]
    fn windows_match_telegram() {
        let ids: Vec<i32> = (1..=10).collect();
        let d = |id: i32| id * 10;
        // Newest first from the top.
        assert_eq!(window(&ids, d, &p(0, 0, 3)), vec![10, 9, 8]);
        // Older than offset_id.
        assert_eq!(window(&ids, d, &p(5, 0, 3)), vec![4, 3, 2]);
        // Oldest to newest paging: offset_id = last + 1, add_offset = -limit.
        assert_eq!(window(&ids, d, &p(1, -3, 3)), vec![3, 2, 1]);
        assert_eq!(window(&ids, d, &p(4, -3, 3)), vec![6, 5, 4]);
        assert_eq!(window(&ids, d, &p(10, -3, 3)), vec![10]);
        assert_eq!(window(&ids, d, &p(11, -3, 3)), Vec::<i32>::new());
        // Positive add_offset skips.
        assert_eq!(window(&ids, d, &p(0, 2, 3)), vec![8, 7, 6]);
        // A window straddling the anchor.
        assert_eq!(window(&ids, d, &p(6, -2, 4)), vec![7, 6, 5, 4]);
        // Date anchor, and offset_id winning over it.
        assert_eq!(window(&ids, d, &Paging { offset_date: 45, limit: 2, ..Paging::default() }), vec![4, 3]);
        assert_eq!(window(&ids, d, &Paging { offset_id: 3, offset_date: 95, limit: 5, ..Paging::default() }), vec![2, 1]);
        // max_id / min_id are exclusive bounds.
        assert_eq!(window(&ids, d, &Paging { max_id: 6, min_id: 2, limit: 100, ..Paging::default() }), vec![5, 4, 3]);
        // Limits are capped at 100; zero gives nothing.
        let many: Vec<i32> = (1..=500).collect();
        assert_eq!(window(&many, d, &p(0, 0, 1000)).len(), 100);
        assert!(window(&many, d, &p(0, 0, 0)).is_empty());
    }

    #[test]
    fn split_ranges_partition_the_id_space() {
        assert!(split_ranges(100, 1000).is_empty());
        let r = split_ranges(2500, 1000);
        assert_eq!(r, vec![(1, 1000), (1001, 2000), (2001, i32::MAX)]);
        let r = split_ranges(3000, 1000);
        assert_eq!(r.last(), Some(&(2001, i32::MAX)));
        for w in r.windows(2) {
            assert_eq!(w[0].1 + 1, w[1].0);
        }
    }
}
