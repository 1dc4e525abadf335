//! World values turned into TL objects (grammers-tl-types, layer 230; every
//! constructor a takeout uses has the same id at layer 229, so Telethon
//! parses them too). One file per area; no Telegram rules here, only shapes.

pub mod account;
pub mod chats;
pub mod entities;
pub mod media;
pub mod messages;
pub mod users;

use grammers_tl_types as tl;

use crate::world::{Peer, World};

pub fn peer(p: Peer) -> tl::enums::Peer {
    match p {
        Peer::User(user_id) => tl::types::PeerUser { user_id }.into(),
        Peer::Chat(chat_id) => tl::types::PeerChat { chat_id }.into(),
        Peer::Channel(channel_id) => tl::types::PeerChannel { channel_id }.into(),
    }
}

pub fn notify_settings() -> tl::enums::PeerNotifySettings {
    tl::types::PeerNotifySettings {
        show_previews: None,
        silent: None,
        mute_until: None,
        ios_sound: None,
        android_sound: None,
        other_sound: None,
        stories_muted: None,
        stories_hide_sender: None,
        stories_ios_sound: None,
        stories_android_sound: None,
        stories_other_sound: None,
    }
    .into()
}

/// Whose file reference a shaped photo or document carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileRefOf {
    Photo(i64),
    Document(i64),
}

/// Everything shaping needs besides the world: file references are issued
/// by the server (they expire, and the server decides when), so the caller
/// passes in how to make one. Shaping itself is pure: no locks, no I/O.
pub struct Shaper<'a> {
    pub world: &'a World,
    pub file_reference: &'a (dyn Fn(FileRefOf) -> Vec<u8> + Sync),
}
