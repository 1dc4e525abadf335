//! Every fixture promised in docs/world-format.md is present, whatever the
//! knobs: each test runs on the small preset and on a world with no filler.

use std::collections::HashSet;

use fakedc::world::*;

/// The small preset, and the smallest world the knobs allow.
fn worlds() -> Vec<World> {
    let bare = WorldParams {
        seed: 99,
        private_chats: 0,
        groups: 0,
        supergroups: 0,
        channels: 0,
        messages_per_chat: 0,
        media_share: 0.0,
        max_file_size: 1024,
    };
    vec![
        World::generate(&WorldParams::preset("small", 5).unwrap()),
        World::generate(&bare),
    ]
}

fn user<'a>(w: &'a World, username: &str) -> &'a User {
    match w.resolve_username(username) {
        Some(Peer::User(id)) => w.user(id).unwrap(),
        other => panic!("no user @{username}: {other:?}"),
    }
}

fn chat<'a>(w: &'a World, username: &str) -> &'a Chat {
    match w.resolve_username(username) {
        Some(Peer::Chat(id) | Peer::Channel(id)) => w.chat(id).unwrap(),
        other => panic!("no chat @{username}: {other:?}"),
    }
}

fn titled<'a>(w: &'a World, title: &str, kind: ChatKind) -> &'a Chat {
    w.chats
        .iter()
        .find(|c| c.title == title && c.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} titled {title:?}"))
}

fn messages(w: &World, peer: Peer) -> Vec<Message> {
    w.history_ids(peer)
        .iter()
        .map(|&id| w.message(peer, id).unwrap())
        .collect()
}

#[test]
fn people() {
    for w in worlds() {
        let me = w.self_user();
        assert_eq!(me.username.as_deref(), Some("fx_self"));
        assert!(
            me.phone
                .as_deref()
                .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
        );
        assert!(!me.about.is_empty());
        assert_eq!(w.password.as_deref(), Some(PASSWORD));

        let helper = user(&w, "fx_helper_bot");
        assert!(helper.bot && user(&w, "fx_inline_bot").bot);
        assert!(
            w.dialogs().contains(&Peer::User(helper.id)),
            "the helper bot has a private chat"
        );

        let deleted: Vec<&User> = w.users.iter().filter(|u| u.deleted).collect();
        assert!(
            deleted
                .iter()
                .any(|u| !w.history_ids(Peer::User(u.id)).is_empty()),
            "a deleted user with a chat"
        );

        let alice = user(&w, "fx_alice");
        let bob = user(&w, "fx_bob");
        assert!(alice.contact && alice.mutual_contact);
        assert!(bob.contact && !bob.mutual_contact);
        assert!(!user(&w, "fx_carol").contact);

        let phones: HashSet<&str> = w.users.iter().filter_map(|u| u.phone.as_deref()).collect();
        assert!(
            w.saved_contacts
                .iter()
                .any(|c| phones.contains(c.phone.as_str()))
        );
        assert!(
            w.saved_contacts
                .iter()
                .any(|c| !phones.contains(c.phone.as_str())),
            "a saved contact not on Telegram"
        );

        for u in &w.users {
            assert!(u.access_hash != 0 && u.id >= 1_000_000_000, "{u:?}");
            if let Some(name) = &u.username {
                assert!(
                    name.len() >= 5
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                );
                assert!(!u.bot || name.ends_with("bot"), "bot username {name}");
            }
        }
    }
}

#[test]
fn groups_and_migration() {
    for w in worlds() {
        let family = titled(&w, "Family 🏡", ChatKind::Group);
        assert!(w.dialogs().contains(&family.peer()));

        let old = titled(&w, "Old Project", ChatKind::Group);
        let sup = titled(&w, "Old Project", ChatKind::Supergroup);
        assert_eq!(old.migrated_to, Some(sup.id));
        assert_eq!(sup.migrated_from, Some(old.id));
        assert!(
            w.dialogs().contains(&old.peer()),
            "an upgraded group stays a dialog (deactivated), as Telegram lists it"
        );
        assert!(w.dialogs().contains(&sup.peer()));
        let old_history = messages(&w, old.peer());
        let last = old_history.last().unwrap();
        assert_eq!(
            last.action,
            Some(Action::ChatMigrateTo { channel_id: sup.id })
        );
        let first = &messages(&w, sup.peer())[0];
        assert_eq!(
            first.action,
            Some(Action::ChannelMigrateFrom {
                title: "Old Project".into(),
                chat_id: old.id
            })
        );
        assert!(first.date >= last.date);

        let public = chat(&w, "fx_public_group");
        assert_eq!(public.kind, ChatKind::Supergroup);
        let private = titled(&w, "Book Club 📚", ChatKind::Supergroup);
        assert!(!private.is_public());
        for c in [family, public, private, sup] {
            assert!(!w.history_ids(c.peer()).is_empty());
        }
    }
}

