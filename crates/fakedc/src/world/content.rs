//! Building blocks shared by fixtures and filler: ids, access hashes, text
//! with entities, names, and photo/document construction.

use super::model::*;
use super::rng::{Rng, hash};

/// What a derived id or hash is for; part of every derivation so two uses of
/// the same number never collide.
pub(crate) mod tag {
    pub const PHOTO: u64 = 1;
    pub const DOCUMENT: u64 = 2;
    pub const PROFILE_PHOTO: u64 = 3;
    pub const STORY_PHOTO: u64 = 4;
    pub const STORY_DOCUMENT: u64 = 5;
    pub const POLL: u64 = 6;
    pub const CUSTOM_EMOJI: u64 = 7;
    pub const USER: u64 = 0x10;
    pub const CHANNEL: u64 = 0x11;
    pub const FILLER: u64 = 0x20;
    pub const FIXTURE: u64 = 0x21;
    pub const APPEND: u64 = 0x22;
    pub const POSITIONS: u64 = 0x23;
    pub const GAPS: u64 = 0x24;
    pub const TIMELINE: u64 = 0x25;
    pub const COUNTS: u64 = 0x26;
    pub const ID_KEY: u64 = 0x27;
    pub const AUTH: u64 = 0x28;
    pub const PEOPLE: u64 = 0x29;
}

const M63: u64 = (1 << 63) - 1;
const C1: u64 = 0xD6E8_FEB8_6659_FD93;
const C2: u64 = 0xA5CB_3B7B_D3F5_7C1D;

const fn inverse(c: u64) -> u64 {
    // Newton's iteration doubles the correct low bits each round: 3 -> 96.
    let mut x = c;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(c.wrapping_mul(x)));
        i += 1;
    }
    x
}

fn permute63(mut x: u64) -> u64 {
    x ^= x >> 32;
    x = x.wrapping_mul(C1) & M63;
    x ^= x >> 32;
    x = x.wrapping_mul(C2) & M63;
    x ^ (x >> 32)
}

fn unpermute63(mut x: u64) -> u64 {
    x ^= x >> 32;
    x = x.wrapping_mul(inverse(C2)) & M63;
    x ^= x >> 32;
    x = x.wrapping_mul(inverse(C1)) & M63;
    x ^ (x >> 32)
}

/// Id of a generated photo, document or poll: a reversible scramble of
/// (tag, history slot, message id). Reversible so that `World::file` can find
/// a generated message's media without any index: decode, regenerate, check.
/// Positive and random-looking, like Telegram's.
pub(crate) fn media_id(seed: u64, tag: u64, slot: u32, n: i32) -> i64 {
    debug_assert!(tag < 8 && slot < 1 << 24);
    let raw = (tag << 56) | ((slot as u64) << 32) | n as u32 as u64;
    permute63(raw ^ id_key(seed)) as i64
}

/// The inverse of [`media_id`]: (tag, slot, message id), if `id` is one.
pub(crate) fn decode_media_id(seed: u64, id: i64) -> Option<(u64, u32, i32)> {
    if id < 0 {
        return None;
    }
    let raw = unpermute63(id as u64) ^ id_key(seed);
    if raw >> 59 != 0 {
        return None;
    }
    Some((
        raw >> 56,
        ((raw >> 32) & 0xFF_FFFF) as u32,
        raw as u32 as i32,
    ))
}

fn id_key(seed: u64) -> u64 {
    hash(&[seed, tag::ID_KEY]) & ((1 << 59) - 1)
}

/// Nonzero, as Telegram's are.
pub(crate) fn access_hash(seed: u64, what: u64, id: i64) -> i64 {
    match hash(&[seed, what, id as u64]) as i64 {
        0 => 1,
        h => h,
    }
}

/// A message with nothing in it but its address and date.
pub(crate) fn blank(peer: Peer, id: i32, date: i32) -> Message {
    Message {
        id,
        peer,
        from: None,
        date,
        out: false,
        text: String::new(),
        entities: Vec::new(),
        reply_to: None,
        fwd: None,
        edit_date: None,
        via_bot: None,
        post_author: None,
        media: None,
        reactions: Vec::new(),
        action: None,
    }
}

/// Text with entities whose offsets are counted in UTF-16 code units.
#[derive(Default)]
pub(crate) struct Text {
    text: String,
    units: i32,
    entities: Vec<Entity>,
}

pub(crate) fn utf16_len(s: &str) -> i32 {
    s.encode_utf16().count() as i32
}

