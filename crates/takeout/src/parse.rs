//! Telegram's answers turned into store rows. Only what renderers need is
//! parsed; the rest stays in each row's raw TL bytes.

use grammers_tl_types as tl;
use tl::Serializable;

use crate::store::{ChatRow, MessageRow, UserRow};

/// "user123", "chat123", "channel123": the store's peer keys, and the
/// from_id format of Telegram Desktop's result.json.
pub fn peer_key(p: &tl::enums::Peer) -> String {
    match p {
        tl::enums::Peer::User(u) => format!("user{}", u.user_id),
        tl::enums::Peer::Chat(c) => format!("chat{}", c.chat_id),
        tl::enums::Peer::Channel(c) => format!("channel{}", c.channel_id),
    }
}

pub fn message_row(m: &tl::enums::Message) -> Option<MessageRow> {
    let raw = m.to_bytes();
    match m {
        tl::enums::Message::Empty(_) => None,
        tl::enums::Message::Message(m) => Some(MessageRow {
            peer: peer_key(&m.peer_id),
            id: m.id,
            date: m.date,
            edit_date: m.edit_date,
            // Incoming private messages carry no from_id: the sender is the peer.
            from_peer: m.from_id.as_ref().map(peer_key).or_else(|| match (&m.peer_id, m.post) {
                (tl::enums::Peer::User(_), _) | (_, true) => Some(peer_key(&m.peer_id)),
                _ => None,
            }),
            out: m.out,
            service: false,
            text: m.message.clone(),
            media: m.media.as_ref().map(media_kind),
            reply_to: m.reply_to.as_ref().and_then(|r| match r {
                tl::enums::MessageReplyHeader::Header(h) => h.reply_to_msg_id,
                _ => None,
            }),
            raw,
        }),
        tl::enums::Message::Service(m) => Some(MessageRow {
            peer: peer_key(&m.peer_id),
            id: m.id,
            date: m.date,
            edit_date: None,
            from_peer: m.from_id.as_ref().map(peer_key).or_else(|| match &m.peer_id {
                tl::enums::Peer::User(_) => Some(peer_key(&m.peer_id)),
                _ => None,
            }),
            out: m.out,
            service: true,
            text: String::new(),
            media: None,
            reply_to: None,
            raw,
        }),
    }
}

/// The media kind as Telegram Desktop distinguishes them.
pub fn media_kind(media: &tl::enums::MessageMedia) -> String {
    use tl::enums::MessageMedia as M;
    match media {
        M::Photo(_) => "photo",
        M::Document(d) => match &d.document {
            Some(tl::enums::Document::Document(doc)) => document_kind(doc),
            _ => "file",
        },
        M::Contact(_) => "contact",
        M::Geo(_) | M::GeoLive(_) | M::Venue(_) => "location",
        M::Poll(_) => "poll",
        _ => "other",
    }
    .to_string()
}

pub fn document_kind(doc: &tl::types::Document) -> &'static str {
    use tl::enums::DocumentAttribute as A;
    let mut kind = "file";
    let mut animated = false;
    for a in &doc.attributes {
        match a {
            A::Sticker(_) => return "sticker",
            A::Animated => animated = true,
            A::Video(v) if v.round_message => return "round_video",
            A::Video(_) => kind = "video",
            A::Audio(a) if a.voice => return "voice",
            A::Audio(_) => kind = "audio",
            _ => {}
        }
    }
    if animated { "gif" } else { kind }
}

pub fn user_row(u: &tl::enums::User) -> Option<UserRow> {
    let raw = u.to_bytes();
    match u {
        tl::enums::User::Empty(_) => None,
        tl::enums::User::User(u) => Some(UserRow {
            id: u.id,
            first_name: u.first_name.clone().unwrap_or_default(),
            last_name: u.last_name.clone().unwrap_or_default(),
            username: u.username.clone(),
            phone: u.phone.clone(),
            bot: u.bot,
            deleted: u.deleted,
            is_self: u.is_self,
            raw,
        }),
    }
}

pub fn chat_row(c: &tl::enums::Chat) -> Option<ChatRow> {
    let raw = c.to_bytes();
    use tl::enums::Chat as C;
    Some(match c {
        C::Empty(_) => return None,
        C::Chat(c) => ChatRow {
            id: c.id,
            kind: "group".into(),
            title: c.title.clone(),
            username: None,
            left: c.left,
            migrated_to: match &c.migrated_to {
                Some(tl::enums::InputChannel::Channel(ch)) => Some(ch.channel_id),
                _ => None,
            },
            raw,
        },
        C::Forbidden(c) => ChatRow {
            id: c.id,
            kind: "group".into(),
            title: c.title.clone(),
            username: None,
            left: true,
            migrated_to: None,
            raw,
        },
        C::Channel(c) => ChatRow {
            id: c.id,
            kind: if c.megagroup { "supergroup" } else { "channel" }.into(),
            title: c.title.clone(),
            username: c.username.clone(),
            left: c.left,
            migrated_to: None,
            raw,
        },
        // Communities are not part of a takeout.
        C::Community(_) | C::CommunityForbidden(_) => return None,
        C::ChannelForbidden(c) => ChatRow {
            id: c.id,
            kind: if c.megagroup { "supergroup" } else { "channel" }.into(),
            title: c.title.clone(),
            username: None,
            left: true,
            migrated_to: None,
            raw,
        },
    })
}

/// Messages, users and chats of any messages.Messages answer, and the
/// total count Telegram reports (None for a complete messages.messages).
pub struct Page {
    pub messages: Vec<tl::enums::Message>,
    pub users: Vec<tl::enums::User>,
    pub chats: Vec<tl::enums::Chat>,
    pub count: Option<i32>,
}

pub fn page(m: tl::enums::messages::Messages) -> Page {
    use tl::enums::messages::Messages as M;
    match m {
        M::Messages(m) => Page { messages: m.messages, users: m.users, chats: m.chats, count: None },
        M::Slice(m) => Page { messages: m.messages, users: m.users, chats: m.chats, count: Some(m.count) },
        M::ChannelMessages(m) => Page { messages: m.messages, users: m.users, chats: m.chats, count: Some(m.count) },
        M::NotModified(m) => Page { messages: vec![], users: vec![], chats: vec![], count: Some(m.count) },
    }
}

pub fn message_id(m: &tl::enums::Message) -> i32 {
    match m {
        tl::enums::Message::Empty(m) => m.id,
        tl::enums::Message::Message(m) => m.id,
        tl::enums::Message::Service(m) => m.id,
    }
}

pub fn message_date(m: &tl::enums::Message) -> i32 {
    match m {
        tl::enums::Message::Empty(_) => 0,
        tl::enums::Message::Message(m) => m.date,
        tl::enums::Message::Service(m) => m.date,
    }
}
