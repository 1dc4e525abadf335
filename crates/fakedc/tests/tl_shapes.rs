//! World values shaped into TL: every shape survives serialization (which
//! catches flags whose field is missing or whose bit another field shares),
//! and says what the world says, read back the way clients read it.

use std::collections::{BTreeSet, HashSet};

use fakedc::tl::{self as shape, FileRefOf, Shaper};
use fakedc::world::*;
use grammers_tl_types::{self as tl, Deserializable, Serializable};

fn world() -> World {
    World::generate(&WorldParams::preset("small", 1).unwrap())
}

/// Distinct per file, so a test can tell which file a reference was made for.
fn file_reference(of: FileRefOf) -> Vec<u8> {
    match of {
        FileRefOf::Photo(id) => [&[1u8][..], &id.to_le_bytes()].concat(),
        FileRefOf::Document(id) => [&[2u8][..], &id.to_le_bytes()].concat(),
    }
}

fn shaper(world: &World) -> Shaper<'_> {
    Shaper { world, file_reference: &file_reference }
}

/// Serializes and parses back; the parsed value must equal the original.
fn round_trip<T: Serializable + Deserializable + PartialEq + std::fmt::Debug>(value: &T) {
    let bytes = value.to_bytes();
    let back = T::from_bytes(&bytes).unwrap_or_else(|e| panic!("{value:?} does not parse back: {e:?}"));
    assert_eq!(&back, value, "changed by a serialization round trip");
}

/// Every peer with a history: the dialogs, the channels the account left and
/// the basic groups migrated to supergroups.
fn all_history_peers(w: &World) -> Vec<Peer> {
    let mut peers = w.dialogs();
    peers.extend(w.left_channels().iter().map(|c| c.peer()));
    // Upgraded basic groups are dialogs already (Telegram lists them deactivated).
    let all: HashSet<Peer> = w.history_peers().collect();
    assert_eq!(peers.iter().copied().collect::<HashSet<_>>(), all, "some history is in none of the lists");
    peers
}

fn chat_by_username<'a>(w: &'a World, username: &str) -> &'a Chat {
    match w.resolve_username(username) {
        Some(Peer::Chat(id) | Peer::Channel(id)) => w.chat(id).unwrap(),
        other => panic!("no chat @{username}: {other:?}"),
    }
}

fn chat_by_title<'a>(w: &'a World, title: &str, kind: ChatKind) -> &'a Chat {
    w.chats.iter().find(|c| c.title == title && c.kind == kind).unwrap_or_else(|| panic!("no chat {title}"))
}

fn tl_peer(p: &tl::enums::Peer) -> Peer {
    match p {
        tl::enums::Peer::User(u) => Peer::User(u.user_id),
        tl::enums::Peer::Chat(c) => Peer::Chat(c.chat_id),
        tl::enums::Peer::Channel(c) => Peer::Channel(c.channel_id),
    }
}

/// How Telegram Desktop's exporter classifies a document (export_data_types.cpp,
/// ParseAttributes and the media_type it writes), re-implemented from the
/// attributes alone.
fn desktop_kind(attributes: &[tl::enums::DocumentAttribute]) -> DocumentKind {
    use tl::enums::DocumentAttribute as A;
    let (mut sticker, mut round, mut voice, mut animated, mut video, mut audio) = Default::default();
    for a in attributes {
        match a {
            A::Sticker(_) => sticker = true,
            A::Video(v) if v.round_message => round = true,
            A::Video(_) => video = true,
            A::Audio(a) if a.voice => voice = true,
            A::Audio(_) => audio = true,
            A::Animated => animated = true,
            _ => {}
        }
    }
    if sticker {
        DocumentKind::Sticker
    } else if round {
        DocumentKind::RoundVideo
    } else if voice {
        DocumentKind::Voice
    } else if animated {
        DocumentKind::Gif
    } else if video {
        DocumentKind::Video
    } else if audio {
        DocumentKind::Audio
    } else {
        DocumentKind::File
    }
}

fn file_name(attributes: &[tl::enums::DocumentAttribute]) -> Option<&str> {
    attributes.iter().find_map(|a| match a {
        tl::enums::DocumentAttribute::Filename(f) => Some(f.file_name.as_str()),
        _ => None,
    })
}

