//! Filler messages: the bulk of a generated world, rebuilt on demand.
//!
//! A filler message is a pure function of (world seed, history slot, index,
//! id, date) and of the world's users and chats, so it never needs storing.
//! It may only look *backwards* in its history (replies), which keeps earlier
//! messages unchanged when messages are appended.

use super::World;
use super::content::{self, Text, blank, tag};
use super::generate::BASE_DATE;
use super::model::*;
use super::rng::Rng;

impl World {
    pub(crate) fn compose(&self, slot: u32, index: usize, id: i32, date: i32) -> Message {
        let history = &self.hist.list[slot as usize];
        let peer = history.peer;
        let mut rng = Rng::derive(&[self.seed, tag::FILLER, slot as u64, id as u64]);
        let mut m = blank(peer, id, date);
        let chat = match peer {
            Peer::User(_) => None,
            Peer::Chat(c) | Peer::Channel(c) => self.chat(c),
        };
        let broadcast = chat.is_some_and(|c| c.kind == ChatKind::Channel);
        let saved = peer == Peer::User(self.self_id);
        let bot_chat = matches!(peer, Peer::User(u) if self.user(u).is_some_and(|u| u.bot));

        match (peer, chat) {
            (Peer::User(other), _) => {
                let mine = saved || rng.chance(0.5);
                m.out = mine;
                m.from = Some(Peer::User(if mine { self.self_id } else { other }));
            }
            (_, Some(c)) if broadcast => {
                m.out = c.creator;
                if rng.chance(0.25) {
                    m.post_author = Some(rng.pick(content::FIRST_NAMES).to_string());
                }
            }
            (_, c) => {
                let members = c.map_or(&[][..], |c| &c.members[..]);
                let sender = if members.is_empty() {
                    self.self_id
                } else {
                    rng.choose(members)
                };
                m.out = sender == self.self_id;
                m.from = Some(Peer::User(sender));
            }
        }

        // Service messages, rarely, where they occur naturally.
        if matches!(peer, Peer::User(_)) && !saved && !bot_chat && rng.chance(0.01) {
            let missed = rng.chance(0.3);
            m.action = Some(Action::PhoneCall {
                duration: (!missed).then(|| rng.range(5, 3_600) as i32),
                video: rng.chance(0.2),
            });
            return m;
        }
        if !broadcast && chat.is_some() && index > 0 && rng.chance(0.005) {
            m.action = Some(Action::PinMessage);
            m.reply_to = Some(reply(
                history.ids[index - 1 - rng.below(index.min(30) as u64) as usize],
            ));
            return m;
        }

        let topics = chat.map_or(&[][..], |c| if c.forum { &c.topics[..] } else { &[] });
        if !topics.is_empty() && rng.chance(0.75) {
            let top = rng.pick(topics).id;
            if top < id {
                m.reply_to = Some(ReplyTo {
                    msg_id: top,
                    peer: None,
                    top_id: Some(top),
                });
            }
        } else if index > 0 && rng.chance(0.12) {
            m.reply_to = Some(reply(
                history.ids[index - 1 - rng.below(index.min(30) as u64) as usize],
            ));
        }

        let mut text = Text::default();
        let mut caption = true;
        if rng.chance(self.knobs.media_share) {
            let (media, captioned) = self.filler_media(slot, id, date, &mut rng);
            m.media = Some(media);
            caption = captioned && rng.chance(0.4);
        }
        if m.media.is_none() {
            content::chatter(&mut rng, &mut text, 1, 18, &self.users);
        } else if caption {
            content::chatter(&mut rng, &mut text, 1, 8, &self.users);
        }
        text.into_message(&mut m);

        if rng.chance(if saved { 0.3 } else { 0.03 }) {
            m.fwd = Some(self.filler_forward(&mut rng, date, saved));
        }
        if rng.chance(0.06) {
            m.edit_date = Some(date + rng.range(10, 2 * 86_400) as i32);
        }
        let reactive = chat.is_some_and(|c| c.kind != ChatKind::Group);
        if reactive && rng.chance(0.2) {
            let n = rng.range(1, 3) as usize;
            let first = rng.below(content::REACTIONS.len() as u64) as usize;
            m.reactions = (0..n)
                .map(|i| Reaction {
                    emoji: content::REACTIONS[(first + i) % content::REACTIONS.len()].to_string(),
                    count: rng.range(1, 40) as i32,
                    chosen: i == 0 && rng.chance(0.15),
                })
                .collect();
        }
        m
    }

    /// A photo or a document of any kind; also says whether the kind takes a
    /// caption (voice notes, round videos and stickers do not).
    fn filler_media(&self, slot: u32, id: i32, date: i32, rng: &mut Rng) -> (Media, bool) {
        let kind = match rng.below(100) {
            0..55 => None,
            55..65 => Some(DocumentKind::Video),
            65..75 => Some(DocumentKind::File),
            75..83 => Some(DocumentKind::Voice),
            83..89 => Some(DocumentKind::Sticker),
            89..94 => Some(DocumentKind::Gif),
            94..98 => Some(DocumentKind::Audio),
            _ => Some(DocumentKind::RoundVideo),
        };
        let max = self.knobs.max_file_size;
        match kind {
            None => {
                let letters: &[&str] = match rng.below(3) {
                    0 => &["m", "x"],
                    1 => &["s", "m", "x"],
                    _ => &["s", "m", "x", "y"],
                };
                let pid = content::media_id(self.seed, tag::PHOTO, slot, id);
                (
                    Media::Photo(content::photo(self.seed, pid, date, letters, max, rng)),
                    true,
                )
            }
            Some(kind) => {
                let did = content::media_id(self.seed, tag::DOCUMENT, slot, id);
                let size = content::document_size(kind, max, rng);
                let captioned = !matches!(
                    kind,
                    DocumentKind::Voice | DocumentKind::RoundVideo | DocumentKind::Sticker
                );
                (
                    Media::Document(content::document(self.seed, did, date, kind, size, rng)),
                    captioned,
                )
            }
        }
    }

    fn filler_forward(&self, rng: &mut Rng, date: i32, saved: bool) -> Forward {
        let user = rng.pick(&self.users);
        let hidden = user.id == self.self_id || user.deleted || rng.chance(0.2);
        let from = (!hidden).then_some(Peer::User(user.id));
        Forward {
            from,
            from_name: hidden.then(|| rng.pick(content::FIRST_NAMES).to_string()),
            date: (date as i64 - rng.range(60, 30 * 86_400)).max(BASE_DATE) as i32,
            channel_post: None,
            saved_from: if saved { from } else { None },
        }
    }
}

fn reply(msg_id: i32) -> ReplyTo {
    ReplyTo {
        msg_id,
        peer: None,
        top_id: None,
    }
}
