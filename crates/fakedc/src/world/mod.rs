//! The world: the synthetic Telegram account fakedc serves.
//!
//! A world is either generated from [`WorldParams`] (a seed and size knobs)
//! or loaded from a JSON world file (docs/world-format.md). Both give the
//! same [`World`]; a generated world keeps its message *content* implicit and
//! rebuilds it on demand, so a million messages cost a few MB (see
//! `history`). `to_json` writes every message explicitly, and loading that
//! file gives a world with the very same messages.
//!
//! Module map: `model` (plain data), `history` (ids and content per peer),
//! `generate` + `fixtures` + `filler` + `content` (the generator), `json`
//! (file format and validation), `bytes` (file contents), `rng` (the only
//! randomness).

pub mod bytes;
mod content;
mod filler;
mod fixtures;
mod generate;
mod history;
mod json;
pub mod model;
pub mod rng;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use fixtures::{MIB, PASSWORD, TOPICS};
pub use generate::{BASE_DATE, END_DATE, WorldParams};
pub use json::FORMAT_VERSION;
pub use model::*;

use content::tag;
use history::{Content, Histories};
use rng::Rng;

/// A file the world can serve: one photo size, a document, or one of a
/// document's thumbnails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKey {
    /// `size` is the photo size's letter ("s", "m", "x", "y"; "a", "b", "c"
    /// for profile photos).
    Photo {
        id: i64,
        size: char,
    },
    Document {
        id: i64,
    },
    DocumentThumb {
        id: i64,
        size: char,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileInfo {
    pub size: u64,
    pub dc_id: i32,
    pub access_hash: i64,
    pub origin: FileOrigin,
}

/// Where a file is referenced: what a client re-fetches to refresh a file
/// reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileOrigin {
    Message {
        peer: Peer,
        id: i32,
    },
    /// One of the self user's profile photos.
    ProfilePhoto,
    Story {
        id: i32,
    },
}

#[derive(thiserror::Error, Debug)]
pub enum WorldError {
    #[error("{}: {error}", path.display())]
    File {
        path: PathBuf,
        error: Box<WorldError>,
    },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Syntax or shape; serde_json's message carries line and column.
    #[error("not a valid world file: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "world format version {found} is not supported (this fakedc reads version {FORMAT_VERSION})"
    )]
    Version { found: u32 },
    #[error("duplicate {what} id {id}")]
    Duplicate { what: &'static str, id: i64 },
    #[error("{at}: refers to unknown {what} {id}")]
    Dangling {
        at: String,
        what: &'static str,
        id: i64,
    },
    #[error("{at}: {problem}")]
    Invalid { at: String, problem: String },
}

/// How filler is made where the world has no params of its own (loaded
/// worlds appending messages).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Knobs {
    pub media_share: f64,
    pub max_file_size: u64,
}