fn check_photo(p: &Photo, t: &tl::enums::Photo) {
    let tl::enums::Photo::Photo(t) = t else { panic!("photoEmpty for {}", p.id) };
    assert_eq!((t.id, t.access_hash, t.date, t.dc_id), (p.id, p.access_hash, p.date, p.dc_id));
    assert_eq!(t.file_reference, file_reference(FileRefOf::Photo(p.id)));
    assert_eq!(t.sizes.len(), p.sizes.len());
    for (s, ts) in p.sizes.iter().zip(&t.sizes) {
        let tl::enums::PhotoSize::Size(ts) = ts else { panic!("not a photoSize: {ts:?}") };
        assert_eq!((ts.r#type.as_str(), ts.w, ts.h, ts.size as i64), (s.kind.as_str(), s.w, s.h, s.size));
    }
}

/// The document's fields, its classification, and messageMediaDocument's
/// kind flags agreeing with it.
fn check_document(d: &Document, media: &tl::types::MessageMediaDocument) {
    let Some(tl::enums::Document::Document(t)) = &media.document else { panic!("no document {}", d.id) };
    assert_eq!((t.id, t.access_hash, t.date, t.dc_id, t.size), (d.id, d.access_hash, d.date, d.dc_id, d.size));
    assert_eq!(t.mime_type, d.mime_type);
    assert_eq!(t.file_reference, file_reference(FileRefOf::Document(d.id)));
    assert_eq!(t.thumbs.as_ref().map_or(0, Vec::len), d.thumbs.len());
    assert_eq!(desktop_kind(&t.attributes), d.kind, "{:?} is classified wrongly: {:?}", d.kind, t.attributes);
    assert_eq!(file_name(&t.attributes), d.file_name.as_deref());
    assert_eq!(media.voice, d.kind == DocumentKind::Voice, "voice flag of {:?}", d.kind);
    assert_eq!(media.round, d.kind == DocumentKind::RoundVideo, "round flag of {:?}", d.kind);
    assert_eq!(
        media.video,
        matches!(d.kind, DocumentKind::Video | DocumentKind::RoundVideo),
        "video flag of {:?}",
        d.kind
    );
}

fn check_media(m: &Media, t: &tl::enums::MessageMedia) {
    use tl::enums::MessageMedia as M;
    match (m, t) {
        (Media::Photo(p), M::Photo(t)) => check_photo(p, t.photo.as_ref().expect("photo present")),
        (Media::Document(d), M::Document(t)) => check_document(d, t),
        (Media::Contact { phone, first_name, last_name, user_id }, M::Contact(t)) => {
            assert_eq!(
                (&t.phone_number, &t.first_name, &t.last_name, t.user_id),
                (phone, first_name, last_name, *user_id)
            );
        }
        (Media::Geo { lat, long }, M::Geo(t)) => {
            let tl::enums::GeoPoint::Point(g) = &t.geo else { panic!("geoPointEmpty") };
            assert_eq!((g.lat, g.long), (*lat, *long));
        }
        (Media::Poll { id, question, answers, votes, closed }, M::Poll(t)) => {
            let tl::enums::Poll::Poll(poll) = &t.poll;
            assert_eq!((poll.id, poll.closed), (*id, *closed));
            let tl::enums::TextWithEntities::Entities(q) = &poll.question;
            assert_eq!(&q.text, question);
            let texts: Vec<&str> = poll
                .answers
                .iter()
                .map(|a| match a {
                    tl::enums::PollAnswer::Answer(a) => {
                        let tl::enums::TextWithEntities::Entities(t) = &a.text;
                        t.text.as_str()
                    }
                    other => panic!("not a pollAnswer: {other:?}"),
                })
                .collect();
            assert_eq!(texts, answers.iter().map(String::as_str).collect::<Vec<_>>());
            let tl::enums::PollResults::Results(r) = &t.results;
            let counts: Vec<i32> = r
                .results
                .as_ref()
                .expect("results present")
                .iter()
                .map(|v| {
                    let tl::enums::PollAnswerVoters::Voters(v) = v;
                    v.voters.expect("voters present")
                })
                .collect();
            assert_eq!(&counts, votes);
            assert_eq!(r.total_voters, Some(votes.iter().sum()));
        }
        (m, t) => panic!("{m:?} shaped as {t:?}"),
    }
}

fn tl_entity(e: &tl::enums::MessageEntity) -> (EntityKind, i32, i32) {
    use tl::enums::MessageEntity as M;
    match e {
        M::Mention(e) => (EntityKind::Mention, e.offset, e.length),
        M::Hashtag(e) => (EntityKind::Hashtag, e.offset, e.length),
        M::BotCommand(e) => (EntityKind::BotCommand, e.offset, e.length),
        M::Url(e) => (EntityKind::Url, e.offset, e.length),
        M::Email(e) => (EntityKind::Email, e.offset, e.length),
        M::Bold(e) => (EntityKind::Bold, e.offset, e.length),
        M::Italic(e) => (EntityKind::Italic, e.offset, e.length),
        M::Code(e) => (EntityKind::Code, e.offset, e.length),
        M::Pre(e) => (EntityKind::Pre, e.offset, e.length),
        M::TextUrl(e) => (EntityKind::TextUrl, e.offset, e.length),
        M::MentionName(e) => (EntityKind::MentionName, e.offset, e.length),
        M::Phone(e) => (EntityKind::Phone, e.offset, e.length),
        M::Cashtag(e) => (EntityKind::Cashtag, e.offset, e.length),
        M::Underline(e) => (EntityKind::Underline, e.offset, e.length),
        M::Strike(e) => (EntityKind::Strike, e.offset, e.length),
        M::Blockquote(e) => (EntityKind::Blockquote, e.offset, e.length),
        M::BankCard(e) => (EntityKind::BankCard, e.offset, e.length),
        M::Spoiler(e) => (EntityKind::Spoiler, e.offset, e.length),
        M::CustomEmoji(e) => (EntityKind::CustomEmoji, e.offset, e.length),
        other => panic!("unexpected entity {other:?}"),
    }
}

fn check_entities(es: &[Entity], t: &Option<Vec<tl::enums::MessageEntity>>) {
    use tl::enums::MessageEntity as M;
    let Some(t) = t else {
        assert!(es.is_empty(), "entities dropped");
        return;
    };
    assert!(!t.is_empty(), "an empty entity vector instead of none");
    assert_eq!(t.len(), es.len());
    for (e, te) in es.iter().zip(t) {
        assert_eq!(tl_entity(te), (e.kind, e.offset, e.length));
        match te {
            M::Pre(p) => assert_eq!(Some(p.language.as_str()), Some(e.language.as_deref().unwrap_or(""))),
            M::TextUrl(u) => assert_eq!(Some(&u.url), e.url.as_ref()),
            M::MentionName(n) => assert_eq!(Some(n.user_id), e.user_id),
            M::CustomEmoji(c) => assert_eq!(Some(c.document_id), e.document_id),
            M::Blockquote(b) => assert!(!b.collapsed),
            _ => {}
        }
    }
}

/// Returns the action's name, for coverage.
fn check_action(a: &Action, t: &tl::enums::MessageAction) -> &'static str {
    use tl::enums::MessageAction as A;
    match (a, t) {
        (Action::ChatCreate { title, users }, A::ChatCreate(t)) => {
            assert_eq!((&t.title, &t.users), (title, users));
            "chat_create"
        }
        (Action::ChatEditTitle { title }, A::ChatEditTitle(t)) => {
            assert_eq!(&t.title, title);
            "chat_edit_title"
        }
        (Action::ChatAddUser { users }, A::ChatAddUser(t)) => {
            assert_eq!(&t.users, users);
            "chat_add_user"
        }
        (Action::ChatDeleteUser { user_id }, A::ChatDeleteUser(t)) => {
            assert_eq!(t.user_id, *user_id);
            "chat_delete_user"
        }
        (Action::ChatJoinedByLink { inviter_id }, A::ChatJoinedByLink(t)) => {
            assert_eq!(t.inviter_id, *inviter_id);
            "chat_joined_by_link"
        }
        (Action::ChannelCreate { title }, A::ChannelCreate(t)) => {
            assert_eq!(&t.title, title);
            "channel_create"
        }
        (Action::ChatMigrateTo { channel_id }, A::ChatMigrateTo(t)) => {
            assert_eq!(t.channel_id, *channel_id);
            "chat_migrate_to"
        }
        (Action::ChannelMigrateFrom { title, chat_id }, A::ChannelMigrateFrom(t)) => {
            assert_eq!((&t.title, t.chat_id), (title, *chat_id));
            "channel_migrate_from"
        }
        (Action::PinMessage, A::PinMessage) => "pin_message",
        (Action::HistoryClear, A::HistoryClear) => "history_clear",
        (Action::PhoneCall { duration, video }, A::PhoneCall(t)) => {
            assert_eq!((t.duration, t.video), (*duration, *video));
            let missed = matches!(t.reason, Some(tl::enums::PhoneCallDiscardReason::Missed));
            assert_eq!(missed, duration.is_none(), "an unanswered call is missed, an answered one is not");
            "phone_call"
        }
        (Action::TopicCreate { title, icon_color }, A::TopicCreate(t)) => {
            assert_eq!((&t.title, t.icon_color), (title, *icon_color));
            "topic_create"
        }
        (Action::ContactSignUp, A::ContactSignUp) => "contact_sign_up",
        (a, t) => panic!("{a:?} shaped as {t:?}"),
    }
}

fn check_reply(r: &Option<ReplyTo>, t: &Option<tl::enums::MessageReplyHeader>) {
    match (r, t) {
        (None, None) => {}
        (Some(r), Some(tl::enums::MessageReplyHeader::Header(t))) => {
            assert_eq!(t.reply_to_msg_id, Some(r.msg_id));
            assert_eq!(t.reply_to_peer_id.as_ref().map(tl_peer), r.peer);
            assert_eq!(t.forum_topic, r.top_id.is_some());
            // A message sent straight into a topic replies to its root and
            // names no separate top.
            let top = r.top_id.map(|_| t.reply_to_top_id.unwrap_or(r.msg_id));
            assert_eq!(top, r.top_id);
        }
        (r, t) => panic!("reply {r:?} shaped as {t:?}"),
    }
}

fn check_fwd(f: &Option<Forward>, t: &Option<tl::enums::MessageFwdHeader>) {
    match (f, t) {
        (None, None) => {}
        (Some(f), Some(tl::enums::MessageFwdHeader::Header(t))) => {
            assert_eq!(t.from_id.as_ref().map(tl_peer), f.from);
            assert_eq!(t.from_name, f.from_name);
            assert_eq!((t.date, t.channel_post), (f.date, f.channel_post));
            assert_eq!(t.saved_from_peer.as_ref().map(tl_peer), f.saved_from);
            assert_eq!(t.saved_from_msg_id.is_some(), f.saved_from.is_some());
        }
        (f, t) => panic!("forward {f:?} shaped as {t:?}"),
    }
}

fn check_reactions(rs: &[Reaction], t: &Option<tl::enums::MessageReactions>) {
    let Some(tl::enums::MessageReactions::Reactions(t)) = t else {
        assert!(rs.is_empty(), "reactions dropped");
        return;
    };
    let got: Vec<(String, i32, bool)> = t
        .results
        .iter()
        .map(|r| {
            let tl::enums::ReactionCount::Count(r) = r;
            let tl::enums::Reaction::Emoji(e) = &r.reaction else { panic!("not an emoji reaction") };
            (e.emoticon.clone(), r.count, r.chosen_order.is_some())
        })
        .collect();
    let want: Vec<(String, i32, bool)> = rs.iter().map(|r| (r.emoji.clone(), r.count, r.chosen)).collect();
    assert_eq!(got, want);
}

/// What a client reads back from the shape equals what the world says.
/// Returns the action's name for service messages.
fn check_message(w: &World, m: &Message, t: &tl::enums::Message) -> Option<&'static str> {
    let broadcast = matches!(m.peer, Peer::Channel(id) if w.chat(id).unwrap().kind == ChatKind::Channel);
    // Telegram leaves the sender out of incoming private messages.
    let want_from = if matches!(m.peer, Peer::User(_)) && !m.out { None } else { m.from };
    let ctx = format!("message {} in {:?}", m.id, m.peer);
    match t {
        tl::enums::Message::Service(s) => {
            let a = m.action.as_ref().unwrap_or_else(|| panic!("{ctx}: service message without an action"));
            assert_eq!((s.id, s.date, s.out, s.post), (m.id, m.date, m.out, broadcast), "{ctx}");
            assert_eq!(tl_peer(&s.peer_id), m.peer, "{ctx}");
            assert_eq!(s.from_id.as_ref().map(tl_peer), want_from, "{ctx}");
            check_reply(&m.reply_to, &s.reply_to);
            check_reactions(&m.reactions, &s.reactions);
            Some(check_action(a, &s.action))
        }
        tl::enums::Message::Message(t) => {
            assert!(m.action.is_none(), "{ctx}: an action shaped as a plain message");
            assert_eq!((t.id, t.date, t.out, t.post), (m.id, m.date, m.out, broadcast), "{ctx}");
            assert_eq!(tl_peer(&t.peer_id), m.peer, "{ctx}");
            assert_eq!(t.from_id.as_ref().map(tl_peer), want_from, "{ctx}");
            if broadcast {
                assert!(t.from_id.is_none(), "{ctx}: a channel post with a sender");
            }
            assert_eq!(t.message, m.text, "{ctx}");
            check_entities(&m.entities, &t.entities);
            assert_eq!(t.edit_date, m.edit_date, "{ctx}");
            assert_eq!(t.post_author, m.post_author, "{ctx}");
            assert_eq!(t.via_bot_id, m.via_bot, "{ctx}");
            check_reply(&m.reply_to, &t.reply_to);
            check_fwd(&m.fwd, &t.fwd_from);
            check_reactions(&m.reactions, &t.reactions);
            match (&m.media, &t.media) {
                (None, None) => {}
                (Some(m), Some(t)) => check_media(m, t),
                (m, t) => panic!("{ctx}: media {m:?} shaped as {t:?}"),
            }
            None
        }
        tl::enums::Message::Empty(_) => panic!("{ctx}: messageEmpty"),
    }
}