#[test]
fn channels_and_left_channels() {
    for w in worlds() {
        let public = chat(&w, "fx_public_channel");
        let private = titled(&w, "Private Diary", ChatKind::Channel);
        assert!(public.kind == ChatKind::Channel && !private.is_public() && private.creator);
        assert!(w.dialogs().contains(&public.peer()) && w.dialogs().contains(&private.peer()));

        let left_public = chat(&w, "fx_left_channel");
        let left_private = titled(&w, "Left Private Channel", ChatKind::Channel);
        let left: Vec<i64> = w.left_channels().iter().map(|c| c.id).collect();
        for c in [left_public, left_private] {
            assert!(c.left && left.contains(&c.id));
            assert!(
                !w.dialogs().contains(&c.peer()),
                "a left channel is not a dialog"
            );
            assert!(
                w.history_ids(c.peer()).len() >= 2,
                "a left channel keeps its history"
            );
        }
        for c in w.chats.iter().filter(|c| c.kind != ChatKind::Group) {
            assert!(c.access_hash != 0);
            assert_eq!(
                w.history_ids(c.peer()).first(),
                Some(&1),
                "channel ids start at 1"
            );
        }
    }
}

#[test]
fn forum_topics() {
    for w in worlds() {
        let forum = chat(&w, "fx_forum");
        assert!(forum.forum && forum.topics.len() >= 3);
        for t in &forum.topics {
            let m = w
                .message(forum.peer(), t.id)
                .expect("a topic is its creation message");
            assert_eq!(
                m.action,
                Some(Action::TopicCreate {
                    title: t.title.clone(),
                    icon_color: t.icon_color
                })
            );
            assert_eq!(m.date, t.date);
            let inside = messages(&w, forum.peer())
                .into_iter()
                .filter(|m| m.reply_to.as_ref().is_some_and(|r| r.top_id == Some(t.id)))
                .count();
            assert!(inside >= 1, "topic {:?} has messages", t.title);
        }
    }
}

#[test]
fn saved_messages() {
    for w in worlds() {
        let saved = Peer::User(w.self_id);
        assert!(w.dialogs().contains(&saved));
        let history = messages(&w, saved);
        assert!(history.iter().all(|m| m.out));
        let saved_from: Vec<Peer> = history
            .iter()
            .filter_map(|m| m.fwd.as_ref()?.saved_from)
            .collect();
        assert!(saved_from.iter().any(|p| matches!(p, Peer::Channel(_))));
        assert!(saved_from.iter().any(|p| matches!(p, Peer::User(_))));
        let sizes: Vec<i64> = history
            .iter()
            .filter_map(|m| match &m.media {
                Some(Media::Document(d)) => Some(d.size),
                _ => None,
            })
            .collect();
        assert!(
            sizes.contains(&(MIB as i64)) && sizes.contains(&(MIB as i64 + 1)),
            "boundary files"
        );
    }
}

#[test]
fn text_entities() {
    for w in worlds() {
        let all: Vec<Message> = w.all_messages().collect();
        let kinds: HashSet<EntityKind> = all
            .iter()
            .flat_map(|m| m.entities.iter().map(|e| e.kind))
            .collect();
        use EntityKind::*;
        for k in [
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
        ] {
            assert!(kinds.contains(&k), "no {k:?} entity");
        }
        let tricky = all.iter().any(|m| {
            let units = m.text.encode_utf16().count();
            !m.entities.is_empty() && units != m.text.chars().count() && units != m.text.len()
        });
        assert!(tricky, "a text where UTF-16, char and byte lengths differ");
        let combining = all
            .iter()
            .any(|m| m.text.contains('\u{301}') && !m.entities.is_empty());
        assert!(combining);
        let nested = all.iter().any(|m| {
            m.entities.iter().any(|a| {
                m.entities.iter().any(|b| {
                    !std::ptr::eq(a, b)
                        && a.offset <= b.offset
                        && b.offset + b.length <= a.offset + a.length
                })
            })
        });
        let touching = all.iter().any(|m| {
            m.entities
                .iter()
                .any(|a| m.entities.iter().any(|b| a.offset + a.length == b.offset))
        });
        assert!(nested && touching);
        // Entities carry their extra data.
        for e in all.iter().flat_map(|m| &m.entities) {
            match e.kind {
                TextUrl => assert!(e.url.is_some()),
                MentionName => assert!(e.user_id.is_some_and(|u| w.user(u).is_some())),
                CustomEmoji => assert!(e.document_id.is_some()),
                _ => {}
            }
        }
    }
}

