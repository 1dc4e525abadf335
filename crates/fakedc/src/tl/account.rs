//! The account's non-chat data: saved phone contacts, top peers, sessions,
//! web sessions; and forum topics.

use grammers_tl_types as tl;

use crate::world::{Authorization, Chat, SavedContact, TopPeer, TopPeerCategory, Topic, WebAuthorization, World};

pub fn saved_contact(c: &SavedContact) -> tl::enums::SavedContact {
    tl::types::SavedPhoneContact {
        phone: c.phone.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        date: c.date,
    }
    .into()
}

/// Categories in a fixed order (the world enum's), each with its peers by
/// descending rating as Telegram ranks them; empty categories are left out.
pub fn top_peers(world: &World, top: &[TopPeer]) -> tl::enums::contacts::TopPeers {
    const ORDER: [TopPeerCategory; 4] = [
        TopPeerCategory::Correspondents,
        TopPeerCategory::Groups,
        TopPeerCategory::Channels,
        TopPeerCategory::BotsInline,
    ];
    let categories = ORDER
        .iter()
        .filter_map(|&category| {
            let mut in_category: Vec<&TopPeer> = top.iter().filter(|t| t.category == category).collect();
            if in_category.is_empty() {
                return None;
            }
            in_category.sort_by(|a, b| b.rating.total_cmp(&a.rating).then(a.peer.cmp(&b.peer)));
            let peers: Vec<tl::enums::TopPeer> = in_category
                .iter()
                .map(|t| tl::types::TopPeer { peer: super::peer(t.peer), rating: t.rating }.into())
                .collect();
            Some(
                tl::types::TopPeerCategoryPeers {
                    category: top_peer_category(category),
                    count: peers.len() as i32,
                    peers,
                }
                .into(),
            )
        })
        .collect();
    let (users, chats) = super::chats::peers(world, top.iter().map(|t| t.peer));
    tl::types::contacts::TopPeers { categories, chats, users }.into()
}

fn top_peer_category(c: TopPeerCategory) -> tl::enums::TopPeerCategory {
    use tl::enums::TopPeerCategory as T;
    match c {
        TopPeerCategory::Correspondents => T::Correspondents,
        TopPeerCategory::Groups => T::Groups,
        TopPeerCategory::Channels => T::Channels,
        TopPeerCategory::BotsInline => T::BotsInline,
    }
}

pub fn authorization(a: &Authorization) -> tl::enums::Authorization {
    tl::types::Authorization {
        current: a.current,
        official_app: false,
        password_pending: false,
        encrypted_requests_disabled: false,
        call_requests_disabled: false,
        unconfirmed: false,
        hash: a.hash,
        device_model: a.device_model.clone(),
        platform: a.platform.clone(),
        system_version: a.system_version.clone(),
        api_id: a.api_id,
        app_name: a.app_name.clone(),
        app_version: a.app_version.clone(),
        date_created: a.date_created,
        date_active: a.date_active,
        ip: a.ip.clone(),
        country: a.country.clone(),
        region: a.region.clone(),
    }
    .into()
}

pub fn web_authorization(a: &WebAuthorization) -> tl::enums::WebAuthorization {
    tl::types::WebAuthorization {
        hash: a.hash,
        bot_id: a.bot_id,
        domain: a.domain.clone(),
        browser: a.browser.clone(),
        platform: a.platform.clone(),
        date_created: a.date_created,
        date_active: a.date_active,
        ip: a.ip.clone(),
        region: a.region.clone(),
    }
    .into()
}

/// A topic with everything read. The world does not record who created a
/// topic, so `from_id` is the forum itself (always among the answer's chats,
/// where a user might be missing).
pub fn forum_topic(chat: &Chat, t: &Topic, top_message: i32) -> tl::enums::ForumTopic {
    tl::types::ForumTopic {
        my: false,
        closed: false,
        pinned: false,
        short: false,
        hidden: false,
        title_missing: false,
        id: t.id,
        date: t.date,
        peer: super::peer(chat.peer()),
        title: t.title.clone(),
        icon_color: t.icon_color,
        icon_emoji_id: None,
        top_message,
        read_inbox_max_id: top_message,
        read_outbox_max_id: top_message,
        unread_count: 0,
        unread_mentions_count: 0,
        unread_reactions_count: 0,
        unread_poll_votes_count: 0,
        from_id: super::peer(chat.peer()),
        notify_settings: super::notify_settings(),
        draft: None,
    }
    .into()
}
