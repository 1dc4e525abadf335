//! The JSON world file: writing (streamed, deterministic) and reading (with
//! validation that names the offending object). The format is documented in
//! docs/world-format.md; keep the two in step.

use std::collections::HashSet;
use std::io::{BufReader, BufWriter, Read, Write};

use serde::ser::{Serialize, Serializer};
use serde::{Deserialize, Serialize as SerializeDerive};

use super::content::utf16_len;
use super::history::{Content, Histories};
use super::model::*;
use super::{Knobs, World, WorldError};

/// Bumped on any change a reader of an older version would misread.
pub const FORMAT_VERSION: u32 = 1;

/// The `format` key: tells a world file from other JSON (session files too
/// have a `version`).
const FORMAT: &str = "fakedc-world";

#[derive(SerializeDerive)]
struct Out<'a> {
    format: &'static str,
    version: u32,
    seed: u64,
    self_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    users: &'a [User],
    chats: &'a [Chat],
    saved_contacts: &'a [SavedContact],
    top_peers: &'a [TopPeer],
    authorizations: &'a [Authorization],
    web_authorizations: &'a [WebAuthorization],
    profile_photos: &'a [Photo],
    stories: &'a [Story],
    messages: AllMessages<'a>,
}

/// Every message, history by history (in slot order, so a loaded world gets
/// the same slots), built one at a time: writing a million-message world
/// never holds more than one message.
struct AllMessages<'a>(&'a World);

impl Serialize for AllMessages<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.all_messages())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct In {
    #[serde(default)]
    format: Option<String>,
    version: u32,
    #[serde(default)]
    seed: u64,
    self_id: i64,
    #[serde(default)]
    password: Option<String>,
    users: Vec<User>,
    #[serde(default)]
    chats: Vec<Chat>,
    #[serde(default)]
    saved_contacts: Vec<SavedContact>,
    #[serde(default)]
    top_peers: Vec<TopPeer>,
    #[serde(default)]
    authorizations: Vec<Authorization>,
    #[serde(default)]
    web_authorizations: Vec<WebAuthorization>,
    #[serde(default)]
    profile_photos: Vec<Photo>,
    #[serde(default)]
    stories: Vec<Story>,
    #[serde(default)]
    messages: Vec<Message>,
}

impl World {
    /// Writes the world as pretty (2-space) JSON. Deterministic: the same
    /// world always gives the same bytes.
    pub fn to_json(&self, writer: impl Write) -> Result<(), WorldError> {
        let out = Out {
            format: FORMAT,
            version: FORMAT_VERSION,
            seed: self.seed,
            self_id: self.self_id,
            password: self.password.as_deref(),
            users: &self.users,
            chats: &self.chats,
            saved_contacts: &self.saved_contacts,
            top_peers: &self.top_peers,
            authorizations: &self.authorizations,
            web_authorizations: &self.web_authorizations,
            profile_photos: &self.profile_photos,
            stories: &self.stories,
            messages: AllMessages(self),
        };
        let mut w = BufWriter::with_capacity(1 << 16, writer);
        serde_json::to_writer_pretty(&mut w, &out).map_err(from_serde)?;
        w.write_all(b"\n")?;
        w.flush()?;
        Ok(())
    }

    /// Reads and validates a world file. Every message is kept explicitly.
    pub fn from_json(reader: impl Read) -> Result<World, WorldError> {
        let file: In = serde_json::from_reader(BufReader::with_capacity(1 << 16, reader))
            .map_err(from_serde)?;
        if let Some(format) = file.format.filter(|f| f != FORMAT) {
            return Err(invalid(
                "format",
                format!("is {format:?}, expected {FORMAT:?}"),
            ));
        }
        if file.version != FORMAT_VERSION {
            return Err(WorldError::Version {
                found: file.version,
            });
        }
        let hist = histories(file.messages)?;
        let mut world = World {
            seed: file.seed,
            self_id: file.self_id,
            password: file.password,
            users: file.users,
            chats: file.chats,
            saved_contacts: file.saved_contacts,
            top_peers: file.top_peers,
            authorizations: file.authorizations,
            web_authorizations: file.web_authorizations,
            profile_photos: file.profile_photos,
            stories: file.stories,
            hist,
            knobs: Knobs::default(),
            index: Default::default(),
        };
        world.reindex();
        validate(&world)?;
        // After validation, so that a message in an unknown peer is reported
        // as such rather than as a clash of ids.
        world
            .hist
            .rebuild_common()
            .map_err(|id| WorldError::Duplicate {
                what: "common-box message",
                id: id as i64,
            })?;
        Ok(world)
    }
}