#[test]
fn every_message_round_trips_and_says_what_the_world_says() {
    let w = world();
    let s = shaper(&w);
    let (mut count, mut kinds, mut actions, mut entity_kinds) = (0, HashSet::new(), HashSet::new(), HashSet::new());
    let mut media = HashSet::new();
    for peer in all_history_peers(&w) {
        for &id in w.history_ids(peer) {
            let m = w.message(peer, id).unwrap();
            let t = s.message(&m);
            round_trip(&t);
            actions.extend(check_message(&w, &m, &t));
            entity_kinds.extend(m.entities.iter().map(|e| e.kind));
            if let Some(Media::Document(d)) = &m.media {
                kinds.insert(d.kind);
            }
            if let Some(x) = &m.media {
                media.insert(std::mem::discriminant(x));
            }
            count += 1;
        }
    }
    assert_eq!(count, w.message_count());
    // The fixtures cover every variant; a shape nobody exercises is untested.
    assert_eq!(kinds.len(), 7, "document kinds seen: {kinds:?}");
    assert_eq!(actions.len(), 13, "actions seen: {actions:?}");
    assert_eq!(entity_kinds.len(), 19, "entity kinds seen: {entity_kinds:?}");
    assert_eq!(media.len(), 5, "media kinds seen");
}

