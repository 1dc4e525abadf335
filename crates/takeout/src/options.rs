//! What to export: the takeout flags (every parameter of
//! account.initTakeoutSession), which kinds of chat, "only my messages",
//! the other sections, chat selection and a date range.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// The parameters of account.initTakeoutSession.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags {
    pub contacts: bool,
    pub message_users: bool,
    pub message_chats: bool,
    pub message_megagroups: bool,
    pub message_channels: bool,
    pub files: bool,
    /// Sent with `files` (they share a flag bit). Bytes.
    pub file_max_size: i64,
}

/// Chat types as Telegram Desktop names them in result.json.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatType {
    SavedMessages,
    PersonalChat,
    BotChat,
    /// A basic group (always private).
    PrivateGroup,
    PrivateSupergroup,
    PublicSupergroup,
    PrivateChannel,
    PublicChannel,
}

impl ChatType {
    pub const ALL: [ChatType; 8] = [
        ChatType::SavedMessages,
        ChatType::PersonalChat,
        ChatType::BotChat,
        ChatType::PrivateGroup,
        ChatType::PrivateSupergroup,
        ChatType::PublicSupergroup,
        ChatType::PrivateChannel,
        ChatType::PublicChannel,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChatType::SavedMessages => "saved_messages",
            ChatType::PersonalChat => "personal_chat",
            ChatType::BotChat => "bot_chat",
            ChatType::PrivateGroup => "private_group",
            ChatType::PrivateSupergroup => "private_supergroup",
            ChatType::PublicSupergroup => "public_supergroup",
            ChatType::PrivateChannel => "private_channel",
            ChatType::PublicChannel => "public_channel",
        }
    }

    /// The takeout flag Telegram requires to read this type's messages.
    pub fn allowed_by(self, f: &Flags) -> bool {
        match self {
            ChatType::SavedMessages | ChatType::PersonalChat | ChatType::BotChat => f.message_users,
            ChatType::PrivateGroup => f.message_chats,
            ChatType::PrivateSupergroup | ChatType::PublicSupergroup => f.message_megagroups,
            ChatType::PrivateChannel | ChatType::PublicChannel => f.message_channels,
        }
    }
}

/// Media kinds as Telegram Desktop's export settings name them ("Types of
/// media"), plus the account's profile photos and stories, whose files are
/// governed by their sections. The name is what `FileRef::kind` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Photo,
    VideoFile,
    VoiceMessage,
    RoundVideoMessage,
    Sticker,
    Animation,
    /// Everything else, music included (Telegram Desktop's "Files").
    File,
    ProfilePhoto,
    Story,
}

impl MediaKind {
    /// The kinds a message's media can have (what `--media` selects).
    pub const MESSAGE_KINDS: [MediaKind; 7] = [
        MediaKind::Photo,
        MediaKind::VideoFile,
        MediaKind::VoiceMessage,
        MediaKind::RoundVideoMessage,
        MediaKind::Sticker,
        MediaKind::Animation,
        MediaKind::File,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::VideoFile => "video_file",
            MediaKind::VoiceMessage => "voice_message",
            MediaKind::RoundVideoMessage => "round_video_message",
            MediaKind::Sticker => "sticker",
            MediaKind::Animation => "animation",
            MediaKind::File => "file",
            MediaKind::ProfilePhoto => "profile_photo",
            MediaKind::Story => "story",
        }
    }

    /// Telegram Desktop's folder for the kind (inside a chat's folder for
    /// message media, at the top for profile photos and stories).
    pub fn folder(self) -> &'static str {
        match self {
            MediaKind::Photo => "photos",
            MediaKind::VideoFile => "video_files",
            MediaKind::VoiceMessage => "voice_messages",
            MediaKind::RoundVideoMessage => "round_video_messages",
            MediaKind::Sticker => "stickers",
            MediaKind::Animation => "animations",
            MediaKind::File => "files",
            MediaKind::ProfilePhoto => "profile_pictures",
            MediaKind::Story => "stories",
        }
    }
}