fn from_serde(e: serde_json::Error) -> WorldError {
    if e.is_io() {
        WorldError::Io(e.into())
    } else {
        WorldError::Json(e)
    }
}

pub(crate) fn describe(peer: Peer) -> String {
    match peer {
        Peer::User(id) => format!("user {id}"),
        Peer::Chat(id) => format!("chat {id}"),
        Peer::Channel(id) => format!("channel {id}"),
    }
}

fn invalid(at: impl Into<String>, problem: impl Into<String>) -> WorldError {
    WorldError::Invalid {
        at: at.into(),
        problem: problem.into(),
    }
}

/// Groups messages into histories in order of first appearance, checking
/// that ids ascend and dates do not go back within each. The common-box
/// index is left for the caller to build.
fn histories(messages: Vec<Message>) -> Result<Histories, WorldError> {
    let mut hist = Histories::default();
    for m in messages {
        let slot = match hist.slot(m.peer) {
            Some(slot) => slot,
            None => hist.add(m.peer, Content::Explicit(Vec::new())),
        };
        let h = &mut hist.list[slot as usize];
        let Content::Explicit(list) = &mut h.content else {
            unreachable!("loaded histories are explicit")
        };
        let at = || format!("history of {}", describe(m.peer));
        if m.id <= 0 {
            return Err(invalid(
                at(),
                format!("message id {} is not positive", m.id),
            ));
        }
        if let Some(prev) = list.last() {
            if m.id <= prev.id {
                return Err(invalid(
                    at(),
                    format!(
                        "message {} comes after message {}; ids must be strictly ascending",
                        m.id, prev.id
                    ),
                ));
            }
            if m.date < prev.date {
                return Err(invalid(
                    at(),
                    format!(
                        "message {} is dated before message {}; dates must not decrease with ids",
                        m.id, prev.id
                    ),
                ));
            }
        }
        h.ids.push(m.id);
        list.push(m);
    }
    Ok(hist)
}

struct Ids {
    users: HashSet<i64>,
    bots: HashSet<i64>,
    groups: HashSet<i64>,
    channels: HashSet<i64>,
}

impl Ids {
    fn peer(&self, at: &str, peer: Peer) -> Result<(), WorldError> {
        let (known, what) = match peer {
            Peer::User(id) => (self.users.contains(&id), "user"),
            Peer::Chat(id) => (self.groups.contains(&id), "basic group"),
            Peer::Channel(id) => (self.channels.contains(&id), "channel or supergroup"),
        };
        if known {
            Ok(())
        } else {
            Err(dangling(at, what, peer.id()))
        }
    }

    fn user(&self, at: &str, id: i64) -> Result<(), WorldError> {
        self.peer(at, Peer::User(id))
    }
}

fn dangling(at: &str, what: &'static str, id: i64) -> WorldError {
    WorldError::Dangling {
        at: at.to_string(),
        what,
        id,
    }
}

fn unique<T>(
    items: &[T],
    what: &'static str,
    key: impl Fn(&T) -> i64,
) -> Result<HashSet<i64>, WorldError> {
    let mut seen = HashSet::with_capacity(items.len());
    for item in items {
        if !seen.insert(key(item)) {
            return Err(WorldError::Duplicate {
                what,
                id: key(item),
            });
        }
    }
    Ok(seen)
}

