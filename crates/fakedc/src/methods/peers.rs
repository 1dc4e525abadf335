//! Resolving what a client names (InputPeer, InputChannel) to world peers,
//! with Telegram's access rules, and the takeout scope check: which
//! initTakeoutSession flag a peer's messages need.

use grammers_tl_types as tl;

use super::Call;
use crate::error::RpcErr;
use crate::world::{ChatKind, Peer};

pub fn input_peer(call: &Call, input: &tl::enums::InputPeer) -> Result<Peer, RpcErr> {
    use tl::enums::InputPeer as I;
    let me = call.me()?;
    let w = call.world;
    match input {
        I::PeerSelf => Ok(Peer::User(me)),
        I::User(u) => match w.user(u.user_id) {
            Some(user) if user.access_hash == u.access_hash => Ok(Peer::User(u.user_id)),
            _ => Err(RpcErr::bad_request("PEER_ID_INVALID")),
        },
        I::Chat(c) => match w.chat(c.chat_id) {
            Some(chat) if chat.kind == ChatKind::Group => Ok(Peer::Chat(c.chat_id)),
            _ => Err(RpcErr::bad_request("CHAT_ID_INVALID")),
        },
        I::Channel(c) => channel(call, c.channel_id, c.access_hash),
        I::UserFromMessage(u) => w.user(u.user_id).map(|_| Peer::User(u.user_id)).ok_or_else(|| RpcErr::bad_request("PEER_ID_INVALID")),
        I::ChannelFromMessage(c) => match w.chat(c.channel_id) {
            Some(ch) if ch.kind != ChatKind::Group => Ok(Peer::Channel(c.channel_id)),
            _ => Err(RpcErr::bad_request("CHANNEL_INVALID")),
        },
        I::Empty => Err(RpcErr::bad_request("PEER_ID_INVALID")),
    }
}

pub fn input_channel(call: &Call, input: &tl::enums::InputChannel) -> Result<Peer, RpcErr> {
    call.me()?;
    match input {
        tl::enums::InputChannel::Channel(c) => channel(call, c.channel_id, c.access_hash),
        tl::enums::InputChannel::FromMessage(c) => match call.world.chat(c.channel_id) {
            Some(ch) if ch.kind != ChatKind::Group => Ok(Peer::Channel(c.channel_id)),
            _ => Err(RpcErr::bad_request("CHANNEL_INVALID")),
        },
        tl::enums::InputChannel::Empty => Err(RpcErr::bad_request("CHANNEL_INVALID")),
    }
}

fn channel(call: &Call, id: i64, access_hash: i64) -> Result<Peer, RpcErr> {
    match call.world.chat(id) {
        Some(ch) if ch.kind != ChatKind::Group && ch.access_hash == access_hash => Ok(Peer::Channel(id)),
        _ => Err(RpcErr::bad_request("CHANNEL_INVALID")),
    }
}

/// Reading a history: a private channel the account left is closed to it
/// (CHANNEL_PRIVATE); everything else it can name, it can read.
pub fn readable(call: &Call, peer: Peer) -> Result<(), RpcErr> {
    if let Peer::Channel(id) = peer {
        if let Some(ch) = call.world.chat(id) {
            if ch.left && !ch.is_public() {
                return Err(RpcErr::bad_request("CHANNEL_PRIVATE"));
            }
        }
    }
    Ok(())
}

/// Inside a takeout session, the messages of each kind of chat need their
/// own flag. Outside one, ordinary access rules apply. Error names are
/// fakedc's own (Telegram does not document one); see docs/fakedc.md.
pub fn takeout_allows_messages(call: &Call, peer: Peer) -> Result<(), RpcErr> {
    let Some(t) = &call.takeout else { return Ok(()) };
    let f = &t.flags;
    let (ok, name) = match peer {
        Peer::User(_) => (f.message_users, "TAKEOUT_MESSAGE_USERS_REQUIRED"),
        Peer::Chat(_) => (f.message_chats, "TAKEOUT_MESSAGE_CHATS_REQUIRED"),
        Peer::Channel(id) => match call.world.chat(id).map(|c| c.kind) {
            Some(ChatKind::Supergroup) => (f.message_megagroups, "TAKEOUT_MESSAGE_MEGAGROUPS_REQUIRED"),
            _ => (f.message_channels, "TAKEOUT_MESSAGE_CHANNELS_REQUIRED"),
        },
    };
    if ok { Ok(()) } else { Err(RpcErr::new(403, name)) }
}