fn doc(kind: DocumentKind) -> Document {
    Document {
        id: 1000 + kind as i64,
        access_hash: 77,
        date: 1_700_000_000,
        dc_id: 4,
        kind,
        mime_type: "application/octet-stream".into(),
        size: 5_000_000_000, // over 4 GiB: the size is a long
        file_name: Some(format!("{kind:?}.bin")),
        duration: Some(9),
        w: Some(640),
        h: Some(480),
        performer: Some("Performer".into()),
        title: Some("Title".into()),
        sticker_emoji: Some("🙂".into()),
        thumbs: vec![PhotoSize { kind: "m".into(), w: 320, h: 240, size: 9_000 }],
    }
}

fn document_media(s: &Shaper, d: &Document) -> tl::types::MessageMediaDocument {
    let t = s.media(&Media::Document(d.clone()));
    round_trip(&t);
    match t {
        tl::enums::MessageMedia::Document(m) => m,
        other => panic!("{other:?}"),
    }
}

fn attributes(m: &tl::types::MessageMediaDocument) -> &[tl::enums::DocumentAttribute] {
    match &m.document {
        Some(tl::enums::Document::Document(d)) => &d.attributes,
        other => panic!("{other:?}"),
    }
}

#[test]
fn each_document_kind_has_the_attributes_clients_classify_it_by() {
    use tl::enums::DocumentAttribute as A;
    let w = world();
    let s = shaper(&w);
    let kinds = [
        DocumentKind::File,
        DocumentKind::Video,
        DocumentKind::Voice,
        DocumentKind::RoundVideo,
        DocumentKind::Sticker,
        DocumentKind::Gif,
        DocumentKind::Audio,
    ];
    for kind in kinds {
        // Every field filled in: a kind must ignore the fields it has no use
        // for rather than pick up attributes of another kind.
        let d = doc(kind);
        let m = document_media(&s, &d);
        check_document(&d, &m);
        let attrs = attributes(&m);
        let video = attrs.iter().find_map(|a| if let A::Video(v) = a { Some(v) } else { None });
        let audio = attrs.iter().find_map(|a| if let A::Audio(a) = a { Some(a) } else { None });
        let has = |f: fn(&A) -> bool| attrs.iter().any(f);
        let animated = has(|a| matches!(a, A::Animated));
        let sticker = attrs.iter().find_map(|a| if let A::Sticker(s) = a { Some(s) } else { None });
        let image = attrs.iter().find_map(|a| if let A::ImageSize(i) = a { Some(i) } else { None });
        assert_eq!(file_name(attrs), Some(format!("{kind:?}.bin").as_str()));
        match kind {
            DocumentKind::File => assert_eq!(attrs.len(), 1, "a plain file has only its name: {attrs:?}"),
            DocumentKind::Voice => {
                let a = audio.expect("voice has an audio attribute");
                assert!(a.voice && a.duration == 9 && a.title.is_none() && a.performer.is_none());
                assert!(video.is_none() && !animated && sticker.is_none());
            }
            DocumentKind::Audio => {
                let a = audio.expect("music has an audio attribute");
                assert!(!a.voice && a.duration == 9);
                assert_eq!((a.title.as_deref(), a.performer.as_deref()), (Some("Title"), Some("Performer")));
                assert!(video.is_none() && !animated && sticker.is_none());
            }
            DocumentKind::RoundVideo => {
                let v = video.expect("a round video has a video attribute");
                assert!(v.round_message && (v.w, v.h, v.duration) == (640, 480, 9.0));
                assert!(audio.is_none() && !animated && sticker.is_none());
            }
            DocumentKind::Video => {
                let v = video.expect("a video has a video attribute");
                assert!(!v.round_message && (v.w, v.h, v.duration) == (640, 480, 9.0));
                assert!(audio.is_none() && !animated && sticker.is_none());
            }
            DocumentKind::Gif => {
                let v = video.expect("an animation has a video attribute");
                assert!(!v.round_message && animated);
                assert!(audio.is_none() && sticker.is_none());
            }
            DocumentKind::Sticker => {
                assert_eq!(sticker.expect("a sticker attribute").alt, "🙂");
                let i = image.expect("a sticker has its image size");
                assert_eq!((i.w, i.h), (640, 480));
                assert!(audio.is_none() && video.is_none() && !animated);
            }
        }
    }
}