fn validate(w: &World) -> Result<(), WorldError> {
    let ids = Ids {
        users: unique(&w.users, "user", |u| u.id)?,
        bots: w.users.iter().filter(|u| u.bot).map(|u| u.id).collect(),
        groups: w
            .chats
            .iter()
            .filter(|c| c.kind == ChatKind::Group)
            .map(|c| c.id)
            .collect(),
        channels: w
            .chats
            .iter()
            .filter(|c| c.kind != ChatKind::Group)
            .map(|c| c.id)
            .collect(),
    };
    unique(&w.chats, "chat", |c| c.id)?;
    ids.user("self_id", w.self_id)?;

    let mut names = HashSet::new();
    let usernames = w.users.iter().filter_map(|u| u.username.as_ref());
    for name in usernames.chain(w.chats.iter().filter_map(|c| c.username.as_ref())) {
        if !names.insert(name.to_ascii_lowercase()) {
            return Err(invalid(format!("username @{name}"), "used by two peers"));
        }
    }

    for c in &w.chats {
        validate_chat(w, &ids, c)?;
    }
    for (i, t) in w.top_peers.iter().enumerate() {
        ids.peer(&format!("top_peers[{i}]"), t.peer)?;
    }
    for (i, a) in w.web_authorizations.iter().enumerate() {
        ids.user(&format!("web_authorizations[{i}].bot_id"), a.bot_id)?;
    }

    // Photo and document ids are unique world-wide: a file id names one file.
    let mut photos = HashSet::new();
    let mut documents = HashSet::new();
    let mut media_ids = |at: &str, media: &Media| -> Result<(), WorldError> {
        validate_media(&ids, at, media)?;
        match media {
            Media::Photo(p) if !photos.insert(p.id) => Err(WorldError::Duplicate {
                what: "photo",
                id: p.id,
            }),
            Media::Document(d) if !documents.insert(d.id) => Err(WorldError::Duplicate {
                what: "document",
                id: d.id,
            }),
            _ => Ok(()),
        }
    };
    for p in &w.profile_photos {
        media_ids("profile_photos", &Media::Photo(p.clone()))?;
    }
    unique(&w.stories, "story", |s| s.id as i64)?;
    for s in &w.stories {
        let at = format!("story {}", s.id);
        if !matches!(s.media, Media::Photo(_) | Media::Document(_)) {
            return Err(invalid(at, "story media must be a photo or a document"));
        }
        media_ids(&at, &s.media)?;
    }
    for h in &w.hist.list {
        let Content::Explicit(messages) = &h.content else {
            continue;
        };
        let at_peer = describe(h.peer);
        ids.peer(&format!("messages of {at_peer}"), h.peer)?;
        for m in messages {
            let at = format!("message {} of {at_peer}", m.id);
            validate_message(w, &ids, &at, m)?;
            if let Some(media) = &m.media {
                media_ids(&at, media)?;
            }
        }
    }
    Ok(())
}

fn validate_chat(w: &World, ids: &Ids, c: &Chat) -> Result<(), WorldError> {
    let at = format!("chat {}", c.id);
    let other = |id: i64| w.chats.iter().find(|o| o.id == id);
    if let Some(to) = c.migrated_to {
        let ok = c.kind == ChatKind::Group
            && other(to)
                .is_some_and(|s| s.kind == ChatKind::Supergroup && s.migrated_from == Some(c.id));
        if !ok {
            return Err(invalid(
                &at,
                format!(
                    "migrated_to {to}: must be a basic group pointing at a supergroup whose migrated_from is {}",
                    c.id
                ),
            ));
        }
    }
    if let Some(from) = c.migrated_from {
        let ok = c.kind == ChatKind::Supergroup
            && other(from)
                .is_some_and(|g| g.kind == ChatKind::Group && g.migrated_to == Some(c.id));
        if !ok {
            return Err(invalid(
                &at,
                format!(
                    "migrated_from {from}: must be a supergroup pointing at a basic group whose migrated_to is {}",
                    c.id
                ),
            ));
        }
    }
    if c.forum && c.kind != ChatKind::Supergroup {
        return Err(invalid(&at, "only supergroups can be forums"));
    }
    if !c.topics.is_empty() && !c.forum {
        return Err(invalid(&at, "has topics but is not a forum"));
    }
    let mut topics = HashSet::new();
    for t in &c.topics {
        if !topics.insert(t.id) {
            return Err(invalid(&at, format!("topic {} listed twice", t.id)));
        }
    }
    for &m in &c.members {
        ids.user(&format!("{at} members"), m)?;
    }
    Ok(())
}

