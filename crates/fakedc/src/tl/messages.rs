//! Messages: `message` and `messageService`, with their forward and reply
//! headers and reactions.

use grammers_tl_types as tl;

use super::{Shaper, entities, peer};
use crate::world::{ChatKind, Forward, Message, Peer, Reaction, ReplyTo};

impl Shaper<'_> {
    pub fn message(&self, m: &Message) -> tl::enums::Message {
        let post = match m.peer {
            Peer::Channel(id) => self.world.chat(id).is_some_and(|c| c.kind == ChatKind::Channel),
            _ => false,
        };
        let from_id = from_id(m);
        let peer_id = peer(m.peer);
        let reply_to = m.reply_to.as_ref().map(reply_header);
        let reactions = reactions(&m.reactions);
        if let Some(action) = &m.action {
            return tl::types::MessageService {
                out: m.out,
                mentioned: false,
                media_unread: false,
                reactions_are_possible: false,
                silent: false,
                post,
                legacy: false,
                id: m.id,
                from_id,
                peer_id,
                saved_peer_id: None,
                reply_to,
                date: m.date,
                action: entities::action(action),
                reactions,
                ttl_period: None,
            }
            .into();
        }
        tl::types::Message {
            out: m.out,
            mentioned: false,
            media_unread: false,
            silent: false,
            post,
            from_scheduled: false,
            legacy: false,
            edit_hide: false,
            pinned: false,
            noforwards: false,
            invert_media: false,
            offline: false,
            video_processing_pending: false,
            paid_suggested_post_stars: false,
            paid_suggested_post_ton: false,
            id: m.id,
            from_id,
            from_boosts_applied: None,
            from_rank: None,
            peer_id,
            saved_peer_id: None,
            fwd_from: m.fwd.as_ref().map(fwd_header),
            via_bot_id: m.via_bot,
            via_business_bot_id: None,
            guestchat_via_from: None,
            reply_to,
            date: m.date,
            message: m.text.clone(),
            media: m.media.as_ref().map(|media| self.media(media)),
            reply_markup: None,
            entities: entities::entities(&m.entities),
            // `views` and `forwards` share a flag bit: both or neither.
            views: None,
            forwards: None,
            replies: None,
            edit_date: m.edit_date,
            post_author: m.post_author.clone(),
            grouped_id: None,
            reactions,
            restriction_reason: None,
            ttl_period: None,
            quick_reply_shortcut_id: None,
            effect: None,
            factcheck: None,
            report_delivery_until_date: None,
            paid_message_stars: None,
            suggested_post: None,
            schedule_repeat_period: None,
            summary_from_language: None,
            rich_message: None,
        }
        .into()
    }
}

/// Since layer 119 Telegram leaves `from_id` out of incoming messages in
/// private chats (the sender can only be the other user), and clients fall
/// back to the peer; exporters must cope, so fakedc does the same.
/// Outgoing ones keep it: clients do not guess the self user.
fn from_id(m: &Message) -> Option<tl::enums::Peer> {
    if matches!(m.peer, Peer::User(_)) && !m.out {
        return None;
    }
    m.from.map(peer)
}

/// Telegram names the topic root only when the reply is to some other
/// message in the topic; a message sent straight into a topic replies to
/// the root itself and carries no `reply_to_top_id`.
fn reply_header(r: &ReplyTo) -> tl::enums::MessageReplyHeader {
    tl::types::MessageReplyHeader {
        reply_to_scheduled: false,
        forum_topic: r.top_id.is_some(),
        quote: false,
        reply_to_ephemeral: false,
        reply_to_msg_id: Some(r.msg_id),
        reply_to_peer_id: r.peer.map(peer),
        reply_from: None,
        reply_media: None,
        reply_to_top_id: r.top_id.filter(|&top| top != r.msg_id),
        quote_text: None,
        quote_entities: None,
        quote_offset: None,
        todo_item_id: None,
        poll_option: None,
    }
    .into()
}

fn fwd_header(f: &Forward) -> tl::enums::MessageFwdHeader {
    tl::types::MessageFwdHeader {
        imported: false,
        saved_out: false,
        from_id: f.from.map(peer),
        from_name: f.from_name.clone(),
        date: f.date,
        channel_post: f.channel_post,
        post_author: None,
        saved_from_peer: f.saved_from.map(peer),
        // Shares its flag bit with `saved_from_peer`. The world records the
        // original's id only for channel posts saved from their channel;
        // otherwise 0, which clients take as "no message to jump to".
        saved_from_msg_id: f.saved_from.map(|saved| f.channel_post.filter(|_| f.from == Some(saved)).unwrap_or(0)),
        saved_from_id: None,
        saved_from_name: None,
        saved_date: None,
        psa_type: None,
    }
    .into()
}

/// `None` for no reactions: Telegram leaves the flag unset.
fn reactions(rs: &[Reaction]) -> Option<tl::enums::MessageReactions> {
    if rs.is_empty() {
        return None;
    }
    let mut chosen = 0..;
    let results = rs
        .iter()
        .map(|r| {
            tl::types::ReactionCount {
                // The order the account picked its reactions in; the world
                // keeps none, so list order stands in for it.
                chosen_order: if r.chosen { chosen.next() } else { None },
                reaction: tl::types::ReactionEmoji { emoticon: r.emoji.clone() }.into(),
                count: r.count,
            }
            .into()
        })
        .collect();
    Some(
        tl::types::MessageReactions {
            min: false,
            can_see_list: false,
            reactions_as_tags: false,
            results,
            recent_reactions: None,
            top_reactors: None,
        }
        .into(),
    )
}