pub(crate) fn entity(kind: EntityKind, offset: i32, length: i32) -> Entity {
    Entity {
        kind,
        offset,
        length,
        url: None,
        user_id: None,
        language: None,
        document_id: None,
    }
}

impl Text {
    pub fn plain(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self.units += utf16_len(s);
        self
    }

    /// Where the next character will start; pair with [`Text::close`] to
    /// make an entity around several pieces (nesting).
    pub fn mark(&self) -> i32 {
        self.units
    }

    pub fn close(&mut self, kind: EntityKind, start: i32) -> &mut Entity {
        self.entities.push(entity(kind, start, self.units - start));
        self.entities.last_mut().unwrap()
    }

    pub fn ent(&mut self, kind: EntityKind, s: &str) -> &mut Entity {
        let start = self.mark();
        self.plain(s);
        self.close(kind, start)
    }

    /// Entities sorted as Telegram sends them: by offset, outer before inner.
    pub fn finish(mut self) -> (String, Vec<Entity>) {
        self.entities.sort_by_key(|e| (e.offset, -e.length));
        (self.text, self.entities)
    }

    pub fn into_message(self, m: &mut Message) {
        let (text, entities) = self.finish();
        m.text = text;
        m.entities = entities;
    }
}

pub(crate) const WORDS: &[&str] = &[
    "hello",
    "export",
    "archive",
    "tomorrow",
    "coffee",
    "meeting",
    "photo",
    "trip",
    "weekend",
    "deadline",
    "release",
    "bug",
    "fixed",
    "lunch",
    "train",
    "airport",
    "concert",
    "birthday",
    "project",
    "draft",
    "review",
    "merge",
    "deploy",
    "server",
    "backup",
    "restore",
    "garden",
    "recipe",
    "pizza",
    "football",
    "match",
    "score",
    "movie",
    "ticket",
    "hotel",
    "beach",
    "mountain",
    "snow",
    "rain",
    "sunny",
    "late",
    "early",
    "thanks",
    "sorry",
    "maybe",
    "sure",
    "great",
    "awesome",
    "really",
    "never",
    "always",
    "today",
    "tonight",
    "office",
    "remote",
    "call",
    "later",
    "budget",
    "invoice",
    "plan",
    "idea",
    "question",
    "answer",
    "book",
    "chapter",
    "music",
    "playlist",
    "guitar",
    "piano",
    "bike",
    "run",
    "walk",
    "dog",
    "cat",
    "café",
    "naïve",
    "jalapeño",
    "Zürich",
    "Kraków",
    "Ελλάδα",
    "Москва",
    "東京",
    "서울",
];

pub(crate) const EMOJI: &[&str] = &[
    "😂",
    "👍",
    "❤️",
    "🎉",
    "🔥",
    "🙈",
    "👋🏽",
    "🤔",
    "😎",
    "🚀",
    "🍕",
    "🏔️",
    "👨‍👩‍👧",
    "🇩🇪",
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Mateo", "Sofia", "Lucas", "Mia", "Elias", "Zoë",
    "Renée", "Łukasz", "Søren", "José", "Ingrid", "Aiko", "Chen", "Priya", "Omar", "Fatima",
    "Dmitri", "Olga", "Hannah", "Jonas", "Lea", "Marco", "Giulia", "Pierre", "Camille", "Ahmet",
    "Elif", "Nia", "Kwame", "Yuki", "Mei", "Arjun", "Isabela", "Tomás", "Freya",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Müller",
    "García",
    "Rossi",
    "Dubois",
    "Novak",
    "Kowalski",
    "Jensen",
    "Silva",
    "Nakamura",
    "Kim",
    "Singh",
    "Haddad",
    "Yilmaz",
    "Ivanova",
    "Andersson",
    "O'Brien",
    "Costa",
    "Schmidt",
    "Martin",
    "",
    "",
    "",
];

pub(crate) const TITLE_WORDS: &[&str] = &[
    "Hiking", "Book", "Rust", "Chess", "Photo", "Travel", "Startup", "Garden", "Jazz", "Crypto",
    "Running", "Cooking", "Design", "News", "Cinema", "Retro", "Science", "Linux", "Coffee",
];

pub(crate) const TITLE_NOUNS: &[&str] = &[
    "Club", "Lovers", "Crew", "Digest", "Daily", "Chat", "Hub", "Friends", "Weekly", "Corner",
    "Lab", "Notes", "Society",
];

pub(crate) const REACTIONS: &[&str] = &["👍", "❤️", "🔥", "😂", "🎉", "👎", "🤯"];