fn channel(t: tl::enums::Chat) -> tl::types::Channel {
    match t {
        tl::enums::Chat::Channel(c) => c,
        other => panic!("not a channel: {other:?}"),
    }
}

#[test]
fn chats_have_their_kind_flags() {
    let w = world();
    let s = shaper(&w);
    for c in &w.chats {
        round_trip(&s.chat(c));
    }

    let family = chat_by_title(&w, "Family 🏡", ChatKind::Group);
    let tl::enums::Chat::Chat(t) = s.chat(family) else { panic!("a basic group is a chat") };
    assert_eq!((t.id, t.title.as_str(), t.date), (family.id, family.title.as_str(), family.date));
    assert!(t.creator && !t.left && !t.deactivated && t.migrated_to.is_none());
    assert_eq!(t.participants_count, family.members.len() as i32);

    let old = chat_by_title(&w, "Old Project", ChatKind::Group);
    let new = chat_by_title(&w, "Old Project", ChatKind::Supergroup);
    let tl::enums::Chat::Chat(t) = s.chat(old) else { panic!("a migrated group is still a chat") };
    assert!(t.deactivated);
    assert_eq!(
        t.migrated_to,
        Some(tl::types::InputChannel { channel_id: new.id, access_hash: new.access_hash }.into())
    );
    let t = channel(s.chat(new));
    assert!(t.megagroup && !t.broadcast && t.access_hash == Some(new.access_hash));

    let public = chat_by_username(&w, "fx_public_group");
    let t = channel(s.chat(public));
    assert!(t.megagroup && !t.broadcast && !t.left && !t.forum);
    assert_eq!(t.username.as_deref(), Some("fx_public_group"));
    assert_eq!(t.access_hash, Some(public.access_hash));

    let diary = chat_by_title(&w, "Private Diary", ChatKind::Channel);
    let t = channel(s.chat(diary));
    assert!(t.broadcast && !t.megagroup && t.creator && t.username.is_none());

    let news = chat_by_username(&w, "fx_public_channel");
    let t = channel(s.chat(news));
    assert!(t.broadcast && !t.creator && t.username.as_deref() == Some("fx_public_channel"));

    let left_private = chat_by_title(&w, "Left Private Channel", ChatKind::Channel);
    match s.chat(left_private) {
        tl::enums::Chat::ChannelForbidden(t) => {
            assert!(t.broadcast && !t.megagroup);
            assert_eq!((t.id, t.access_hash), (left_private.id, left_private.access_hash));
            assert_eq!(t.title, left_private.title);
        }
        other => panic!("a left private channel is forbidden: {other:?}"),
    }
    let left_public = chat_by_username(&w, "fx_left_channel");
    let t = channel(s.chat(left_public));
    assert!(t.left && t.broadcast && t.username.as_deref() == Some("fx_left_channel"));

    let forum = chat_by_username(&w, "fx_forum");
    let t = channel(s.chat(forum));
    assert!(t.forum && t.megagroup && t.creator);
}

