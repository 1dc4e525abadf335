//! Media: photos, documents, contacts, locations, polls, and stories.
//!
//! Clients tell document kinds apart only by attributes (Telegram Desktop's
//! exporter: sticker > round video > voice > animation > video > audio >
//! plain file), so each [`DocumentKind`] gets exactly the attributes that
//! make a client file it under that kind, and no attribute that would make
//! it file it under an earlier one.

use grammers_tl_types as tl;

use super::{FileRefOf, Shaper};
use crate::world::{Document, DocumentKind, Media, Photo, PhotoSize, Story};

impl Shaper<'_> {
    pub fn media(&self, m: &Media) -> tl::enums::MessageMedia {
        use tl::types as t;
        match m {
            Media::Photo(p) => t::MessageMediaPhoto {
                spoiler: false,
                live_photo: false,
                photo: Some(self.photo(p)),
                ttl_seconds: None,
                video: None,
            }
            .into(),
            Media::Document(d) => t::MessageMediaDocument {
                nopremium: false,
                spoiler: false,
                // These flags let a client classify media whose document it
                // cannot see (self-destructing media); Telegram sets them to
                // agree with the attributes.
                video: matches!(d.kind, DocumentKind::Video | DocumentKind::RoundVideo),
                round: d.kind == DocumentKind::RoundVideo,
                voice: d.kind == DocumentKind::Voice,
                document: Some(self.document(d)),
                alt_documents: None,
                video_cover: None,
                video_timestamp: None,
                ttl_seconds: None,
            }
            .into(),
            Media::Contact { phone, first_name, last_name, user_id } => t::MessageMediaContact {
                phone_number: phone.clone(),
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                vcard: String::new(),
                user_id: *user_id,
            }
            .into(),
            Media::Geo { lat, long } => t::MessageMediaGeo {
                geo: t::GeoPoint { long: *long, lat: *lat, access_hash: 0, accuracy_radius: None }.into(),
            }
            .into(),
            Media::Poll { id, question, answers, votes, closed } => {
                let option = |i: usize| vec![i as u8];
                let poll = t::Poll {
                    id: *id,
                    closed: *closed,
                    public_voters: false,
                    multiple_choice: false,
                    quiz: false,
                    open_answers: false,
                    revoting_disabled: false,
                    shuffle_answers: false,
                    hide_results_until_close: false,
                    creator: false,
                    subscribers_only: false,
                    question: text(question),
                    answers: answers
                        .iter()
                        .enumerate()
                        .map(|(i, a)| {
                            t::PollAnswer { text: text(a), option: option(i), media: None, added_by: None, date: None }
                                .into()
                        })
                        .collect(),
                    close_period: None,
                    close_date: None,
                    countries_iso2: None,
                    hash: 0,
                };
                let results = t::PollResults {
                    min: false,
                    has_unread_votes: false,
                    can_view_stats: false,
                    results: Some(
                        votes
                            .iter()
                            .enumerate()
                            .map(|(i, &v)| {
                                t::PollAnswerVoters {
                                    chosen: false,
                                    correct: false,
                                    option: option(i),
                                    voters: Some(v),
                                    // Shares its flag bit with `voters`: both or neither.
                                    recent_voters: Some(Vec::new()),
                                }
                                .into()
                            })
                            .collect(),
                    ),
                    // Single-choice polls: one vote per voter.
                    total_voters: Some(votes.iter().sum()),
                    recent_voters: None,
                    solution: None,
                    solution_entities: None,
                    solution_media: None,
                };
                t::MessageMediaPoll { poll: poll.into(), results: results.into(), attached_media: None }.into()
            }
        }
    }

    pub fn photo(&self, p: &Photo) -> tl::enums::Photo {
        tl::types::Photo {
            has_stickers: false,
            id: p.id,
            access_hash: p.access_hash,
            file_reference: (self.file_reference)(FileRefOf::Photo(p.id)),
            date: p.date,
            sizes: p.sizes.iter().map(photo_size).collect(),
            video_sizes: None,
            dc_id: p.dc_id,
        }
        .into()
    }

    pub fn document(&self, d: &Document) -> tl::enums::Document {
        tl::types::Document {
            id: d.id,
            access_hash: d.access_hash,
            file_reference: (self.file_reference)(FileRefOf::Document(d.id)),
            date: d.date,
            mime_type: d.mime_type.clone(),
            size: d.size,
            thumbs: (!d.thumbs.is_empty()).then(|| d.thumbs.iter().map(photo_size).collect()),
            video_thumbs: None,
            dc_id: d.dc_id,
            attributes: document_attributes(d),
        }
        .into()
    }

    /// A story of the account's own archive (stories.getStoriesArchive).
    pub fn story(&self, s: &Story) -> tl::enums::StoryItem {
        tl::types::StoryItem {
            pinned: false,
            public: false,
            close_friends: false,
            min: false,
            noforwards: false,
            edited: false,
            contacts: false,
            selected_contacts: false,
            out: true,
            id: s.id,
            date: s.date,
            from_id: None,
            fwd_from: None,
            expire_date: s.expire_date,
            caption: (!s.caption.is_empty()).then(|| s.caption.clone()),
            entities: None,
            media: self.media(&s.media),
            media_areas: None,
            privacy: None,
            views: None,
            sent_reaction: None,
            albums: None,
            music: None,
        }
        .into()
    }
}