fn validate_message(w: &World, ids: &Ids, at: &str, m: &Message) -> Result<(), WorldError> {
    if let Some(from) = m.from {
        ids.peer(&format!("{at} from"), from)?;
    }
    if let Some(f) = &m.fwd {
        for peer in [f.from, f.saved_from].into_iter().flatten() {
            ids.peer(&format!("{at} fwd"), peer)?;
        }
    }
    if let Some(r) = &m.reply_to {
        if let Some(peer) = r.peer {
            ids.peer(&format!("{at} reply_to.peer"), peer)?;
        }
        if let Some(top) = r.top_id {
            let is_topic = w
                .chat(m.peer.id())
                .filter(|_| matches!(m.peer, Peer::Channel(_)));
            if !is_topic.is_some_and(|c| c.topics.iter().any(|t| t.id == top)) {
                return Err(invalid(
                    at,
                    format!("reply_to.top_id {top} is not a topic of this chat"),
                ));
            }
        }
    }
    if let Some(bot) = m.via_bot {
        ids.user(&format!("{at} via_bot"), bot)?;
        if !ids.bots.contains(&bot) {
            return Err(invalid(at, format!("via_bot {bot} is not a bot")));
        }
    }
    if m.edit_date.is_some_and(|e| e < m.date) {
        return Err(invalid(at, "edit_date is before date"));
    }
    let units = utf16_len(&m.text);
    for e in &m.entities {
        if e.offset < 0 || e.length <= 0 || e.offset + e.length > units {
            return Err(invalid(
                at,
                format!(
                    "entity {:?} at {}+{} does not fit the text ({units} UTF-16 code units)",
                    e.kind, e.offset, e.length
                ),
            ));
        }
        match e.kind {
            EntityKind::MentionName => {
                ids.user(&format!("{at} mention_name"), e.user_id.unwrap_or(0))?
            }
            EntityKind::TextUrl if e.url.is_none() => {
                return Err(invalid(at, "text_url entity without url"));
            }
            EntityKind::CustomEmoji if e.document_id.is_none() => {
                return Err(invalid(at, "custom_emoji entity without document_id"));
            }
            _ => {}
        }
    }
    if let Some(a) = &m.action {
        let users: Vec<i64> = match a {
            Action::ChatCreate { users, .. } | Action::ChatAddUser { users } => users.clone(),
            Action::ChatDeleteUser { user_id } => vec![*user_id],
            Action::ChatJoinedByLink { inviter_id } => vec![*inviter_id],
            Action::ChatMigrateTo { channel_id } => {
                ids.peer(&format!("{at} chat_migrate_to"), Peer::Channel(*channel_id))?;
                vec![]
            }
            Action::ChannelMigrateFrom { chat_id, .. } => {
                ids.peer(&format!("{at} channel_migrate_from"), Peer::Chat(*chat_id))?;
                vec![]
            }
            _ => vec![],
        };
        for u in users {
            ids.user(&format!("{at} action"), u)?;
        }
    }
    Ok(())
}

fn validate_media(ids: &Ids, at: &str, media: &Media) -> Result<(), WorldError> {
    let sizes = |sizes: &[PhotoSize], what: &str| -> Result<(), WorldError> {
        let mut seen = HashSet::new();
        for s in sizes {
            if s.kind.chars().count() != 1 || !seen.insert(&s.kind) {
                return Err(invalid(
                    at,
                    format!("{what} size type {:?}: must be one letter, once", s.kind),
                ));
            }
            if s.size < 0 {
                return Err(invalid(
                    at,
                    format!("{what} size {:?} has a negative byte size", s.kind),
                ));
            }
        }
        Ok(())
    };
    match media {
        Media::Photo(p) => {
            if p.sizes.is_empty() {
                return Err(invalid(at, format!("photo {} has no sizes", p.id)));
            }
            sizes(&p.sizes, "photo")
        }
        Media::Document(d) => {
            if d.size < 0 {
                return Err(invalid(
                    at,
                    format!("document {} has a negative size", d.id),
                ));
            }
            sizes(&d.thumbs, "thumbnail")
        }
        Media::Contact { user_id, .. } if *user_id != 0 => {
            ids.user(&format!("{at} contact"), *user_id)
        }
        Media::Poll { answers, votes, .. } if answers.len() != votes.len() => {
            Err(invalid(at, "poll: answers and votes differ in length"))
        }
        _ => Ok(()),
    }
}
