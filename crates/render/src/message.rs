//! A stored message's raw TL decoded into what both writers print (the
//! shape of Telegram Desktop's Data::Message): sender, forward and reply
//! headers, service action, media description, text parts, reactions.

use grammers_tl_types as tl;
use tl::Deserializable;

use crate::text::{self, TextPart};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Message,
    Service,
    /// Media this version cannot show (Telegram Desktop's "unsupported").
    Unsupported,
}

#[derive(Clone, Debug)]
pub enum AVal {
    Str(String),
    Num(i64),
    /// User ids, written as their names.
    Users(Vec<i64>),
    /// One user, written as its name.
    UserName(i64),
    /// The message's reply target, under this key.
    ReplyId,
    Photo(PhotoInfo),
    Bool(bool),
    /// A peer key written as its name (Telegram Desktop's wrapPeerName).
    PeerName(String),
    /// A peer key written as "user1" / "chat2" / "channel3" (wrapPeerId).
    PeerId(String),
    /// An array of strings.
    Strs(Vec<String>),
    /// Numbers written compactly: `"[1,2,3]"` (todo completions).
    NumsCompact(Vec<i64>),
    /// Numbers serialized as an indented array and then written as a JSON
    /// string (requested_peer's "peers": Telegram Desktop pushes the array
    /// through its string path).
    NumsAsString(Vec<i64>),
    /// Text parts (a string or an array, as "text" is written).
    Text(Vec<TextPart>),
    /// Todo items: [{text, id}].
    Todo(Vec<(Vec<TextPart>, i32)>),
}