impl Default for Knobs {
    fn default() -> Knobs {
        let small = WorldParams::default();
        Knobs {
            media_share: small.media_share,
            max_file_size: small.max_file_size,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Space {
    Photo,
    Document,
}

/// Lookup tables derived from the public fields; rebuilt by `reindex`.
#[derive(Clone, Default)]
struct Index {
    users: HashMap<i64, usize>,
    chats: HashMap<i64, usize>,
    /// Lowercase username -> peer.
    usernames: HashMap<String, Peer>,
    /// Media stored explicitly (overrides, loaded messages, profile photos,
    /// stories). Generated media is found by decoding its id instead.
    files: HashMap<(Space, i64), FileOrigin>,
}

#[derive(Clone)]
pub struct World {
    /// Also seeds every file's bytes (see [`bytes`]).
    pub seed: u64,
    pub self_id: i64,
    /// Two-step password; `Some(PASSWORD)` in generated worlds.
    pub password: Option<String>,
    /// Everyone, the self user included. After changing `users` or `chats`,
    /// call [`World::reindex`].
    pub users: Vec<User>,
    pub chats: Vec<Chat>,
    pub saved_contacts: Vec<SavedContact>,
    pub top_peers: Vec<TopPeer>,
    pub authorizations: Vec<Authorization>,
    pub web_authorizations: Vec<WebAuthorization>,
    /// The self user's, newest first.
    pub profile_photos: Vec<Photo>,
    /// The story archive, newest first.
    pub stories: Vec<Story>,
    hist: Histories,
    knobs: Knobs,
    index: Index,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("seed", &self.seed)
            .field("self_id", &self.self_id)
            .field("users", &self.users.len())
            .field("chats", &self.chats.len())
            .field("histories", &self.hist.list.len())
            .field("messages", &self.message_count())
            .finish_non_exhaustive()
    }
}

impl World {
    pub fn load(path: &Path) -> Result<World, WorldError> {
        let at = |error| WorldError::File {
            path: path.to_owned(),
            error: Box::new(error),
        };
        let file = std::fs::File::open(path).map_err(|e| at(e.into()))?;
        World::from_json(file).map_err(at)
    }

    pub fn save(&self, path: &Path) -> Result<(), WorldError> {
        let at = |error| WorldError::File {
            path: path.to_owned(),
            error: Box::new(error),
        };
        let file = std::fs::File::create(path).map_err(|e| at(e.into()))?;
        self.to_json(file).map_err(at)
    }

    /// Rebuilds the lookup tables; needed after editing the public fields.
    pub fn reindex(&mut self) {
        let mut index = Index::default();
        for (i, u) in self.users.iter().enumerate() {
            index.users.insert(u.id, i);
            if let Some(name) = &u.username {
                index
                    .usernames
                    .insert(name.to_ascii_lowercase(), Peer::User(u.id));
            }
        }
        for (i, c) in self.chats.iter().enumerate() {
            index.chats.insert(c.id, i);
            if let Some(name) = &c.username {
                index.usernames.insert(name.to_ascii_lowercase(), c.peer());
            }
        }
        for h in &self.hist.list {
            match &h.content {
                Content::Explicit(messages) => {
                    messages.iter().for_each(|m| index_message(&mut index, m))
                }
                Content::Generated { overrides, .. } => overrides
                    .values()
                    .for_each(|m| index_message(&mut index, m)),
            }
        }
        for p in &self.profile_photos {
            index
                .files
                .insert((Space::Photo, p.id), FileOrigin::ProfilePhoto);
        }
        for s in &self.stories {
            if let Some(key) = media_space(&s.media) {
                index.files.insert(key, FileOrigin::Story { id: s.id });
            }
        }
        self.index = index;
    }

    pub fn self_user(&self) -> &User {
        self.user(self.self_id)
            .expect("a world always has its self user")
    }

    pub fn user(&self, id: i64) -> Option<&User> {
        self.index.users.get(&id).map(|&i| &self.users[i])
    }

    pub fn chat(&self, id: i64) -> Option<&Chat> {
        self.index.chats.get(&id).map(|&i| &self.chats[i])
    }

    /// The user or chat a username (without "@", any case) belongs to.
    pub fn resolve_username(&self, username: &str) -> Option<Peer> {
        let name = username.strip_prefix('@').unwrap_or(username);
        self.index
            .usernames
            .get(&name.to_ascii_lowercase())
            .copied()
    }

    /// True if the peer names a user, a basic group (`Peer::Chat`) or a
    /// channel/supergroup (`Peer::Channel`) of this world.
    pub fn peer_exists(&self, peer: Peer) -> bool {
        match peer {
            Peer::User(id) => self.user(id).is_some(),
            Peer::Chat(id) => self.chat(id).is_some_and(|c| c.kind == ChatKind::Group),
            Peer::Channel(id) => self.chat(id).is_some_and(|c| c.kind != ChatKind::Group),
        }
    }

    /// Peers of messages.getDialogs, most recent top message first: every
    /// peer with a history, except chats the account left (channels.
    /// getLeftChannels lists those) and basic groups migrated to a supergroup
    /// (deactivated: Telegram does not list them; clients reach their history
    /// through the supergroup's `migrated_from`). Saved Messages is
    /// `Peer::User(self_id)`, present when it has messages.
    pub fn dialogs(&self) -> Vec<Peer> {
        let mut dialogs: Vec<(i32, usize, Peer)> = self
            .hist
            .list
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.ids.is_empty() && self.is_dialog(h.peer))
            .map(|(slot, h)| (self.date_at(slot, h.ids.len() - 1), slot, h.peer))
            .collect();
        dialogs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        dialogs.into_iter().map(|(_, _, peer)| peer).collect()
    }

    fn is_dialog(&self, peer: Peer) -> bool {
        match peer {
            Peer::User(id) => self.user(id).is_some(),
            // An upgraded basic group stays listed (deactivated, with
            // migrated_to): Telegram Desktop's exporter finds its old
            // history there and merges it into the supergroup's.
            Peer::Chat(id) | Peer::Channel(id) => self.chat(id).is_some_and(|c| !c.left),
        }
    }

    /// Channels and supergroups the account left, in `chats` order.
    pub fn left_channels(&self) -> Vec<&Chat> {
        self.chats
            .iter()
            .filter(|c| c.left && c.kind != ChatKind::Group)
            .collect()
    }

    /// Every peer with a history, dialogs or not (left channels, migrated
    /// groups), in a fixed order (the order of the JSON file).
    pub fn history_peers(&self) -> impl Iterator<Item = Peer> + '_ {
        self.hist.list.iter().map(|h| h.peer)
    }