/// Every peer a shaped message names, read from the TL the way a client
/// resolves them.
fn named_peers(t: &tl::enums::Message) -> Vec<Peer> {
    let mut out = Vec::new();
    let reply = |r: &Option<tl::enums::MessageReplyHeader>, out: &mut Vec<Peer>| {
        if let Some(tl::enums::MessageReplyHeader::Header(h)) = r {
            out.extend(h.reply_to_peer_id.as_ref().map(tl_peer));
        }
    };
    match t {
        tl::enums::Message::Message(m) => {
            out.push(tl_peer(&m.peer_id));
            out.extend(m.from_id.as_ref().map(tl_peer));
            if let Some(tl::enums::MessageFwdHeader::Header(f)) = &m.fwd_from {
                out.extend(f.from_id.iter().chain(&f.saved_from_peer).map(tl_peer));
            }
            reply(&m.reply_to, &mut out);
            out.extend(m.via_bot_id.map(Peer::User));
            for e in m.entities.iter().flatten() {
                if let tl::enums::MessageEntity::MentionName(n) = e {
                    out.push(Peer::User(n.user_id));
                }
            }
            if let Some(tl::enums::MessageMedia::Contact(c)) = &m.media {
                // Zero: a contact with no Telegram account.
                out.extend((c.user_id != 0).then_some(Peer::User(c.user_id)));
            }
        }
        tl::enums::Message::Service(m) => {
            use tl::enums::MessageAction as A;
            out.push(tl_peer(&m.peer_id));
            out.extend(m.from_id.as_ref().map(tl_peer));
            reply(&m.reply_to, &mut out);
            match &m.action {
                A::ChatCreate(a) => out.extend(a.users.iter().copied().map(Peer::User)),
                A::ChatAddUser(a) => out.extend(a.users.iter().copied().map(Peer::User)),
                A::ChatDeleteUser(a) => out.push(Peer::User(a.user_id)),
                A::ChatJoinedByLink(a) => out.push(Peer::User(a.inviter_id)),
                A::ChatMigrateTo(a) => out.push(Peer::Channel(a.channel_id)),
                A::ChannelMigrateFrom(a) => out.push(Peer::Chat(a.chat_id)),
                _ => {}
            }
        }
        tl::enums::Message::Empty(_) => {}
    }
    out
}

