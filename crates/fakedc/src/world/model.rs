//! The world's data: plain Rust values with no TL in them, so a world can be
//! generated, saved as JSON, hand-edited and loaded back losslessly.
//!
//! Message *content* is not stored here for generated worlds (see
//! [`super::history`]): a million messages would not fit the memory budget,
//! so histories keep only their ids and regenerate a message on demand.

use serde::{Deserialize, Serialize};

/// A dialog peer as Telegram addresses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Peer {
    User(i64),
    /// A basic ("legacy") group.
    Chat(i64),
    /// A channel or supergroup (megagroup).
    Channel(i64),
}

impl Peer {
    /// True for peers whose messages take ids from the account-wide
    /// ("common box") sequence: private chats and basic groups. Channels and
    /// supergroups number their messages on their own.
    pub fn in_common_box(self) -> bool {
        !matches!(self, Peer::Channel(_))
    }
    pub fn id(self) -> i64 {
        match self {
            Peer::User(id) | Peer::Chat(id) | Peer::Channel(id) => id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub access_hash: i64,
    pub first_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub bot: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
    /// In the account's contact list.
    #[serde(default, skip_serializing_if = "is_false")]
    pub contact: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub mutual_contact: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
    /// The data centre the user's account lives on.
    pub dc_id: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    /// Basic ("legacy") group: `chat` in TL.
    Group,
    /// Supergroup: `channel` with `megagroup`.
    Supergroup,
    /// Broadcast channel: `channel` with `broadcast`.
    Channel,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chat {
    pub id: i64,
    pub kind: ChatKind,
    /// Zero for basic groups (they have none in TL).
    #[serde(default)]
    pub access_hash: i64,
    pub title: String,
    /// Public chats have a username; private ones do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Creation date, unix seconds.
    pub date: i32,
    #[serde(default, skip_serializing_if = "is_false")]
    pub creator: bool,
    /// The account left this chat: not among the dialogs; channels and
    /// supergroups show up in channels.getLeftChannels instead.
    #[serde(default, skip_serializing_if = "is_false")]
    pub left: bool,
    /// A basic group that was upgraded: the supergroup's id. The basic group
    /// is then deactivated but keeps its (old) history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrated_to: Option<i64>,
    /// A supergroup made from a basic group: that group's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrated_from: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub forum: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<Topic>,
    /// Member user ids (for groups; channels list only a few).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<i64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
}

impl Chat {
    pub fn peer(&self) -> Peer {
        match self.kind {
            ChatKind::Group => Peer::Chat(self.id),
            ChatKind::Supergroup | ChatKind::Channel => Peer::Channel(self.id),
        }
    }
    pub fn is_public(&self) -> bool {
        self.username.is_some()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// Topics are identified by the id of the service message that created them.
    pub id: i32,
    pub title: String,
    pub date: i32,
    pub icon_color: i32,
}

/// A phone contact the account uploaded (contacts.getSaved).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedContact {
    pub phone: String,
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub date: i32,
}

/// An entry of contacts.getTopPeers ("frequent contacts").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopPeer {
    pub category: TopPeerCategory,
    pub peer: Peer,
    pub rating: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopPeerCategory {
    Correspondents,
    Groups,
    Channels,
    BotsInline,
}

/// An active session (account.getAuthorizations).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Authorization {
    pub hash: i64,
    #[serde(default, skip_serializing_if = "is_false")]
    pub current: bool,
    pub device_model: String,
    pub platform: String,
    pub system_version: String,
    pub api_id: i32,
    pub app_name: String,
    pub app_version: String,
    pub date_created: i32,
    pub date_active: i32,
    pub ip: String,
    pub country: String,
    pub region: String,
}

/// A website logged in with Telegram (account.getWebAuthorizations).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebAuthorization {
    pub hash: i64,
    pub bot_id: i64,
    pub domain: String,
    pub browser: String,
    pub platform: String,
    pub date_created: i32,
    pub date_active: i32,
    pub ip: String,
    pub region: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub id: i32,
    pub date: i32,
    pub expire_date: i32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
    pub media: Media,
}

/// A photo with its sizes. Each size is a separate file whose bytes are
/// [`super::bytes::file_bytes`] of [`PhotoSize::file_key`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    pub id: i64,
    pub access_hash: i64,
    pub date: i32,
    pub dc_id: i32,
    pub sizes: Vec<PhotoSize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhotoSize {
    /// Telegram's size letter: "s", "m", "x", "y", "w".
    #[serde(rename = "type")]
    pub kind: String,
    pub w: i32,
    pub h: i32,
    pub size: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A plain file.
    File,
    Video,
    /// Voice message (audio with the voice attribute).
    Voice,
    /// Round video message.
    RoundVideo,
    Sticker,
    /// GIF / animation.
    Gif,
    /// Music (audio with performer and title).
    Audio,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: i64,
    pub access_hash: i64,
    pub date: i32,
    pub dc_id: i32,
    pub kind: DocumentKind,
    pub mime_type: String,
    pub size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Seconds, for video, voice, round video, GIF, audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticker_emoji: Option<String>,
    /// Thumbnail sizes (files of their own, like photo sizes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thumbs: Vec<PhotoSize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Media {
    Photo(Photo),
    Document(Document),
    Contact {
        phone: String,
        first_name: String,
        #[serde(default)]
        last_name: String,
        #[serde(default)]
        user_id: i64,
    },
    Geo {
        lat: f64,
        long: f64,
    },
    Poll {
        id: i64,
        question: String,
        answers: Vec<String>,
        /// Votes per answer, same order as `answers`.
        votes: Vec<i32>,
        #[serde(default, skip_serializing_if = "is_false")]
        closed: bool,
    },
}

/// A text entity. Offsets and lengths are in UTF-16 code units, as in Telegram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    pub offset: i32,
    pub length: i32,
    /// For text_url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// For mention_name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// For pre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// For custom_emoji.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Mention,
    Hashtag,
    BotCommand,
    Url,
    Email,
    Bold,
    Italic,
    Code,
    Pre,
    TextUrl,
    MentionName,
    Phone,
    Cashtag,
    Underline,
    Strike,
    Blockquote,
    BankCard,
    Spoiler,
    CustomEmoji,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyTo {
    pub msg_id: i32,
    /// Set when the replied message is in another chat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<Peer>,
    /// Forum topic (the topic's id) this message belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_id: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forward {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Peer>,
    /// For senders who hide their account in forwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    pub date: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_post: Option<i32>,
    /// Set in Saved Messages: where it was saved from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_from: Option<Peer>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub count: i32,
    #[serde(default, skip_serializing_if = "is_false")]
    pub chosen: bool,
}

/// The action of a service message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    ChatCreate { title: String, users: Vec<i64> },
    ChatEditTitle { title: String },
    ChatAddUser { users: Vec<i64> },
    ChatDeleteUser { user_id: i64 },
    ChatJoinedByLink { inviter_id: i64 },
    ChannelCreate { title: String },
    ChatMigrateTo { channel_id: i64 },
    ChannelMigrateFrom { title: String, chat_id: i64 },
    PinMessage,
    HistoryClear,
    PhoneCall {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<i32>,
        #[serde(default, skip_serializing_if = "is_false")]
        video: bool,
    },
    TopicCreate { title: String, icon_color: i32 },
    ContactSignUp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: i32,
    pub peer: Peer,
    /// The sender. None for channel posts signed by the channel itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Peer>,
    pub date: i32,
    /// Sent by the account's own user.
    #[serde(default, skip_serializing_if = "is_false")]
    pub out: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fwd: Option<Forward>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_date: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_bot: Option<i64>,
    /// Channel post signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// Present for service messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