    /// Every message of the world, history by history in `history_peers`
    /// order, ascending ids within each; built one at a time.
    pub fn all_messages(&self) -> impl Iterator<Item = Message> + '_ {
        self.hist
            .list
            .iter()
            .enumerate()
            .flat_map(move |(slot, h)| (0..h.ids.len()).map(move |i| self.message_at(slot, i)))
    }

    /// Ascending message ids of a peer's history (empty if none).
    pub fn history_ids(&self, peer: Peer) -> &[i32] {
        self.hist.get(peer).map_or(&[], |h| &h.ids)
    }

    /// The message, rebuilt on demand in generated histories.
    pub fn message(&self, peer: Peer, id: i32) -> Option<Message> {
        let slot = self.hist.slot(peer)? as usize;
        let index = self.hist.list[slot].ids.binary_search(&id).ok()?;
        Some(self.message_at(slot, index))
    }

    pub(crate) fn message_at(&self, slot: usize, index: usize) -> Message {
        let h = &self.hist.list[slot];
        let id = h.ids[index];
        match &h.content {
            Content::Explicit(messages) => messages[index].clone(),
            Content::Generated {
                timeline,
                overrides,
            } => match overrides.get(&id) {
                Some(m) => m.clone(),
                None => self.compose(slot as u32, index, id, timeline.date(id)),
            },
        }
    }

    /// A message's date without building the message.
    fn date_at(&self, slot: usize, index: usize) -> i32 {
        let h = &self.hist.list[slot];
        let id = h.ids[index];
        match &h.content {
            Content::Explicit(messages) => messages[index].date,
            Content::Generated {
                timeline,
                overrides,
            } => overrides.get(&id).map_or(timeline.date(id), |m| m.date),
        }
    }

    /// Which peer owns a common-box id (private chats, Saved Messages and
    /// basic groups share one account-wide sequence, as in Telegram).
    pub fn common_box_peer(&self, id: i32) -> Option<Peer> {
        self.hist
            .common_slot(id)
            .map(|slot| self.hist.list[slot as usize].peer)
    }

    pub fn max_common_id(&self) -> i32 {
        self.hist.max_common_id()
    }

    pub fn message_count(&self) -> usize {
        self.hist.list.iter().map(|h| h.ids.len()).sum()
    }

    /// Appends `n` filler messages to a peer's history (creating it if the
    /// peer exists but had none): new ids at the end (common-box peers take
    /// the next account-wide ids), dated after every message of the world,
    /// never edited. Returns the new ids; empty if the peer is unknown.
    pub fn append_messages(&mut self, peer: Peer, n: usize) -> Vec<i32> {
        if !self.peer_exists(peer) {
            return Vec::new();
        }
        let slot = match self.hist.slot(peer) {
            Some(slot) => slot,
            None => self.hist.add(peer, Content::Explicit(Vec::new())),
        };
        let mut new_ids = Vec::with_capacity(n);
        // After everything in the world, not just this box: appended messages
        // are "new" for incremental exports and put their dialog on top.
        let mut latest = self.latest_date();
        for _ in 0..n {
            let id = self.next_id(slot);
            let mut rng = Rng::derive(&[self.seed, tag::APPEND, slot as u64, id as u64]);
            let date = latest + 1 + rng.below(60) as i32;
            latest = date;
            let index = self.hist.list[slot as usize].ids.len();
            self.hist.push_id(slot, id);
            let mut m = self.compose(slot, index, id, date);
            m.edit_date = None;
            // A hand-made world may already use the id the generator picks.
            if media_space(m.media.as_ref()).is_some_and(|key| self.index.files.contains_key(&key))
            {
                m.media = None;
            }
            index_message(&mut self.index, &m);
            match &mut self.hist.list[slot as usize].content {
                Content::Explicit(messages) => messages.push(m),
                Content::Generated { overrides, .. } => {
                    overrides.insert(id, m);
                }
            }
            new_ids.push(id);
        }
        new_ids
    }

    /// The id an appended message gets.
    fn next_id(&self, slot: u32) -> i32 {
        let h = &self.hist.list[slot as usize];
        if h.peer.in_common_box() {
            self.hist.max_common_id() + 1
        } else {
            h.ids.last().map_or(1, |&last| last + 1)
        }
    }

    /// The date of the world's newest message (or of its newest chat).
    fn latest_date(&self) -> i32 {
        let messages = self
            .hist
            .list
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.ids.is_empty());
        let newest = messages.map(|(slot, h)| self.date_at(slot, h.ids.len() - 1));
        newest
            .chain(self.chats.iter().map(|c| c.date))
            .max()
            .unwrap_or(BASE_DATE as i32)
    }

    /// Replaces a message's text (dropping its entities, whose offsets no
    /// longer fit) and sets `edit_date`. False if there is no such message or
    /// it is a service message, which cannot be edited.
    pub fn edit_message(&mut self, peer: Peer, id: i32, text: &str, edit_date: i32) -> bool {
        let Some(mut m) = self.message(peer, id) else {
            return false;
        };
        if m.action.is_some() {
            return false;
        }
        m.text = text.to_string();
        m.entities.clear();
        m.edit_date = Some(edit_date);
        let slot = self.hist.slot(peer).expect("message exists") as usize;
        let h = &mut self.hist.list[slot];
        match &mut h.content {
            Content::Explicit(messages) => {
                let index = h.ids.binary_search(&id).expect("message exists");
                messages[index] = m;
            }
            Content::Generated { overrides, .. } => {
                overrides.insert(id, m);
            }
        }
        true
    }

    /// Size, DC, access hash and origin of a file; None if the world has no
    /// such file.
    pub fn file(&self, key: &FileKey) -> Option<FileInfo> {
        let (space, id) = match *key {
            FileKey::Photo { id, .. } => (Space::Photo, id),
            FileKey::Document { id } | FileKey::DocumentThumb { id, .. } => (Space::Document, id),
        };
        let origin = match self.index.files.get(&(space, id)) {
            Some(&origin) => origin,
            None => self.generated_origin(space, id)?,
        };
        let media = match origin {
            FileOrigin::Message { peer, id } => self.message(peer, id)?.media?,
            FileOrigin::ProfilePhoto => {
                Media::Photo(self.profile_photos.iter().find(|p| p.id == id)?.clone())
            }
            FileOrigin::Story { id } => self.stories.iter().find(|s| s.id == id)?.media.clone(),
        };
        let letter = |s: &PhotoSize, size: char| s.kind.chars().eq(std::iter::once(size));
        let info = |size: i64, dc_id, access_hash| FileInfo {
            size: size as u64,
            dc_id,
            access_hash,
            origin,
        };
        match (*key, media) {
            (FileKey::Photo { id, size }, Media::Photo(p)) if p.id == id => {
                let s = p.sizes.iter().find(|s| letter(s, size))?;
                Some(info(s.size, p.dc_id, p.access_hash))
            }
            (FileKey::Document { id }, Media::Document(d)) if d.id == id => {
                Some(info(d.size, d.dc_id, d.access_hash))
            }
            (FileKey::DocumentThumb { id, size }, Media::Document(d)) if d.id == id => {
                let s = d.thumbs.iter().find(|s| letter(s, size))?;
                Some(info(s.size, d.dc_id, d.access_hash))
            }
            _ => None,
        }
    }

    /// Generated media ids encode their message (see `content::media_id`).
    fn generated_origin(&self, space: Space, id: i64) -> Option<FileOrigin> {
        let (what, slot, msg) = content::decode_media_id(self.seed, id)?;
        let wanted = match space {
            Space::Photo => tag::PHOTO,
            Space::Document => tag::DOCUMENT,
        };
        let h = self.hist.list.get(slot as usize)?;
        (what == wanted && matches!(h.content, Content::Generated { .. })).then_some(
            FileOrigin::Message {
                peer: h.peer,
                id: msg,
            },
        )
    }

    /// Bytes `offset..offset+len` of a file, clipped to its size; None if the
    /// world has no such file.
    pub fn file_bytes(&self, key: &FileKey, offset: u64, len: usize) -> Option<Vec<u8>> {
        let size = self.file(key)?.size;
        let len = (len as u64).min(size.saturating_sub(offset)) as usize;
        Some(bytes::file_bytes(self.seed, key, offset, len))
    }
}

fn media_space<'a>(media: impl Into<Option<&'a Media>>) -> Option<(Space, i64)> {
    match media.into()? {
        Media::Photo(p) => Some((Space::Photo, p.id)),
        Media::Document(d) => Some((Space::Document, d.id)),
        _ => None,
    }
}

fn index_message(index: &mut Index, m: &Message) {
    if let Some(key) = media_space(m.media.as_ref()) {
        index.files.insert(
            key,
            FileOrigin::Message {
                peer: m.peer,
                id: m.id,
            },
        );
    }
}
