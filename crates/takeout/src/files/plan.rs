//! What files the stored data refers to: the media of stored messages,
//! the account's profile photos and its stories, each turned into a
//! [`Candidate`] — which server file (location, dc, size), which media kind,
//! and how Telegram Desktop would name it.

use grammers_tl_types as tl;

use crate::options::MediaKind;
use crate::store_files::{SLOT_FILE, SLOT_THUMB};

use super::layout::{date_part, extension, sanitize};

/// A server file, enough to ask upload.getFile for it.
#[derive(Clone, Debug, PartialEq)]
pub enum Location {
    Photo { id: i64, access_hash: i64, file_reference: Vec<u8>, size: String },
    /// `thumb` empty for the document itself, else a thumbnail's size letter.
    Document { id: i64, access_hash: i64, file_reference: Vec<u8>, thumb: String },
}

impl Location {
    /// The store's key of the server file (`files.location`).
    pub fn key(&self) -> String {
        match self {
            Location::Photo { id, size, .. } => format!("photo:{id}:{size}"),
            Location::Document { id, thumb, .. } if thumb.is_empty() => format!("doc:{id}"),
            Location::Document { id, thumb, .. } => format!("doc:{id}:{thumb}"),
        }
    }

    pub fn input(&self) -> tl::enums::InputFileLocation {
        match self {
            Location::Photo { id, access_hash, file_reference, size } => tl::types::InputPhotoFileLocation {
                id: *id,
                access_hash: *access_hash,
                file_reference: file_reference.clone(),
                thumb_size: size.clone(),
            }
            .into(),
            Location::Document { id, access_hash, file_reference, thumb } => tl::types::InputDocumentFileLocation {
                id: *id,
                access_hash: *access_hash,
                file_reference: file_reference.clone(),
                thumb_size: thumb.clone(),
            }
            .into(),
        }
    }

    pub fn set_reference(&mut self, r: Vec<u8>) {
        match self {
            Location::Photo { file_reference, .. } | Location::Document { file_reference, .. } => *file_reference = r,
        }
    }
}

/// How to name a file: a name the server gave (sanitized later), or
/// Telegram Desktop's generated `prefix_N@date.ext`.
#[derive(Clone, Debug, PartialEq)]
pub enum Name {
    Given(String),
    Generated { prefix: &'static str, ext: &'static str },
    /// The document's path + "_thumb.jpg" (Telegram Desktop's thumbnails).
    ThumbOf,
}

/// One file one owner refers to.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub slot: &'static str,
    pub kind: MediaKind,
    pub location: Location,
    pub dc: i32,
    pub size: i64,
    pub name: Name,
    pub date: i32,
}

/// The files a message refers to: its photo's largest size, or its
/// document and the document's largest thumbnail.
pub fn message_files(raw: &[u8]) -> Vec<Candidate> {
    let Ok(tl::enums::Message::Message(m)) = <tl::enums::Message as tl::Deserializable>::from_bytes(raw) else {
        return Vec::new();
    };
    match m.media {
        Some(media) => media_files(&media, m.date, false),
        None => Vec::new(),
    }
}