#[test]
fn replies_forwards_edits_and_more() {
    for w in worlds() {
        let all: Vec<Message> = w.all_messages().collect();
        let same_chat = all.iter().any(|m| {
            m.reply_to.as_ref().is_some_and(|r| {
                r.peer.is_none() && r.top_id.is_none() && w.message(m.peer, r.msg_id).is_some()
            })
        });
        assert!(same_chat, "a reply in the same chat");
        let cross = all.iter().find_map(|m| {
            let r = m.reply_to.as_ref()?;
            Some((r.peer?, r.msg_id))
        });
        let (peer, id) = cross.expect("a cross-chat reply");
        assert!(
            w.message(peer, id).is_some(),
            "the cross-chat reply's target exists"
        );

        let fwds: Vec<&Forward> = all.iter().filter_map(|m| m.fwd.as_ref()).collect();
        assert!(fwds.iter().any(|f| matches!(f.from, Some(Peer::User(_)))));
        assert!(
            fwds.iter()
                .any(|f| f.from.is_none() && f.from_name.is_some())
        );
        let post = fwds
            .iter()
            .find_map(|f| Some((f.from?, f.channel_post?)))
            .expect("a forwarded channel post");
        let original = w
            .message(post.0, post.1)
            .expect("the forwarded post exists");
        assert!(
            fwds.iter()
                .any(|f| f.channel_post == Some(post.1) && f.date == original.date)
        );

        assert!(all.iter().any(|m| m.edit_date.is_some()));
        assert!(
            all.iter()
                .any(|m| m.via_bot.is_some_and(|b| w.user(b).is_some_and(|u| u.bot)))
        );
        assert!(
            all.iter()
                .any(|m| m.post_author.is_some() && matches!(m.peer, Peer::Channel(_)))
        );
        assert!(all.iter().any(|m| !m.reactions.is_empty()));
        assert!(
            all.iter()
                .any(|m| matches!(m.media, Some(Media::Poll { .. })))
        );
        assert!(
            all.iter()
                .any(|m| matches!(m.media, Some(Media::Contact { .. })))
        );
        assert!(
            all.iter()
                .any(|m| matches!(m.media, Some(Media::Geo { .. })))
        );
    }
}

#[test]
fn media_kinds() {
    for w in worlds() {
        let docs: Vec<Document> = w
            .all_messages()
            .filter_map(|m| match m.media {
                Some(Media::Document(d)) => Some(d),
                _ => None,
            })
            .collect();
        let find = |kind| {
            docs.iter()
                .find(|d| d.kind == kind)
                .unwrap_or_else(|| panic!("no {kind:?}"))
        };
        let voice = find(DocumentKind::Voice);
        assert!(voice.mime_type == "audio/ogg" && voice.duration.is_some());
        let round = find(DocumentKind::RoundVideo);
        assert!(round.mime_type == "video/mp4" && round.w.is_some() && round.w == round.h);
        let sticker = find(DocumentKind::Sticker);
        assert!(sticker.mime_type == "image/webp" && sticker.sticker_emoji.is_some());
        let gif = find(DocumentKind::Gif);
        assert!(gif.mime_type == "video/mp4" && gif.duration.is_some());
        let audio = find(DocumentKind::Audio);
        assert!(
            audio.mime_type == "audio/mpeg" && audio.performer.is_some() && audio.title.is_some()
        );
        assert!(audio.file_name.is_some());
        let video = find(DocumentKind::Video);
        assert!(
            video.mime_type == "video/mp4"
                && video.w.is_some()
                && video.h.is_some()
                && video.duration.is_some()
        );
        assert!(docs.iter().any(|d| d.kind == DocumentKind::File
            && d.mime_type == "application/pdf"
            && d.file_name.is_some()));
        assert!(docs.iter().any(|d| !d.thumbs.is_empty()));
        assert!(
            docs.iter().any(|d| d.dc_id != 2),
            "some file lives on another DC"
        );

        let photos: Vec<Photo> = w
            .all_messages()
            .filter_map(|m| match m.media {
                Some(Media::Photo(p)) => Some(p),
                _ => None,
            })
            .collect();
        assert!(photos.iter().all(|p| (2..=4).contains(&p.sizes.len())));
        let letters = |p: &Photo| p.sizes.iter().map(|s| s.kind.clone()).collect::<Vec<_>>();
        assert!(photos.iter().any(|p| letters(p) == ["s", "m", "x", "y"]));
        for p in &photos {
            let s = p.sizes.iter().find(|s| s.kind == "s");
            assert!(s.is_none_or(|s| s.size < 4096), "\"s\" is tiny");
        }
    }
}

#[test]
fn every_service_action() {
    for w in worlds() {
        let names: HashSet<String> = w
            .all_messages()
            .filter_map(|m| m.action)
            .map(|a| {
                serde_json::to_value(a).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for name in [
            "chat_create",
            "chat_edit_title",
            "chat_add_user",
            "chat_delete_user",
            "chat_joined_by_link",
            "channel_create",
            "chat_migrate_to",
            "channel_migrate_from",
            "pin_message",
            "history_clear",
            "phone_call",
            "topic_create",
            "contact_sign_up",
        ] {
            assert!(names.contains(name), "no {name} service message");
        }
    }
}

#[test]
fn account_data() {
    for w in worlds() {
        assert!(w.profile_photos.len() >= 3);
        assert!(
            w.profile_photos.windows(2).all(|p| p[0].date > p[1].date),
            "newest first"
        );
        assert!(w.stories.len() >= 2);
        assert!(w.stories.windows(2).all(|s| s[0].date > s[1].date));
        assert!(w.authorizations.len() >= 2);
        assert_eq!(w.authorizations.iter().filter(|a| a.current).count(), 1);
        assert!(!w.web_authorizations.is_empty());
        let categories: HashSet<String> = w
            .top_peers
            .iter()
            .map(|t| format!("{:?}", t.category))
            .collect();
        assert!(categories.len() >= 3);
    }
}
