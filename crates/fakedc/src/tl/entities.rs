//! Text entities and service-message actions: one TL constructor per world
//! variant, nothing inferred.

use grammers_tl_types as tl;

use crate::world::{Action, Entity, EntityKind};

pub fn entity(e: &Entity) -> tl::enums::MessageEntity {
    use tl::enums::MessageEntity as M;
    use tl::types as t;
    let (offset, length) = (e.offset, e.length);
    match e.kind {
        EntityKind::Mention => M::Mention(t::MessageEntityMention { offset, length }),
        EntityKind::Hashtag => M::Hashtag(t::MessageEntityHashtag { offset, length }),
        EntityKind::BotCommand => M::BotCommand(t::MessageEntityBotCommand { offset, length }),
        EntityKind::Url => M::Url(t::MessageEntityUrl { offset, length }),
        EntityKind::Email => M::Email(t::MessageEntityEmail { offset, length }),
        EntityKind::Bold => M::Bold(t::MessageEntityBold { offset, length }),
        EntityKind::Italic => M::Italic(t::MessageEntityItalic { offset, length }),
        EntityKind::Code => M::Code(t::MessageEntityCode { offset, length }),
        EntityKind::Pre => {
            M::Pre(t::MessageEntityPre { offset, length, language: e.language.clone().unwrap_or_default() })
        }
        EntityKind::TextUrl => {
            M::TextUrl(t::MessageEntityTextUrl { offset, length, url: e.url.clone().unwrap_or_default() })
        }
        EntityKind::MentionName => {
            M::MentionName(t::MessageEntityMentionName { offset, length, user_id: e.user_id.unwrap_or_default() })
        }
        EntityKind::Phone => M::Phone(t::MessageEntityPhone { offset, length }),
        EntityKind::Cashtag => M::Cashtag(t::MessageEntityCashtag { offset, length }),
        EntityKind::Underline => M::Underline(t::MessageEntityUnderline { offset, length }),
        EntityKind::Strike => M::Strike(t::MessageEntityStrike { offset, length }),
        EntityKind::Blockquote => M::Blockquote(t::MessageEntityBlockquote { collapsed: false, offset, length }),
        EntityKind::BankCard => M::BankCard(t::MessageEntityBankCard { offset, length }),
        EntityKind::Spoiler => M::Spoiler(t::MessageEntitySpoiler { offset, length }),
        EntityKind::CustomEmoji => M::CustomEmoji(t::MessageEntityCustomEmoji {
            offset,
            length,
            document_id: e.document_id.unwrap_or_default(),
        }),
    }
}

/// `None` for no entities: Telegram leaves the flag unset rather than send
/// an empty vector.
pub fn entities(es: &[Entity]) -> Option<Vec<tl::enums::MessageEntity>> {
    (!es.is_empty()).then(|| es.iter().map(entity).collect())
}

pub fn action(a: &Action) -> tl::enums::MessageAction {
    use tl::enums::MessageAction as A;
    use tl::types as t;
    match a {
        Action::ChatCreate { title, users } => {
            A::ChatCreate(t::MessageActionChatCreate { title: title.clone(), users: users.clone() })
        }
        Action::ChatEditTitle { title } => A::ChatEditTitle(t::MessageActionChatEditTitle { title: title.clone() }),
        Action::ChatAddUser { users } => A::ChatAddUser(t::MessageActionChatAddUser { users: users.clone() }),
        Action::ChatDeleteUser { user_id } => A::ChatDeleteUser(t::MessageActionChatDeleteUser { user_id: *user_id }),
        Action::ChatJoinedByLink { inviter_id } => {
            A::ChatJoinedByLink(t::MessageActionChatJoinedByLink { inviter_id: *inviter_id })
        }
        Action::ChannelCreate { title } => A::ChannelCreate(t::MessageActionChannelCreate { title: title.clone() }),
        Action::ChatMigrateTo { channel_id } => {
            A::ChatMigrateTo(t::MessageActionChatMigrateTo { channel_id: *channel_id })
        }
        Action::ChannelMigrateFrom { title, chat_id } => {
            A::ChannelMigrateFrom(t::MessageActionChannelMigrateFrom { title: title.clone(), chat_id: *chat_id })
        }
        Action::PinMessage => A::PinMessage,
        Action::HistoryClear => A::HistoryClear,
        Action::PhoneCall { duration, video } => A::PhoneCall(t::MessageActionPhoneCall {
            video: *video,
            // The world keeps no call ids; exporters show none.
            call_id: 0,
            // Telegram reports a call nobody answered as missed and one that
            // took place as hung up; exporters print the reason.
            reason: Some(match duration {
                Some(_) => tl::enums::PhoneCallDiscardReason::Hangup,
                None => tl::enums::PhoneCallDiscardReason::Missed,
            }),
            duration: *duration,
        }),
        Action::TopicCreate { title, icon_color } => A::TopicCreate(t::MessageActionTopicCreate {
            title_missing: false,
            title: title.clone(),
            icon_color: *icon_color,
            icon_emoji_id: None,
        }),
        Action::ContactSignUp => A::ContactSignUp,
    }
}

/// User ids an action names (they must travel in the answer's `users`).
pub(crate) fn action_users(a: &Action) -> &[i64] {
    match a {
        Action::ChatCreate { users, .. } | Action::ChatAddUser { users } => users,
        Action::ChatDeleteUser { user_id } => std::slice::from_ref(user_id),
        Action::ChatJoinedByLink { inviter_id } => std::slice::from_ref(inviter_id),
        _ => &[],
    }
}