/// The files of a message's or a story's media. `story`: a story's media
/// is always of kind [`MediaKind::Story`].
pub fn media_files(media: &tl::enums::MessageMedia, date: i32, story: bool) -> Vec<Candidate> {
    match media {
        tl::enums::MessageMedia::Photo(p) => match &p.photo {
            Some(tl::enums::Photo::Photo(photo)) => {
                let kind = if story { MediaKind::Story } else { MediaKind::Photo };
                photo_file(photo, kind, date).into_iter().collect()
            }
            _ => Vec::new(),
        },
        tl::enums::MessageMedia::Document(d) => match &d.document {
            Some(tl::enums::Document::Document(doc)) => document_files(doc, date, story),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A photo's largest size by area (what Telegram Desktop exports).
pub fn photo_file(photo: &tl::types::Photo, kind: MediaKind, date: i32) -> Option<Candidate> {
    let (letter, size) = largest(&photo.sizes)?;
    Some(Candidate {
        slot: SLOT_FILE,
        kind,
        location: Location::Photo {
            id: photo.id,
            access_hash: photo.access_hash,
            file_reference: photo.file_reference.clone(),
            size: letter,
        },
        dc: photo.dc_id,
        size,
        name: Name::Generated { prefix: if kind == MediaKind::Story { "story" } else { "photo" }, ext: ".jpg" },
        date,
    })
}

/// (letter, bytes) of the largest downloadable size.
fn largest(sizes: &[tl::enums::PhotoSize]) -> Option<(String, i64)> {
    use tl::enums::PhotoSize as S;
    let mut best: Option<(i64, String, i64)> = None;
    for s in sizes {
        let (area, letter, bytes) = match s {
            S::Size(x) => (x.w as i64 * x.h as i64, x.r#type.clone(), x.size as i64),
            S::Progressive(x) => (x.w as i64 * x.h as i64, x.r#type.clone(), x.sizes.last().copied().unwrap_or(0) as i64),
            // Cached sizes come inline with the message; stripped and path
            // sizes are not files.
            _ => continue,
        };
        if best.as_ref().is_none_or(|b| area > b.0) {
            best = Some((area, letter, bytes));
        }
    }
    best.map(|(_, l, b)| (l, b))
}

fn document_files(doc: &tl::types::Document, date: i32, story: bool) -> Vec<Candidate> {
    use tl::enums::DocumentAttribute as A;
    let kind = if story {
        MediaKind::Story
    } else {
        match crate::parse::document_kind(doc) {
            "sticker" => MediaKind::Sticker,
            "round_video" => MediaKind::RoundVideoMessage,
            "voice" => MediaKind::VoiceMessage,
            "gif" => MediaKind::Animation,
            "video" => MediaKind::VideoFile,
            _ => MediaKind::File,
        }
    };
    let given = doc.attributes.iter().find_map(|a| match a {
        A::Filename(f) if !f.file_name.is_empty() => Some(f.file_name.clone()),
        _ => None,
    });
    // Telegram Desktop: the document's own name, else audio_N / video_N /
    // file_N with the date and an extension from the mime type.
    let name = match (given, kind) {
        (Some(n), _) => Name::Given(n),
        (None, MediaKind::VoiceMessage) => {
            Name::Generated { prefix: "audio", ext: if doc.mime_type.eq_ignore_ascii_case("audio/mp3") { ".mp3" } else { ".ogg" } }
        }
        (None, MediaKind::VideoFile) => Name::Generated { prefix: "video", ext: extension(&doc.mime_type, ".mov") },
        (None, MediaKind::Story) => Name::Generated { prefix: "story", ext: extension(&doc.mime_type, ".mp4") },
        (None, _) => Name::Generated { prefix: "file", ext: extension(&doc.mime_type, ".unknown") },
    };
    let mut out = vec![Candidate {
        slot: SLOT_FILE,
        kind,
        location: Location::Document {
            id: doc.id,
            access_hash: doc.access_hash,
            file_reference: doc.file_reference.clone(),
            thumb: String::new(),
        },
        dc: doc.dc_id,
        size: doc.size,
        name,
        date,
    }];
    if let Some((letter, size)) = doc.thumbs.as_deref().and_then(largest) {
        out.push(Candidate {
            slot: SLOT_THUMB,
            kind,
            location: Location::Document {
                id: doc.id,
                access_hash: doc.access_hash,
                file_reference: doc.file_reference.clone(),
                thumb: letter,
            },
            dc: doc.dc_id,
            size,
            name: Name::ThumbOf,
            date,
        });
    }
    out
}

/// The file name for a candidate, given the next number of its generated
/// names (only called for [`Name::Generated`]).
pub fn file_name(name: &Name, index: i64, date: i32) -> String {
    match name {
        Name::Given(n) => sanitize(n),
        Name::Generated { prefix, ext } => format!("{prefix}_{index}{}{ext}", date_part(date)),
        Name::ThumbOf => unreachable!("thumbnails are named after their document"),
    }
}

/// A stored profile photo's file.
pub fn profile_photo_file(raw: &[u8]) -> Option<(i64, Candidate)> {
    let tl::enums::Photo::Photo(p) = <tl::enums::Photo as tl::Deserializable>::from_bytes(raw).ok()? else { return None };
    let c = photo_file(&p, MediaKind::ProfilePhoto, p.date)?;
    Some((p.id, c))
}

/// A stored story's files.
pub fn story_files(raw: &[u8]) -> Option<(i64, Vec<Candidate>)> {
    let tl::enums::StoryItem::Item(s) = <tl::enums::StoryItem as tl::Deserializable>::from_bytes(raw).ok()? else { return None };
    Some((s.id as i64, media_files(&s.media, s.date, true)))
}
