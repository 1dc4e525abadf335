//! Chats (`chat`, `channel`, `channelForbidden`) and the users/chats
//! vectors that travel with every answer carrying messages or dialogs.

use std::collections::BTreeSet;

use grammers_tl_types as tl;

use super::Shaper;
use crate::world::{Action, Chat, ChatKind, Media, Message, Peer, World};

/// A chat as the account sees it. Needs no file references, so it is also
/// usable without a [`Shaper`] (contacts.getTopPeers, channels.getLeftChannels).
pub fn chat(world: &World, c: &Chat) -> tl::enums::Chat {
    let participants_count = c.members.len() as i32;
    if c.kind == ChatKind::Group {
        return tl::types::Chat {
            creator: c.creator,
            left: c.left,
            deactivated: c.migrated_to.is_some(),
            call_active: false,
            call_not_empty: false,
            noforwards: false,
            id: c.id,
            title: c.title.clone(),
            photo: tl::enums::ChatPhoto::Empty,
            participants_count,
            date: c.date,
            version: 1,
            migrated_to: c.migrated_to.map(|channel_id| {
                let access_hash = world.chat(channel_id).map_or(0, |s| s.access_hash);
                tl::types::InputChannel { channel_id, access_hash }.into()
            }),
            admin_rights: None,
            default_banned_rights: None,
        }
        .into();
    }
    let broadcast = c.kind == ChatKind::Channel;
    // Telegram hides a private channel from someone who left it: only its
    // title remains. A public one stays readable by anyone.
    if c.left && !c.is_public() {
        return tl::types::ChannelForbidden {
            broadcast,
            megagroup: !broadcast,
            monoforum: false,
            id: c.id,
            access_hash: c.access_hash,
            title: c.title.clone(),
            until_date: None,
        }
        .into();
    }
    tl::types::Channel {
        creator: c.creator,
        left: c.left,
        broadcast,
        verified: false,
        megagroup: !broadcast,
        restricted: false,
        signatures: false,
        min: false,
        scam: false,
        has_link: false,
        has_geo: false,
        slowmode_enabled: false,
        call_active: false,
        call_not_empty: false,
        fake: false,
        gigagroup: false,
        noforwards: false,
        join_to_send: false,
        join_request: false,
        forum: c.forum,
        stories_hidden: false,
        stories_hidden_min: false,
        stories_unavailable: false,
        signature_profiles: false,
        autotranslation: false,
        broadcast_messages_allowed: false,
        monoforum: false,
        forum_tabs: false,
        id: c.id,
        access_hash: Some(c.access_hash),
        title: c.title.clone(),
        username: c.username.clone(),
        photo: tl::enums::ChatPhoto::Empty,
        date: c.date,
        restriction_reason: None,
        admin_rights: None,
        banned_rights: None,
        default_banned_rights: None,
        participants_count: Some(participants_count),
        usernames: None,
        stories_max_id: None,
        color: None,
        profile_color: None,
        emoji_status: None,
        level: None,
        subscription_until_date: None,
        bot_verification_icon: None,
        send_paid_messages_stars: None,
        linked_monoforum_id: None,
        linked_community_id: None,
    }
    .into()
}

/// The users and chats behind `peers`, plus the self user, each once, by
/// ascending id. Peers the world does not know are left out: there is
/// nothing to send for them.
pub fn peers(world: &World, peers: impl IntoIterator<Item = Peer>) -> (Vec<tl::enums::User>, Vec<tl::enums::Chat>) {
    let mut set = PeerSet::new(world);
    peers.into_iter().for_each(|p| set.add(p));
    set.finish()
}

/// Ids collected into ordered sets, so answers are byte-for-byte
/// reproducible whatever order the messages came in.
struct PeerSet<'w> {
    world: &'w World,
    users: BTreeSet<i64>,
    chats: BTreeSet<i64>,
}

impl<'w> PeerSet<'w> {
    fn new(world: &'w World) -> Self {
        PeerSet { world, users: BTreeSet::from([world.self_id]), chats: BTreeSet::new() }
    }

    fn add(&mut self, p: Peer) {
        match p {
            Peer::User(id) => {
                self.users.insert(id);
            }
            Peer::Chat(id) | Peer::Channel(id) => {
                self.chats.insert(id);
            }
        }
    }

    fn add_message(&mut self, m: &Message) {
        self.add(m.peer);
        if let Some(from) = m.from {
            self.add(from);
        }
        if let Some(f) = &m.fwd {
            f.from.into_iter().chain(f.saved_from).for_each(|p| self.add(p));
        }
        if let Some(p) = m.reply_to.as_ref().and_then(|r| r.peer) {
            self.add(p);
        }
        self.users.extend(m.via_bot);
        self.users.extend(m.entities.iter().filter_map(|e| e.user_id));
        if let Some(Media::Contact { user_id, .. }) = &m.media {
            // Zero: a contact with no Telegram account.
            if *user_id != 0 {
                self.users.insert(*user_id);
            }
        }
        if let Some(a) = &m.action {
            self.users.extend(super::entities::action_users(a));
            match *a {
                Action::ChatMigrateTo { channel_id } => {
                    self.chats.insert(channel_id);
                }
                Action::ChannelMigrateFrom { chat_id, .. } => {
                    self.chats.insert(chat_id);
                }
                _ => {}
            }
        }
        // Clients follow a migration from either end (the group's
        // migrated_to, the supergroup's history continuing the group's), so
        // the other end must be resolvable too.
        let chat = match m.peer {
            Peer::User(_) => None,
            Peer::Chat(id) | Peer::Channel(id) => self.world.chat(id),
        };
        if let Some(c) = chat {
            self.chats.extend(c.migrated_to.into_iter().chain(c.migrated_from));
        }
    }

    fn finish(self) -> (Vec<tl::enums::User>, Vec<tl::enums::Chat>) {
        let world = self.world;
        let users = self.users.iter().filter_map(|&id| world.user(id)).map(|u| super::users::user(world, u)).collect();
        let chats = self.chats.iter().filter_map(|&id| world.chat(id)).map(|c| chat(world, c)).collect();
        (users, chats)
    }
}

impl Shaper<'_> {
    pub fn chat(&self, c: &Chat) -> tl::enums::Chat {
        chat(self.world, c)
    }

    /// Users and chats every message in `msgs` refers to (sender, peer,
    /// forward source and saved-from peer, reply peer, via bot, users named
    /// by actions, mention-name entities and contacts, the other end of a
    /// migration), with the self user, each once, by ascending id. Clients
    /// drop messages and dialogs whose peers are missing from an answer.
    pub fn referenced(&self, msgs: &[Message]) -> (Vec<tl::enums::User>, Vec<tl::enums::Chat>) {
        let mut set = PeerSet::new(self.world);
        msgs.iter().for_each(|m| set.add_message(m));
        set.finish()
    }

    /// [`Self::referenced`] for a set of peers (dialogs, search results).
    pub fn peers(&self, peers: impl IntoIterator<Item = Peer>) -> (Vec<tl::enums::User>, Vec<tl::enums::Chat>) {
        self::peers(self.world, peers)
    }
}