fn text(s: &str) -> tl::enums::TextWithEntities {
    tl::types::TextWithEntities { text: s.to_string(), entities: Vec::new() }.into()
}

fn photo_size(s: &PhotoSize) -> tl::enums::PhotoSize {
    tl::types::PhotoSize {
        r#type: s.kind.clone(),
        w: s.w,
        h: s.h,
        // Photo sizes are small (thumbnails to 1280 px); TL has an int here.
        size: s.size.clamp(0, i32::MAX as i64) as i32,
    }
    .into()
}

/// The attributes that make clients classify `d` as its [`DocumentKind`].
pub fn document_attributes(d: &Document) -> Vec<tl::enums::DocumentAttribute> {
    use tl::enums::DocumentAttribute as A;
    use tl::types as t;
    let (w, h) = (d.w.unwrap_or(0), d.h.unwrap_or(0));
    let duration = d.duration.unwrap_or(0);
    let video = |round_message: bool| {
        A::Video(t::DocumentAttributeVideo {
            round_message,
            supports_streaming: true,
            nosound: false,
            duration: duration as f64,
            w,
            h,
            preload_prefix_size: None,
            video_start_ts: None,
            video_codec: None,
        })
    };
    let audio = |voice: bool| {
        A::Audio(t::DocumentAttributeAudio {
            voice,
            duration,
            title: d.title.clone().filter(|_| !voice),
            performer: d.performer.clone().filter(|_| !voice),
            waveform: None,
        })
    };
    let mut attributes = match d.kind {
        DocumentKind::File => Vec::new(),
        DocumentKind::Video => vec![video(false)],
        DocumentKind::RoundVideo => vec![video(true)],
        DocumentKind::Voice => vec![audio(true)],
        DocumentKind::Audio => vec![audio(false)],
        DocumentKind::Gif => vec![video(false), A::Animated],
        DocumentKind::Sticker => vec![
            A::ImageSize(t::DocumentAttributeImageSize { w, h }),
            A::Sticker(t::DocumentAttributeSticker {
                mask: false,
                alt: d.sticker_emoji.clone().unwrap_or_default(),
                // A sticker sent outside any set; clients need no set to show it.
                stickerset: tl::enums::InputStickerSet::Empty,
                mask_coords: None,
            }),
        ],
    };
    if let Some(name) = &d.file_name {
        attributes.push(A::Filename(t::DocumentAttributeFilename { file_name: name.clone() }));
    }
    attributes
}