/// A service action: Telegram Desktop's action name (None for an action
/// that only has an information text), whether the actor is written, and
/// the action's own fields in order.
#[derive(Clone, Debug)]
pub struct Action {
    pub name: Option<&'static str>,
    pub actor: bool,
    pub fields: Vec<(&'static str, AVal)>,
}

#[derive(Clone, Debug, Default)]
pub struct PhotoInfo {
    pub width: i32,
    pub height: i32,
    pub size: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    Sticker,
    VideoMessage,
    VoiceMessage,
    Animation,
    VideoFile,
    AudioFile,
    File,
}

impl DocKind {
    pub fn media_type(self) -> Option<&'static str> {
        Some(match self {
            DocKind::Sticker => "sticker",
            DocKind::VideoMessage => "video_message",
            DocKind::VoiceMessage => "voice_message",
            DocKind::Animation => "animation",
            DocKind::VideoFile => "video_file",
            DocKind::AudioFile => "audio_file",
            DocKind::File => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub struct DocInfo {
    pub kind: DocKind,
    pub name: String,
    pub size: i64,
    pub mime: String,
    pub sticker_emoji: String,
    pub performer: String,
    pub title: String,
    pub duration: i32,
    pub width: i32,
    pub height: i32,
    /// Thumbnail (width, size) when the document has a real one.
    pub thumb: Option<(i32, i64)>,
}

#[derive(Clone, Debug)]
pub struct PollAnswer {
    pub text: Vec<TextPart>,
    pub voters: i32,
    pub chosen: bool,
}

#[derive(Clone, Debug)]
pub enum Media {
    None,
    /// `gone`: Telegram Desktop drops the file (self-destructing media, or
    /// no photo left): written "(File unavailable, ...)" with size 0.
    Photo { photo: PhotoInfo, spoiler: bool, gone: bool },
    /// `gone` as for photos; `thumb_gone`: an incoming self-destructing
    /// document's thumbnail is dropped too.
    Document { doc: DocInfo, spoiler: bool, gone: bool, thumb_gone: bool },
    /// `vcard`: the card's text (Telegram Desktop writes it to a file).
    Contact { first_name: String, last_name: String, phone: String, vcard: String },
    Geo { point: Option<(f64, f64)> },
    Venue { title: String, address: String, point: Option<(f64, f64)> },
    Poll { question: Vec<TextPart>, closed: bool, total_voters: i32, answers: Vec<PollAnswer> },
    /// `bot`: the via-bot, else the forward's user, else the sender.
    Game { title: String, description: String, short_name: String, bot: i64 },
    Invoice { title: String, description: String, amount: i64, currency: String, receipt: Option<i32> },
    Todo { title: Vec<TextPart>, others_can_append: bool, others_can_complete: bool, items: Vec<(Vec<TextPart>, i32)> },
    Giveaway(Box<GiveawayInfo>),
    GiveawayResults(Box<GiveawayResultsInfo>),
    PaidMedia { stars: i64 },
}

#[derive(Clone, Debug, Default)]
pub struct GiveawayInfo {
    pub quantity: i32,
    pub months: i32,
    pub until_date: i32,
    pub channels: Vec<i64>,
    pub countries: Vec<String>,
    pub prize: String,
    pub stars: i64,
    pub only_new: bool,
}

#[derive(Clone, Debug, Default)]
pub struct GiveawayResultsInfo {
    pub channel: i64,
    pub winners: Vec<i64>,
    pub prize: String,
    pub until_date: i32,
    pub launch_id: i32,
    pub additional_peers: i32,
    pub winners_count: i32,
    pub unclaimed_count: i32,
    pub months: i32,
    pub stars: i64,
    pub refunded: bool,
    pub only_new: bool,
}

#[derive(Clone, Debug)]
pub struct Reaction {
    /// "emoji", "custom_emoji", "paid", "empty".
    pub kind: &'static str,
    pub count: i32,
    pub emoji: String,
    pub document_id: Option<i64>,
    pub recent: Vec<(String, i32)>,
}

#[derive(Clone, Debug)]
pub struct Msg {
    /// The id written out (shifted for an upgraded group's messages).
    pub id: i64,
    /// The id in the store (for file references).
    pub store_id: i32,
    pub kind: Kind,
    pub date: i32,
    pub edited: Option<i32>,
    pub out: bool,
    /// Peer key of the sender ("user1", "channel2"); the chat itself when
    /// Telegram gives no sender, as Telegram Desktop does.
    pub from: Option<String>,
    pub author: String,
    pub forwarded_from: Option<Fwd>,
    pub saved_from: Option<String>,
    pub reply_to: Option<i32>,
    pub reply_to_peer: Option<String>,
    pub via_bot: Option<i64>,
    pub action: Option<Action>,
    pub media: Media,
    /// Self-destruct period (or live location period).
    pub ttl: Option<i32>,
    pub text: Vec<TextPart>,
    pub reactions: Vec<Reaction>,
    /// Inline keyboard rows ("inline_bot_buttons").
    pub buttons: Vec<Vec<Button>>,
}

/// An inline keyboard button as Telegram Desktop's export keeps it
/// (HistoryMessageMarkupButton): its type name, text, data, forward text
/// and button id.
#[derive(Clone, Debug)]
pub struct Button {
    pub kind: &'static str,
    pub text: String,
    pub data: Vec<u8>,
    pub forward_text: String,
    pub button_id: i64,
}

#[derive(Clone, Debug)]
pub enum Fwd {
    Peer(String),
    Name(String),
}

pub fn peer_key(p: &tl::enums::Peer) -> String {
    takeout::parse::peer_key(p)
}

#[derive(Debug, thiserror::Error)]
#[error("message {id} of {peer} cannot be decoded: {reason}")]
pub struct DecodeError {
    pub peer: String,
    pub id: i32,
    pub reason: String,
}

/// Decodes one stored message; `shift` is added to its id (and to its
/// reply's id when the reply stays in the chat) for upgraded groups.
pub fn decode(peer: &str, store_id: i32, raw: &[u8], shift: i64) -> Result<Msg, DecodeError> {
    let m = tl::enums::Message::from_bytes(raw).map_err(|e| DecodeError { peer: peer.into(), id: store_id, reason: e.to_string() })?;
    let mut out = Msg {
        id: store_id as i64 + shift,
        store_id,
        kind: Kind::Message,
        date: 0,
        edited: None,
        out: false,
        from: None,
        author: String::new(),
        forwarded_from: None,
        saved_from: None,
        reply_to: None,
        reply_to_peer: None,
        via_bot: None,
        action: None,
        media: Media::None,
        ttl: None,
        text: Vec::new(),
        reactions: Vec::new(),
        buttons: Vec::new(),
    };
    match m {
        tl::enums::Message::Empty(_) => {}
        tl::enums::Message::Message(mut m) => {
            out.date = m.date;
            out.out = m.out;
            out.from = Some(peer_key(m.from_id.as_ref().unwrap_or(&m.peer_id)));
            out.edited = m.edit_date;
            if let Some(tl::enums::MessageFwdHeader::Header(f)) = &m.fwd_from {
                out.forwarded_from = match (&f.from_id, &f.from_name) {
                    (Some(p), _) => Some(Fwd::Peer(peer_key(p))),
                    (None, Some(n)) if !n.is_empty() => Some(Fwd::Name(n.clone())),
                    _ => None,
                };
                out.saved_from = f.saved_from_peer.as_ref().map(peer_key);
            }
            out.author = m.post_author.clone().unwrap_or_default();
            reply(&mut out, m.reply_to.as_ref());
            out.via_bot = m.via_bot_id;
            if let Some(media) = &m.media {
                let (mut media, ttl, unsupported) = decode_media(media);
                // Telegram Desktop drops a self-destructing photo's or
                // document's file, and for incoming ones the thumbnail too.
                match &mut media {
                    Media::Photo { gone, .. } => *gone |= ttl.is_some(),
                    Media::Document { gone, thumb_gone, .. } => {
                        *gone |= ttl.is_some();
                        *thumb_gone = ttl.is_some() && !m.out;
                    }
                    Media::Game { bot, .. } => {
                        // The game's bot: via-bot, else the forward's user, else the sender.
                        let user = |k: &str| crate::peers::split_key(k).filter(|(t, _)| *t == "user").map(|(_, id)| id);
                        *bot = m
                            .via_bot_id
                            .or_else(|| match &out.forwarded_from {
                                Some(Fwd::Peer(p)) => user(p),
                                _ => None,
                            })
                            .or_else(|| out.from.as_deref().and_then(user))
                            .unwrap_or(0);
                    }
                    _ => {}
                }
                out.media = media;
                out.ttl = ttl;
                if unsupported {
                    out.kind = Kind::Unsupported;
                }
            }
            if let Some(tl::enums::ReplyMarkup::ReplyInlineMarkup(r)) = &m.reply_markup {
                out.buttons = buttons(r);
            }
            let entities = m.entities.take().unwrap_or_default();
            out.text = text::parts_owned(std::mem::take(&mut m.message), &entities);
            if let Some(tl::enums::MessageReactions::Reactions(r)) = &m.reactions {
                out.reactions = reactions(r);
            }
        }
        tl::enums::Message::Service(m) => {
            out.date = m.date;
            out.out = m.out;
            out.from = Some(peer_key(m.from_id.as_ref().unwrap_or(&m.peer_id)));
            reply(&mut out, m.reply_to.as_ref());
            // For service messages Telegram Desktop drops a reply peer that
            // is the chat itself (for ordinary messages it keeps it).
            if out.reply_to_peer.as_deref() == Some(peer_key(&m.peer_id).as_str()) {
                out.reply_to_peer = None;
            }
            out.action = action(&m.action);
            out.kind = if out.action.is_some() { Kind::Service } else { Kind::Message };
        }
    }
    if shift != 0
        && let (Some(r), None) = (out.reply_to, &out.reply_to_peer)
    {
        out.reply_to = Some((r as i64 + shift) as i32);
    }
    Ok(out)
}

fn reply(out: &mut Msg, h: Option<&tl::enums::MessageReplyHeader>) {
    if let Some(tl::enums::MessageReplyHeader::Header(h)) = h
        && let Some(id) = h.reply_to_msg_id
    {
        out.reply_to = Some(id);
        out.reply_to_peer = h.reply_to_peer_id.as_ref().map(peer_key);
    }
}

fn reactions(r: &tl::types::MessageReactions) -> Vec<Reaction> {
    fn one(r: &tl::enums::Reaction) -> Reaction {
        let (kind, emoji, document_id) = match r {
            tl::enums::Reaction::Emoji(e) => ("emoji", e.emoticon.clone(), None),
            tl::enums::Reaction::CustomEmoji(e) => ("custom_emoji", String::new(), Some(e.document_id)),
            tl::enums::Reaction::Paid => ("paid", String::new(), None),
            tl::enums::Reaction::Empty => ("empty", String::new(), None),
        };
        Reaction { kind, count: 0, emoji, document_id, recent: Vec::new() }
    }
    fn same(a: &Reaction, b: &Reaction) -> bool {
        a.kind == b.kind && a.emoji == b.emoji && a.document_id == b.document_id
    }
    let mut out: Vec<Reaction> = Vec::new();
    for tl::enums::ReactionCount::Count(c) in &r.results {
        let mut x = one(&c.reaction);
        x.count = c.count;
        if !out.iter().any(|o| same(o, &x)) {
            out.push(x);
        }
    }
    for tl::enums::MessagePeerReaction::Reaction(p) in r.recent_reactions.iter().flatten() {
        let x = one(&p.reaction);
        let i = match out.iter().position(|o| same(o, &x)) {
            Some(i) => i,
            None => {
                out.push(x);
                out.len() - 1
            }
        };
        out[i].recent.push((peer_key(&p.peer_id), p.date));
    }
    out
}

pub fn photo_info(p: &tl::enums::Photo) -> PhotoInfo {
    let tl::enums::Photo::Photo(p) = p else { return PhotoInfo::default() };
    let mut best = PhotoInfo::default();
    let mut area = 0i64;
    for s in &p.sizes {
        let (w, h, size) = match s {
            tl::enums::PhotoSize::Size(s) => (s.w, s.h, s.size as i64),
            tl::enums::PhotoSize::PhotoCachedSize(s) => (s.w, s.h, s.bytes.len() as i64),
            tl::enums::PhotoSize::Progressive(s) => match s.sizes.last() {
                Some(&last) => (s.w, s.h, last as i64),
                None => continue,
            },
            _ => continue,
        };
        if (w as i64) * (h as i64) > area {
            area = w as i64 * h as i64;
            best = PhotoInfo { width: w, height: h, size };
        }
    }
    best
}

fn point(g: &tl::enums::GeoPoint) -> Option<(f64, f64)> {
    match g {
        tl::enums::GeoPoint::Point(p) => Some((p.lat, p.long)),
        tl::enums::GeoPoint::Empty => None,
    }
}

/// (media, ttl, unsupported)
fn decode_media(m: &tl::enums::MessageMedia) -> (Media, Option<i32>, bool) {
    use tl::enums::MessageMedia as M;
    match m {
        // No photo or document left (an expired self-destructing one):
        // Telegram Desktop still writes the media, its file unavailable.
        M::Photo(p) => match &p.photo {
            Some(photo @ tl::enums::Photo::Photo(_)) => (Media::Photo { photo: photo_info(photo), spoiler: p.spoiler, gone: false }, p.ttl_seconds, false),
            _ => (Media::Photo { photo: PhotoInfo::default(), spoiler: p.spoiler, gone: true }, p.ttl_seconds, false),
        },
        M::Document(d) => match &d.document {
            Some(tl::enums::Document::Document(doc)) => {
                (Media::Document { doc: doc_info(doc), spoiler: d.spoiler, gone: false, thumb_gone: false }, d.ttl_seconds, false)
            }
            _ => (Media::Document { doc: DocInfo::empty(), spoiler: d.spoiler, gone: true, thumb_gone: false }, d.ttl_seconds, false),
        },
        M::Contact(c) => (
            Media::Contact { first_name: c.first_name.clone(), last_name: c.last_name.clone(), phone: c.phone_number.clone(), vcard: c.vcard.clone() },
            None,
            false,
        ),
        M::Geo(g) => (Media::Geo { point: point(&g.geo) }, None, false),
        M::GeoLive(g) => (Media::Geo { point: point(&g.geo) }, Some(g.period), false),
        M::Venue(v) => (Media::Venue { title: v.title.clone(), address: v.address.clone(), point: point(&v.geo) }, None, false),
        M::Poll(p) => {
            let tl::enums::Poll::Poll(poll) = &p.poll;
            let tl::enums::PollResults::Results(res) = &p.results;
            let mut answers: Vec<(Vec<u8>, PollAnswer)> = poll
                .answers
                .iter()
                .filter_map(|a| match a {
                    tl::enums::PollAnswer::Answer(a) => {
                        let tl::enums::TextWithEntities::Entities(t) = &a.text;
                        Some((a.option.clone(), PollAnswer { text: text::parts(&t.text, &t.entities), voters: 0, chosen: false }))
                    }
                    _ => None,
                })
                .collect();
            for tl::enums::PollAnswerVoters::Voters(v) in res.results.iter().flatten() {
                if let Some((_, a)) = answers.iter_mut().find(|(o, _)| *o == v.option) {
                    a.voters = v.voters.unwrap_or(0);
                    a.chosen |= v.chosen;
                }
            }
            let tl::enums::TextWithEntities::Entities(q) = &poll.question;
            (
                Media::Poll {
                    question: text::parts(&q.text, &q.entities),
                    closed: poll.closed,
                    total_voters: res.total_voters.unwrap_or(0),
                    answers: answers.into_iter().map(|(_, a)| a).collect(),
                },
                None,
                false,
            )
        }
        M::Game(g) => {
            let tl::enums::Game::Game(g) = &g.game;
            (Media::Game { title: g.title.clone(), description: g.description.clone(), short_name: g.short_name.clone(), bot: 0 }, None, false)
        }
        M::Invoice(i) => (
            Media::Invoice {
                title: i.title.clone(),
                description: i.description.clone(),
                amount: i.total_amount,
                currency: i.currency.clone(),
                receipt: i.receipt_msg_id,
            },
            None,
            false,
        ),
        M::ToDo(t) => {
            let tl::enums::TodoList::List(list) = &t.todo;
            (
                Media::Todo {
                    title: text_with_entities(&list.title),
                    others_can_append: list.others_can_append,
                    others_can_complete: list.others_can_complete,
                    items: todo_items(&list.list),
                },
                None,
                false,
            )
        }
        M::Giveaway(g) => (
            Media::Giveaway(Box::new(GiveawayInfo {
                quantity: g.quantity,
                months: g.months.unwrap_or(0),
                until_date: g.until_date,
                channels: g.channels.clone(),
                countries: g.countries_iso2.clone().unwrap_or_default(),
                prize: g.prize_description.clone().unwrap_or_default(),
                stars: g.stars.unwrap_or(0),
                only_new: g.only_new_subscribers,
            })),
            None,
            false,
        ),
        M::GiveawayResults(g) => (
            Media::GiveawayResults(Box::new(GiveawayResultsInfo {
                channel: g.channel_id,
                winners: g.winners.clone(),
                prize: g.prize_description.clone().unwrap_or_default(),
                until_date: g.until_date,
                launch_id: g.launch_msg_id,
                additional_peers: g.additional_peers_count.unwrap_or(0),
                winners_count: g.winners_count,
                unclaimed_count: g.unclaimed_count,
                months: g.months.unwrap_or(0),
                stars: g.stars.unwrap_or(0),
                refunded: g.refunded,
                only_new: g.only_new_subscribers,
            })),
            None,
            false,
        ),
        M::PaidMedia(p) => (Media::PaidMedia { stars: p.stars_amount }, None, false),
        M::Unsupported => (Media::None, None, true),
        // Web pages, dice, stories, video streams: not exported by
        // Telegram Desktop (the message is written without media).
        _ => (Media::None, None, false),
    }
}

/// Telegram Desktop's ButtonRowsFromTL: rows of known buttons, empty rows dropped.
fn buttons(r: &tl::types::ReplyInlineMarkup) -> Vec<Vec<Button>> {
    use tl::enums::InlineButtonType as T;
    let mut rows = Vec::new();
    for tl::enums::KeyboardInlineButtonRow::Row(row) in &r.rows {
        let mut out = Vec::new();
        for tl::enums::KeyboardInlineButton::Button(b) in &row.buttons {
            let button = |kind: &'static str, data: &[u8]| Button { kind, text: b.text.clone(), data: data.to_vec(), forward_text: String::new(), button_id: 0 };
            out.push(match &b.r#type {
                T::Url(x) => button("url", x.url.as_bytes()),
                T::UrlAuth(x) => Button { forward_text: x.fwd_text.clone().unwrap_or_default(), button_id: x.button_id as i64, ..button("auth", x.url.as_bytes()) },
                T::WebView(x) => button("web_view", x.url.as_bytes()),
                T::Callback(x) => button(if x.requires_password { "callback_with_password" } else { "callback" }, &x.data),
                T::Game => button("game", b""),
                T::Buy => button("buy", b""),
                T::SwitchInline(x) => button(if x.same_peer { "switch_inline_same" } else { "switch_inline" }, x.query.as_bytes()),
                T::UserProfile(x) => button("user_profile", x.user_id.to_string().as_bytes()),
                T::Copy(x) => button("copy_text", x.copy_text.as_bytes()),
                // Input-only kinds, and kinds Telegram Desktop does not know.
                T::InputInlineButtonTypeUrlAuth(_) | T::InputInlineButtonTypeUserProfile(_) | T::Disabled => continue,
            });
        }
        if !out.is_empty() {
            rows.push(out);
        }
    }
    rows
}

fn text_with_entities(t: &tl::enums::TextWithEntities) -> Vec<TextPart> {
    let tl::enums::TextWithEntities::Entities(t) = t;
    text::parts(&t.text, &t.entities)
}

fn todo_items(list: &[tl::enums::TodoItem]) -> Vec<(Vec<TextPart>, i32)> {
    list.iter()
        .map(|i| {
            let tl::enums::TodoItem::Item(i) = i;
            (text_with_entities(&i.title), i.id)
        })
        .collect()
}

impl DocInfo {
    /// A document Telegram no longer gives (Telegram Desktop's Document()).
    pub fn empty() -> DocInfo {
        DocInfo {
            kind: DocKind::File,
            name: String::new(),
            size: 0,
            mime: String::new(),
            sticker_emoji: String::new(),
            performer: String::new(),
            title: String::new(),
            duration: 0,
            width: 0,
            height: 0,
            thumb: None,
        }
    }
}

/// Telegram Desktop's PeerId value: the bare id with the peer type in
/// bits 48.. (user 0, chat 1, channel 2).
fn peer_value(p: &tl::enums::Peer) -> i64 {
    match p {
        tl::enums::Peer::User(u) => u.user_id,
        tl::enums::Peer::Chat(c) => c.chat_id | (1 << 48),
        tl::enums::Peer::Channel(c) => c.channel_id | (2 << 48),
    }
}

/// (whole, nano, "TON"/"Stars") of a StarsAmount.
fn stars_amount(a: Option<&tl::enums::StarsAmount>) -> (i64, i64, &'static str) {
    match a {
        Some(tl::enums::StarsAmount::Amount(a)) => (a.amount, a.nanos as i64, "Stars"),
        Some(tl::enums::StarsAmount::StarsTonAmount(a)) => (a.amount / 1_000_000_000, a.amount % 1_000_000_000, "TON"),
        None => (0, 0, "Stars"),
    }
}

fn doc_info(d: &tl::types::Document) -> DocInfo {
    use tl::enums::DocumentAttribute as A;
    let (mut sticker, mut round, mut video, mut voice, mut audio, mut animated) = (false, false, false, false, false, false);
    let mut info = DocInfo { size: d.size, mime: d.mime_type.clone(), ..DocInfo::empty() };
    for a in &d.attributes {
        match a {
            A::ImageSize(s) => (info.width, info.height) = (s.w, s.h),
            A::Animated => animated = true,
            A::Sticker(s) => {
                sticker = true;
                info.sticker_emoji = s.alt.clone();
            }
            A::CustomEmoji(s) => {
                sticker = true;
                info.sticker_emoji = s.alt.clone();
            }
            A::Video(v) => {
                if v.round_message { round = true } else { video = true }
                (info.width, info.height) = (v.w, v.h);
                info.duration = v.duration as i32;
            }
            A::Audio(a) => {
                if a.voice { voice = true } else { audio = true }
                info.performer = a.performer.clone().unwrap_or_default();
                info.title = a.title.clone().unwrap_or_default();
                info.duration = a.duration;
            }
            A::Filename(f) => info.name = f.file_name.clone(),
            A::HasStickers => {}
        }
    }
    // Telegram Desktop's precedence when writing media_type.
    info.kind = if sticker {
        DocKind::Sticker
    } else if round {
        DocKind::VideoMessage
    } else if voice {
        DocKind::VoiceMessage
    } else if animated {
        DocKind::Animation
    } else if video {
        DocKind::VideoFile
    } else if audio {
        DocKind::AudioFile
    } else {
        DocKind::File
    };
    let mut best: Option<(i64, i32, i64)> = None;
    for t in d.thumbs.iter().flatten() {
        let (w, h, size) = match t {
            tl::enums::PhotoSize::Size(s) => (s.w, s.h, s.size as i64),
            tl::enums::PhotoSize::PhotoCachedSize(s) => (s.w, s.h, s.bytes.len() as i64),
            tl::enums::PhotoSize::Progressive(s) => (s.w, s.h, s.sizes.last().copied().unwrap_or(0) as i64),
            _ => continue,
        };
        let area = w as i64 * h as i64;
        if best.is_none_or(|b| area > b.0) {
            best = Some((area, w, size));
        }
    }
    info.thumb = best.filter(|b| b.1 > 0).map(|b| (b.1, b.2));
    info
}

fn action(a: &tl::enums::MessageAction) -> Option<Action> {
    use tl::enums::MessageAction as A;
    let act = |name: &'static str, fields: Vec<(&'static str, AVal)>| Some(Action { name: Some(name), actor: true, fields });
    // Actions Telegram Desktop writes without an actor.
    let bare = |name: &'static str, fields: Vec<(&'static str, AVal)>| Some(Action { name: Some(name), actor: false, fields });
    let s = |v: &str| AVal::Str(v.to_string());
    let n = |v: i64| AVal::Num(v);
    match a {
        A::ChatCreate(x) => act("create_group", vec![("title", s(&x.title)), ("members", AVal::Users(x.users.clone()))]),
        A::ChatEditTitle(x) => act("edit_group_title", vec![("title", s(&x.title))]),
        A::ChatEditPhoto(x) => act("edit_group_photo", vec![("photo", AVal::Photo(photo_info(&x.photo)))]),
        A::ChatDeletePhoto => act("delete_group_photo", vec![]),
        A::ChatAddUser(x) => act("invite_members", vec![("members", AVal::Users(x.users.clone()))]),
        A::ChatDeleteUser(x) => act("remove_members", vec![("members", AVal::Users(vec![x.user_id]))]),
        A::ChatJoinedByLink(x) => act("join_group_by_link", vec![("inviter", AVal::UserName(x.inviter_id))]),
        A::ChannelCreate(x) => act("create_channel", vec![("title", s(&x.title))]),
        A::ChatMigrateTo(_) => act("migrate_to_supergroup", vec![]),
        A::ChannelMigrateFrom(x) => act("migrate_from_group", vec![("title", s(&x.title))]),
        A::PinMessage => act("pin_message", vec![("message_id", AVal::ReplyId)]),
        A::HistoryClear => act("clear_history", vec![]),
        A::GameScore(x) => act("score_in_game", vec![("game_message_id", AVal::ReplyId), ("score", AVal::Num(x.score as i64))]),
        A::PhoneCall(x) => {
            let mut f = Vec::new();
            if let Some(d) = x.duration.filter(|d| *d != 0) {
                f.push(("duration_seconds", AVal::Num(d as i64)));
            }
            use tl::enums::PhoneCallDiscardReason as R;
            let reason = match &x.reason {
                Some(R::Busy) => "busy",
                Some(R::Disconnect) => "disconnect",
                Some(R::Hangup) => "hangup",
                Some(R::Missed) => "missed",
                Some(_) => "migrate_conference_all",
                None => "",
            };
            if !reason.is_empty() {
                f.push(("discard_reason", s(reason)));
            }
            act("phone_call", f)
        }
        A::ScreenshotTaken => act("take_screenshot", vec![]),
        A::CustomAction(x) => Some(Action { name: None, actor: true, fields: vec![("information_text", s(&x.message))] }),
        A::ContactSignUp => act("joined_telegram", vec![]),
        A::GroupCall(x) => act("group_call", x.duration.filter(|d| *d != 0).map(|d| vec![("duration", AVal::Num(d as i64))]).unwrap_or_default()),
        A::InviteToGroupCall(x) => act("invite_to_group_call", vec![("members", AVal::Users(x.users.clone()))]),
        A::SetMessagesTtl(x) => act("set_messages_ttl", vec![("period", AVal::Num(x.period as i64))]),
        A::GroupCallScheduled(x) => act("group_call_scheduled", vec![("schedule_date", AVal::Num(x.schedule_date as i64))]),
        A::ChatJoinedByRequest => act("join_group_by_request", vec![]),
        A::TopicCreate(x) => act("topic_created", vec![("title", s(&x.title))]),
        A::TopicEdit(x) => {
            let mut f = Vec::new();
            if let Some(t) = x.title.as_ref().filter(|t| !t.is_empty()) {
                f.push(("new_title", s(t)));
            }
            // Telegram Desktop's iconEmojiId is an optional initialized to
            // 0, so it is always written (0 when the icon did not change).
            f.push(("new_icon_emoji_id", AVal::Num(x.icon_emoji_id.unwrap_or(0))));
            act("topic_edit", f)
        }
        A::SetChatWallPaper(x) => act(if x.same { "set_same_chat_wallpaper" } else { "set_chat_wallpaper" }, vec![("message_id", AVal::ReplyId)]),
        A::PaymentSent(x) => {
            let mut f = vec![("amount", n(x.total_amount)), ("currency", s(&x.currency)), ("invoice_message_id", AVal::ReplyId)];
            if x.recurring_used {
                f.push(("recurring", s("used")));
            } else if x.recurring_init {
                f.push(("recurring", s("init")));
            }
            bare("send_payment", f)
        }
        A::BotAllowed(x) => {
            let app = match &x.app {
                Some(tl::enums::BotApp::App(a)) => Some((a.id, a.title.clone())),
                _ => None,
            };
            if x.attach_menu {
                bare("attach_menu_bot_allowed", vec![])
            } else if x.from_request {
                bare("web_app_bot_allowed", vec![])
            } else if let Some((id, title)) = app.filter(|a| a.0 != 0) {
                bare("allow_sending_messages", vec![("reason_app_id", n(id)), ("reason_app_name", s(&title))])
            } else {
                bare("allow_sending_messages", vec![("reason_domain", s(x.domain.as_deref().unwrap_or("")))])
            }
        }
        A::SecureValuesSent(x) => {
            use tl::enums::SecureValueType as T;
            let values = x
                .types
                .iter()
                .map(|t| {
                    match t {
                        T::PersonalDetails => "personal_details",
                        T::Passport => "passport",
                        T::DriverLicense => "driver_license",
                        T::IdentityCard => "identity_card",
                        T::InternalPassport => "internal_passport",
                        T::Address => "address_information",
                        T::UtilityBill => "utility_bill",
                        T::BankStatement => "bank_statement",
                        T::RentalAgreement => "rental_agreement",
                        T::PassportRegistration => "passport_registration",
                        T::TemporaryRegistration => "temporary_registration",
                        T::Phone => "phone_number",
                        T::Email => "email",
                    }
                    .to_string()
                })
                .collect();
            bare("send_passport_values", vec![("values", AVal::Strs(values))])
        }
        A::GeoProximityReached(x) => {
            let (from, to) = (peer_key(&x.from_id), peer_key(&x.to_id));
            bare(
                "proximity_reached",
                vec![
                    ("from", AVal::PeerName(from.clone())),
                    ("from_id", AVal::PeerId(from)),
                    ("to", AVal::PeerName(to.clone())),
                    ("to_id", AVal::PeerId(to)),
                    ("distance", n(x.distance as i64)),
                ],
            )
        }
        A::SetChatTheme(x) => {
            let emoji = match &x.theme {
                tl::enums::ChatTheme::Theme(t) => t.emoticon.clone(),
                _ => String::new(),
            };
            act("edit_chat_theme", vec![("emoticon", s(&emoji))])
        }
        A::WebViewDataSent(x) => bare("send_webview_data", vec![("text", s(&x.text))]),
        A::SuggestProfilePhoto(x) => act("suggest_profile_photo", vec![("photo", AVal::Photo(photo_info(&x.photo)))]),
        A::RequestedPeer(x) => act(
            "requested_peer",
            vec![("button_id", n(x.button_id as i64)), ("peers", AVal::NumsAsString(x.peers.iter().map(peer_value).collect()))],
        ),
        A::GiveawayLaunch(_) => bare("giveaway_launch", vec![]),
        A::GiveawayResults(x) => bare(
            "giveaway_results",
            vec![("winners", n(x.winners_count as i64)), ("unclaimed", n(x.unclaimed_count as i64)), ("stars", AVal::Bool(x.stars))],
        ),
        A::BoostApply(x) => act("boost_apply", vec![("boosts", n(x.boosts as i64))]),
        A::PaymentRefunded(x) => {
            let peer = peer_key(&x.peer);
            let tl::enums::PaymentCharge::Charge(charge) = &x.charge;
            bare(
                "refunded_payment",
                vec![
                    ("amount", n(x.total_amount)),
                    ("currency", s(&x.currency)),
                    ("peer_name", AVal::PeerName(peer.clone())),
                    ("peer_id", AVal::PeerId(peer)),
                    ("charge_id", s(&charge.id)),
                ],
            )
        }
        A::PrizeStars(x) => {
            let peer = peer_key(&x.boost_peer);
            act(
                "stars_prize",
                vec![
                    ("boost_peer_id", AVal::PeerId(peer.clone())),
                    ("boost_peer_name", AVal::PeerName(peer)),
                    ("stars", n(x.stars)),
                    ("is_unclaimed", AVal::Bool(x.unclaimed)),
                    ("giveaway_msg_id", n(x.giveaway_msg_id as i64)),
                    ("transaction_id", s(&x.transaction_id)),
                ],
            )
        }
        A::StarGift(x) => {
            let (id, stars, limited) = match &x.gift {
                tl::enums::StarGift::Gift(g) => (g.id, g.stars, g.limited),
                tl::enums::StarGift::Unique(g) => (g.id, 0, false),
            };
            let text = x.message.as_ref().map(text_with_entities).unwrap_or_default();
            act(
                "send_star_gift",
                vec![
                    ("gift_id", n(id)),
                    ("stars", n(stars)),
                    ("is_limited", AVal::Bool(limited)),
                    ("is_anonymous", AVal::Bool(x.name_hidden)),
                    ("gift_text", AVal::Text(text)),
                ],
            )
        }
        A::StarGiftUnique(x) => {
            let (id, stars, limited) = match &x.gift {
                tl::enums::StarGift::Gift(g) => (g.id, g.stars, g.limited),
                tl::enums::StarGift::Unique(g) => (g.id, 0, false),
            };
            act(
                "send_star_gift",
                vec![
                    ("gift_id", n(id)),
                    ("stars", n(stars)),
                    ("is_limited", AVal::Bool(limited)),
                    ("is_anonymous", AVal::Bool(false)),
                    ("gift_text", AVal::Text(Vec::new())),
                ],
            )
        }
        A::PaidMessagesRefunded(x) => act("paid_messages_refund", vec![("messages_count", n(x.count as i64)), ("stars_count", n(x.stars))]),
        A::PaidMessagesPrice(x) => act(
            "paid_messages_price_change",
            vec![("price_stars", n(x.stars as i32 as i64)), ("is_broadcast_messages_allowed", AVal::Bool(x.broadcast_messages_allowed))],
        ),
        A::TodoCompletions(x) => act(
            "todo_completions",
            vec![
                ("completed", AVal::NumsCompact(x.completed.iter().map(|i| *i as i64).collect())),
                ("incompleted", AVal::NumsCompact(x.incompleted.iter().map(|i| *i as i64).collect())),
            ],
        ),
        A::TodoAppendTasks(x) => act("todo_append_tasks", vec![("items", AVal::Todo(todo_items(&x.list)))]),
        A::SuggestedPostApproval(x) => {
            if x.rejected {
                let mut f = vec![("rejected", AVal::Bool(true))];
                if let Some(c) = x.reject_comment.as_ref().filter(|c| !c.is_empty()) {
                    f.push(("comment", s(c)));
                }
                act("process_suggested_post", f)
            } else {
                let (whole, nano, currency) = stars_amount(x.price.as_ref());
                act(
                    "process_suggested_post",
                    vec![
                        ("price_amount_whole", s(&whole.to_string())),
                        ("price_amount_nano", s(&nano.to_string())),
                        ("price_currency", s(currency)),
                        ("scheduled_date", n(x.schedule_date.unwrap_or(0) as i64)),
                    ],
                )
            }
        }
        A::SuggestedPostSuccess(x) => {
            let (whole, nano, currency) = stars_amount(Some(&x.price));
            act(
                "suggested_post_success",
                vec![
                    ("price_amount_whole", s(&whole.to_string())),
                    ("price_amount_nano", s(&nano.to_string())),
                    ("price_currency", s(currency)),
                ],
            )
        }
        A::SuggestedPostRefund(x) => act("suggested_post_refund", vec![("user_initiated", AVal::Bool(x.payer_initiated))]),
        A::ConferenceCall(x) => {
            let mut f = Vec::new();
            if let Some(d) = x.duration.filter(|d| *d != 0) {
                f.push(("duration_seconds", n(d as i64)));
            }
            f.push(("is_active", AVal::Bool(!x.missed && x.active)));
            f.push(("is_missed", AVal::Bool(x.missed)));
            act("conference_call", f)
        }
        // Actions Telegram Desktop's export does not describe: written as
        // an empty message, as it does.
        _ => None,
    }
}