/// A few words of chat text, sometimes with an emoji or one entity.
pub(crate) fn chatter(rng: &mut Rng, t: &mut Text, min_words: u64, max_words: u64, users: &[User]) {
    let n = min_words + rng.below(max_words - min_words + 1);
    let entity_at = if rng.chance(0.15) {
        rng.below(n)
    } else {
        u64::MAX
    };
    for i in 0..n {
        if i > 0 {
            t.plain(" ");
        }
        if i == entity_at {
            let word = rng.choose(WORDS);
            match rng.below(10) {
                0 => t.ent(EntityKind::Bold, word),
                1 => t.ent(EntityKind::Italic, word),
                2 => t.ent(EntityKind::Code, word),
                3 => t.ent(EntityKind::Underline, word),
                4 => t.ent(EntityKind::Strike, word),
                5 => t.ent(EntityKind::Spoiler, word),
                6 => t.ent(
                    EntityKind::Hashtag,
                    &format!("#{}", ascii_slug(word, "tag")),
                ),
                7 => t.ent(
                    EntityKind::Url,
                    &format!("https://example.com/{}", ascii_slug(word, "x")),
                ),
                8 => {
                    let url = format!("https://example.org/{}", ascii_slug(word, "x"));
                    let e = t.ent(EntityKind::TextUrl, word);
                    e.url = Some(url);
                    e
                }
                _ => match rng.pick(users).username.as_deref() {
                    Some(u) => t.ent(EntityKind::Mention, &format!("@{u}")),
                    None => t.ent(EntityKind::Bold, word),
                },
            };
        } else if rng.chance(0.08) {
            t.plain(rng.choose(EMOJI));
        } else {
            t.plain(rng.choose(WORDS));
        }
    }
}

/// Lowercase ASCII letters and digits of `s`, or `fallback` if none.
pub(crate) fn ascii_slug(s: &str, fallback: &str) -> String {
    let slug: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if slug.is_empty() {
        fallback.to_string()
    } else {
        slug
    }
}

/// Mostly DC 2 (the account's home), some files elsewhere so a client has to
/// follow `dc_id`.
pub(crate) fn media_dc(rng: &mut Rng) -> i32 {
    if rng.chance(0.7) {
        2
    } else {
        rng.choose(&[1, 3, 4, 5])
    }
}

/// A photo with the given size letters ("s" 90px box, "m" 320, "x" 800,
/// "y" 1280, and "a"/"b"/"c" 160/320/640 for profile photos); byte sizes grow
/// with the box and stay below `max_size`.
pub(crate) fn photo(
    seed: u64,
    id: i64,
    date: i32,
    letters: &[&str],
    max_size: u64,
    rng: &mut Rng,
) -> Photo {
    let (w0, h0) = rng.choose(&[
        (1280, 960),
        (960, 1280),
        (1280, 720),
        (1280, 1280),
        (720, 1280),
    ]);
    let sizes = letters
        .iter()
        .map(|&letter| {
            let (side, lo, hi) = match letter {
                "s" => (90, 600, 3_000),
                "m" => (320, 8_000, 32_000),
                "x" => (800, 40_000, 160_000),
                "a" => (160, 4_000, 12_000),
                "b" => (320, 10_000, 40_000),
                "c" => (640, 30_000, 90_000),
                _ => (1280, 120_000, 480_000),
            };
            let scale = side as f64 / w0.max(h0) as f64;
            let hi = hi.min(max_size.max(lo));
            PhotoSize {
                kind: letter.to_string(),
                w: ((w0 as f64 * scale) as i32).max(1),
                h: ((h0 as f64 * scale) as i32).max(1),
                size: rng.range(lo as i64, hi as i64),
            }
        })
        .collect();
    Photo {
        id,
        access_hash: access_hash(seed, tag::PHOTO, id),
        date,
        dc_id: media_dc(rng),
        sizes,
    }
}