/// How files are fetched (not what: that is `Flags::files`,
/// `file_max_size` and `ExportOptions::media`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileOptions {
    /// Most files downloaded at once (how many actually are follows
    /// `parallel_requests`: small files claim one request, big ones up to
    /// `parts_per_file`).
    pub parallel_files: usize,
    /// upload.getFile requests in flight over all files (the starting
    /// point: flood waits halve it, successes raise it back), and the
    /// parts files in flight may claim together.
    pub parallel_requests: usize,
    /// Parts of one file in flight at once.
    pub parts_per_file: usize,
    /// Seconds without an answer to one upload.getFile before it is sent
    /// again (grammers has no read timeout; a stuck request would hang the
    /// file forever).
    pub stall_timeout_secs: f64,
    /// Connections per data centre the client spreads requests over (the
    /// caller builds the client; the engine only carries the choice).
    pub connections: usize,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions { parallel_files: 64, parallel_requests: 32, parts_per_file: 8, stall_timeout_secs: 30.0, connections: 1 }
    }
}

/// Telegram Desktop's categories (its export settings), for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    PersonalChats,
    BotChats,
    PrivateGroups,
    PublicGroups,
    PrivateChannels,
    PublicChannels,
}

impl Category {
    pub fn chat_types(self) -> &'static [ChatType] {
        match self {
            Category::PersonalChats => &[ChatType::SavedMessages, ChatType::PersonalChat],
            Category::BotChats => &[ChatType::BotChat],
            Category::PrivateGroups => &[ChatType::PrivateGroup, ChatType::PrivateSupergroup],
            Category::PublicGroups => &[ChatType::PublicSupergroup],
            Category::PrivateChannels => &[ChatType::PrivateChannel],
            Category::PublicChannels => &[ChatType::PublicChannel],
        }
    }
}

/// Telegram Desktop's mapping from categories to takeout flags, exactly
/// (export_api_wrap.cpp, startMainSession): private groups need both
/// message_chats and message_megagroups, public groups only megagroups.
pub fn flags_for(categories: &BTreeSet<Category>, contacts: bool, files: bool, file_max_size: i64) -> Flags {
    let has = |c| categories.contains(&c);
    Flags {
        contacts,
        message_users: has(Category::PersonalChats) || has(Category::BotChats),
        message_chats: has(Category::PrivateGroups),
        message_megagroups: has(Category::PrivateGroups) || has(Category::PublicGroups),
        message_channels: has(Category::PrivateChannels) || has(Category::PublicChannels),
        files,
        file_max_size,
    }
}

/// Names a chat: by id (123, or a peer key user123/chat123/channel123),
/// by @username, or by exact name (case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Selector {
    Id(i64),
    Peer(String),
    Username(String),
    Name(String),
}