fn user_ids(users: &[tl::enums::User]) -> Vec<i64> {
    users
        .iter()
        .map(|u| match u {
            tl::enums::User::User(u) => u.id,
            tl::enums::User::Empty(u) => u.id,
        })
        .collect()
}

fn chat_peers(chats: &[tl::enums::Chat]) -> Vec<Peer> {
    chats
        .iter()
        .map(|c| match c {
            tl::enums::Chat::Chat(c) => Peer::Chat(c.id),
            tl::enums::Chat::Forbidden(c) => Peer::Chat(c.id),
            tl::enums::Chat::Channel(c) => Peer::Channel(c.id),
            tl::enums::Chat::ChannelForbidden(c) => Peer::Channel(c.id),
            other => panic!("unexpected chat {other:?}"),
        })
        .collect()
}

fn strictly_ascending<T: Ord + Copy>(ids: impl IntoIterator<Item = T>) -> bool {
    let ids: Vec<T> = ids.into_iter().collect();
    ids.windows(2).all(|w| w[0] < w[1])
}

#[test]
fn referenced_names_every_peer_of_a_page() {
    let w = world();
    let s = shaper(&w);
    let mut pages = 0;
    for peer in all_history_peers(&w) {
        let ids = w.history_ids(peer);
        for chunk in ids.chunks(100) {
            let msgs: Vec<Message> = chunk.iter().map(|&id| w.message(peer, id).unwrap()).collect();
            let (users, chats) = s.referenced(&msgs);
            let uids = user_ids(&users);
            let cids: Vec<i64> = chat_peers(&chats).iter().map(|p| p.id()).collect();
            assert!(strictly_ascending(uids.iter().copied()), "users not unique and ascending: {uids:?}");
            assert!(strictly_ascending(cids.iter().copied()), "chats not unique and ascending: {cids:?}");
            assert!(uids.contains(&w.self_id), "the self user is always sent");
            let known: HashSet<Peer> = uids.iter().map(|&id| Peer::User(id)).chain(chat_peers(&chats)).collect();
            for m in &msgs {
                // Read from the world and from the shape: both must resolve.
                let mut want = named_peers(&s.message(m));
                want.extend(m.from);
                want.extend(m.fwd.iter().flat_map(|f| f.from.into_iter().chain(f.saved_from)));
                for p in want {
                    assert!(known.contains(&p), "message {} in {peer:?} names {p:?}, not sent", m.id);
                }
            }
            for t in chats.iter().chain(&s.referenced(&msgs).1) {
                round_trip(t);
            }
            pages += 1;
        }
    }
    assert!(pages > 16);

    // The two ends of the migration travel together.
    let old = chat_by_title(&w, "Old Project", ChatKind::Group);
    let new = chat_by_title(&w, "Old Project", ChatKind::Supergroup);
    let first = w.message(new.peer(), w.history_ids(new.peer())[1]).unwrap();
    let chats: BTreeSet<Peer> = chat_peers(&s.referenced(&[first]).1).into_iter().collect();
    assert!(chats.contains(&Peer::Chat(old.id)) && chats.contains(&Peer::Channel(new.id)));

    // Deterministic: the same page in another order gives the same answer.
    let saved = Peer::User(w.self_id);
    let mut msgs: Vec<Message> =
        w.history_ids(saved).iter().take(50).map(|&id| w.message(saved, id).unwrap()).collect();
    let a = s.referenced(&msgs);
    msgs.reverse();
    assert_eq!(a, s.referenced(&msgs));
}