/// A document of `kind` with the mime type and attributes Telegram Desktop
/// uses to tell the kinds apart. `size` is the main file's size.
pub(crate) fn document(
    seed: u64,
    id: i64,
    date: i32,
    kind: DocumentKind,
    size: u64,
    rng: &mut Rng,
) -> Document {
    let mut d = Document {
        id,
        access_hash: access_hash(seed, tag::DOCUMENT, id),
        date,
        dc_id: media_dc(rng),
        kind,
        mime_type: String::new(),
        size: size as i64,
        file_name: None,
        duration: None,
        w: None,
        h: None,
        performer: None,
        title: None,
        sticker_emoji: None,
        thumbs: Vec::new(),
    };
    let thumb = |rng: &mut Rng, w: i32, h: i32| PhotoSize {
        kind: "m".into(),
        w: w.min(320),
        h: h.min(320),
        size: rng.range(2_000, 12_000),
    };
    let word = ascii_slug(rng.choose(WORDS), "file");
    match kind {
        DocumentKind::File => {
            let (mime, ext) = rng.choose(&[
                ("application/pdf", "pdf"),
                ("application/zip", "zip"),
                ("text/plain", "txt"),
                (
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "docx",
                ),
            ]);
            d.mime_type = mime.into();
            d.file_name = Some(format!("{word}_{}.{ext}", rng.below(1000)));
        }
        DocumentKind::Video => {
            let (w, h) = rng.choose(&[(1280, 720), (720, 1280), (1920, 1080), (640, 360)]);
            d.mime_type = "video/mp4".into();
            d.file_name = Some(format!("VID_{}_{word}.mp4", rng.below(100_000)));
            (d.w, d.h, d.duration) = (Some(w), Some(h), Some(rng.range(3, 600) as i32));
            d.thumbs.push(thumb(rng, w / 4, h / 4));
        }
        DocumentKind::Voice => {
            d.mime_type = "audio/ogg".into();
            d.duration = Some(rng.range(1, 120) as i32);
        }
        DocumentKind::RoundVideo => {
            let side = rng.choose(&[240, 384, 400]);
            d.mime_type = "video/mp4".into();
            (d.w, d.h, d.duration) = (Some(side), Some(side), Some(rng.range(1, 60) as i32));
            d.thumbs.push(thumb(rng, side / 2, side / 2));
        }
        DocumentKind::Sticker => {
            d.mime_type = "image/webp".into();
            d.file_name = Some("sticker.webp".into());
            (d.w, d.h) = (Some(512), Some(512));
            d.sticker_emoji = Some(rng.pick(EMOJI).to_string());
            d.thumbs.push(thumb(rng, 128, 128));
        }
        DocumentKind::Gif => {
            let (w, h) = rng.choose(&[(480, 270), (320, 320), (498, 280)]);
            d.mime_type = "video/mp4".into();
            d.file_name = Some(format!("{word}.gif.mp4"));
            (d.w, d.h, d.duration) = (Some(w), Some(h), Some(rng.range(1, 10) as i32));
            d.thumbs.push(thumb(rng, w / 2, h / 2));
        }
        DocumentKind::Audio => {
            let performer = format!("The {}s", capitalize(&word));
            let title = capitalize(&ascii_slug(rng.choose(WORDS), "song"));
            d.mime_type = "audio/mpeg".into();
            d.file_name = Some(format!("{performer} - {title}.mp3"));
            (d.performer, d.title) = (Some(performer), Some(title));
            d.duration = Some(rng.range(60, 400) as i32);
        }
    }
    d
}

/// Filler size of a document: log-uniform up to the knob, with a floor and a
/// ceiling per kind (stickers and voice notes are never huge).
pub(crate) fn document_size(kind: DocumentKind, max_file_size: u64, rng: &mut Rng) -> u64 {
    let (lo, hi) = match kind {
        DocumentKind::Sticker => (8_000, 64_000),
        DocumentKind::Voice => (4_000, 400_000),
        DocumentKind::RoundVideo => (100_000, 4_000_000),
        DocumentKind::Gif => (20_000, 3_000_000),
        _ => (1_024, u64::MAX),
    };
    let hi = hi.min(max_file_size).max(1);
    rng.log_uniform(lo.min(hi), hi)
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ids_decode() {
        for seed in [0, 1, u64::MAX] {
            for (tag, slot, n) in [
                (1, 0, 1),
                (2, 5, 123_456),
                (7, (1 << 24) - 1, i32::MAX),
                (1, 3, -1),
            ] {
                let id = media_id(seed, tag, slot, n);
                assert!(id >= 0);
                assert_eq!(decode_media_id(seed, id), Some((tag, slot, n)));
            }
        }
        assert_eq!(inverse(C1).wrapping_mul(C1), 1);
        assert_eq!(inverse(C2).wrapping_mul(C2), 1);
    }

    #[test]
    fn text_offsets_are_utf16() {
        let mut t = Text::default();
        t.plain("👋🏽 e\u{301} ");
        t.ent(EntityKind::Bold, "x");
        let (text, e) = t.finish();
        assert_eq!((e[0].offset, e[0].length), (8, 1));
        assert_eq!(text.chars().count(), 7);
        assert_eq!(text.len(), 14);
    }
}