impl Selector {
    pub fn parse(s: &str) -> Selector {
        let s = s.trim();
        if let Some(u) = s.strip_prefix('@') {
            return Selector::Username(u.to_ascii_lowercase());
        }
        if let Ok(id) = s.parse::<i64>() {
            return Selector::Id(id);
        }
        for prefix in ["user", "chat", "channel"] {
            if s.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())) {
                return Selector::Peer(s.to_string());
            }
        }
        Selector::Name(s.to_lowercase())
    }

    pub fn matches(&self, peer: &str, id: i64, username: Option<&str>, name: &str) -> bool {
        match self {
            Selector::Id(x) => *x == id,
            Selector::Peer(p) => p == peer,
            Selector::Username(u) => username.is_some_and(|n| n.eq_ignore_ascii_case(u)),
            Selector::Name(n) => name.to_lowercase() == *n,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExportOptions {
    pub flags: Flags,
    /// Chat types to export (each also needs its flag).
    pub chat_types: BTreeSet<ChatType>,
    /// Chat types from which only the account's own messages are exported.
    pub only_mine: BTreeSet<ChatType>,
    pub personal_info: bool,
    pub profile_photos: bool,
    pub stories: bool,
    pub sessions: bool,
    /// Chats the account left (channels and supergroups), own messages only.
    pub left_chats: bool,
    pub include: Vec<Selector>,
    pub exclude: Vec<Selector>,
    /// Unix seconds, inclusive bounds on message dates.
    pub since: Option<i32>,
    pub until: Option<i32>,
    /// Chats fetched at once (the starting point; flood waits lower it).
    pub concurrency: usize,
    /// Re-check messages already stored for edits, page by page with
    /// Telegram's page hash (unchanged pages cost a tiny answer).
    pub refresh_edits: bool,
    /// Message media kinds whose files are downloaded (with `flags.files`);
    /// the others are recorded as skipped. Telegram Desktop's default is
    /// photos only.
    #[serde(default = "default_media")]
    pub media: BTreeSet<MediaKind>,
    #[serde(default)]
    pub file_options: FileOptions,
}

fn default_media() -> BTreeSet<MediaKind> {
    [MediaKind::Photo].into()
}

impl ExportOptions {
    /// What Telegram Desktop exports by default: personal info, profile
    /// photos, contacts, stories, personal chats and private groups, photos
    /// up to 8 MB.
    pub fn telegram_desktop_defaults() -> Self {
        let categories: BTreeSet<Category> = [Category::PersonalChats, Category::PrivateGroups].into();
        Self::from_categories(&categories, &BTreeSet::new(), true, true, 8 << 20)
    }

    pub fn from_categories(
        categories: &BTreeSet<Category>,
        only_mine: &BTreeSet<Category>,
        contacts: bool,
        files: bool,
        file_max_size: i64,
    ) -> Self {
        ExportOptions {
            flags: flags_for(categories, contacts, files, file_max_size),
            chat_types: categories.iter().flat_map(|c| c.chat_types().iter().copied()).collect(),
            only_mine: only_mine.iter().flat_map(|c| c.chat_types().iter().copied()).collect(),
            personal_info: true,
            profile_photos: true,
            stories: true,
            sessions: false,
            left_chats: true,
            include: Vec::new(),
            exclude: Vec::new(),
            since: None,
            until: None,
            concurrency: 16,
            refresh_edits: false,
            media: default_media(),
            file_options: FileOptions::default(),
        }
    }

    /// Raw flags, as a power user gives them: every chat type a flag allows.
    pub fn from_flags(flags: Flags) -> Self {
        let mut o = Self::from_categories(&BTreeSet::new(), &BTreeSet::new(), flags.contacts, flags.files, flags.file_max_size);
        o.flags = flags;
        o.chat_types = ChatType::ALL.into_iter().filter(|t| t.allowed_by(&flags)).collect();
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_map_like_telegram_desktop() {
        let f = flags_for(&[Category::PrivateGroups].into(), false, false, 0);
        assert!(f.message_chats && f.message_megagroups && !f.message_users && !f.message_channels);
        let f = flags_for(&[Category::PublicGroups].into(), false, false, 0);
        assert!(!f.message_chats && f.message_megagroups);
        let f = flags_for(&[Category::BotChats].into(), true, false, 0);
        assert!(f.message_users && f.contacts);
        let f = flags_for(&[Category::PublicChannels].into(), false, true, 5);
        assert!(f.message_channels && f.files && f.file_max_size == 5);
    }

    #[test]
    fn selectors() {
        assert_eq!(Selector::parse("@Fx_Alice"), Selector::Username("fx_alice".into()));
        assert_eq!(Selector::parse("42"), Selector::Id(42));
        assert_eq!(Selector::parse("channel42"), Selector::Peer("channel42".into()));
        assert_eq!(Selector::parse("Book Club"), Selector::Name("book club".into()));
        assert!(Selector::parse("book club").matches("channel1", 1, None, "Book Club"));
    }
}