#[test]
fn peers_sends_each_known_peer_once_with_self() {
    let w = world();
    let s = shaper(&w);
    let dialogs = w.dialogs();
    let twice = dialogs.iter().chain(&dialogs).copied();
    let (users, chats) = s.peers(twice.chain([Peer::User(-5), Peer::Channel(-6)]));
    let mut got: HashSet<Peer> = user_ids(&users).into_iter().map(Peer::User).collect();
    got.extend(chat_peers(&chats));
    let mut want: HashSet<Peer> = dialogs.into_iter().collect();
    want.insert(Peer::User(w.self_id));
    assert_eq!(got, want, "unknown peers are left out, known ones sent once");
    assert!(strictly_ascending(user_ids(&users)));
}

#[test]
fn stories_and_profile_photos_round_trip() {
    let w = world();
    let s = shaper(&w);
    assert!(!w.stories.is_empty());
    for story in &w.stories {
        let t = s.story(story);
        round_trip(&t);
        let tl::enums::StoryItem::Item(t) = t else { panic!("not a storyItem") };
        assert_eq!((t.id, t.date, t.expire_date), (story.id, story.date, story.expire_date));
        assert_eq!(t.caption.unwrap_or_default(), story.caption);
        check_media(&story.media, &t.media);
    }
    for p in &w.profile_photos {
        let t = s.photo(p);
        round_trip(&t);
        check_photo(p, &t);
    }
}

#[test]
fn account_data_round_trips() {
    use shape::account;
    let w = world();
    for c in &w.saved_contacts {
        let t = account::saved_contact(c);
        round_trip(&t);
        let tl::enums::SavedContact::SavedPhoneContact(t) = t;
        assert_eq!((&t.phone, &t.first_name, &t.last_name, t.date), (&c.phone, &c.first_name, &c.last_name, c.date));
    }
    for a in &w.authorizations {
        let t = account::authorization(a);
        round_trip(&t);
        let tl::enums::Authorization::Authorization(t) = t;
        assert_eq!((t.hash, t.current, &t.device_model, &t.ip), (a.hash, a.current, &a.device_model, &a.ip));
    }
    for a in &w.web_authorizations {
        let t = account::web_authorization(a);
        round_trip(&t);
        let tl::enums::WebAuthorization::Authorization(t) = t;
        assert_eq!((t.hash, t.bot_id, &t.domain), (a.hash, a.bot_id, &a.domain));
    }

    let t = account::top_peers(&w, &w.top_peers);
    round_trip(&t);
    let tl::enums::contacts::TopPeers::Peers(t) = t else { panic!("not contacts.topPeers") };
    let categories: Vec<(tl::enums::TopPeerCategory, i32, Vec<Peer>)> = t
        .categories
        .iter()
        .map(|c| {
            let tl::enums::TopPeerCategoryPeers::Peers(c) = c;
            let peers = c
                .peers
                .iter()
                .map(|p| {
                    let tl::enums::TopPeer::Peer(p) = p;
                    tl_peer(&p.peer)
                })
                .collect::<Vec<_>>();
            assert_eq!(c.count as usize, c.peers.len());
            (c.category.clone(), c.count, peers)
        })
        .collect();
    let names: Vec<_> = categories.iter().map(|c| c.0.clone()).collect();
    use tl::enums::TopPeerCategory as C;
    assert_eq!(names, [C::Correspondents, C::Groups, C::Channels, C::BotsInline]);
    assert_eq!(categories.iter().map(|c| c.2.len()).sum::<usize>(), w.top_peers.len());
    let mut sent: HashSet<Peer> = user_ids(&t.users).into_iter().map(Peer::User).collect();
    sent.extend(chat_peers(&t.chats));
    for p in &w.top_peers {
        assert!(sent.contains(&p.peer), "top peer {:?} not sent", p.peer);
    }

    let forum = chat_by_username(&w, "fx_forum");
    assert_eq!(forum.topics.len(), TOPICS.len());
    for topic in &forum.topics {
        let t = account::forum_topic(forum, topic, topic.id + 10);
        round_trip(&t);
        let tl::enums::ForumTopic::Topic(t) = t else { panic!("forumTopicDeleted") };
        assert_eq!((t.id, t.date, &t.title, t.icon_color), (topic.id, topic.date, &topic.title, topic.icon_color));
        assert_eq!((t.top_message, tl_peer(&t.peer)), (topic.id + 10, forum.peer()));
    }
}

#[test]
fn entities_and_actions_map_one_to_one() {
    // Entities with the optional fields missing still serialize.
    for kind in [EntityKind::Pre, EntityKind::TextUrl, EntityKind::MentionName, EntityKind::CustomEmoji] {
        let e = Entity { kind, offset: 1, length: 2, url: None, user_id: None, language: None, document_id: None };
        let t = shape::entities::entity(&e);
        round_trip(&t);
        assert_eq!(tl_entity(&t), (kind, 1, 2));
    }
    let missed = Action::PhoneCall { duration: None, video: true };
    let t = shape::entities::action(&missed);
    round_trip(&t);
    assert_eq!(check_action(&missed, &t), "phone_call");
}
