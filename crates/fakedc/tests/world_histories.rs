//! Ids, dates, appends, edits and files.

use std::collections::HashMap;

use fakedc::world::*;

const Y2026: i32 = 1_767_225_600;

fn small() -> World {
    World::generate(&WorldParams::preset("small", 21).unwrap())
}

fn json(w: &World) -> Vec<u8> {
    let mut out = Vec::new();
    w.to_json(&mut out).unwrap();
    out
}

#[test]
fn common_box_ids_are_unique_and_dated_in_order() {
    let w = small();
    let mut owner: HashMap<i32, Peer> = HashMap::new();
    for peer in w.history_peers().filter(|p| p.in_common_box()) {
        for &id in w.history_ids(peer) {
            assert!(
                owner.insert(id, peer).is_none(),
                "common-box id {id} used twice"
            );
        }
    }
    assert!(owner.len() > 300);
    let mut ids: Vec<i32> = owner.keys().copied().collect();
    ids.sort();
    assert_eq!(w.max_common_id(), *ids.last().unwrap());
    let mut previous = i32::MIN;
    for id in ids {
        assert_eq!(w.common_box_peer(id), Some(owner[&id]));
        let date = w.message(owner[&id], id).unwrap().date;
        assert!(
            date > previous,
            "common-box id {id}: date {date} not after {previous}"
        );
        previous = date;
    }
    assert_eq!(w.common_box_peer(w.max_common_id() + 1), None);
    assert_eq!(w.common_box_peer(0), None);
}

#[test]
fn every_history_ascends_in_ids_and_dates() {
    let w = small();
    let mut total = 0;
    for peer in w.history_peers() {
        let ids = w.history_ids(peer);
        assert!(ids.windows(2).all(|p| p[0] < p[1]), "{peer:?} ids ascend");
        let mut previous = i32::MIN;
        for &id in ids {
            let m = w.message(peer, id).unwrap();
            assert_eq!((m.id, m.peer), (id, peer));
            assert!(m.date > previous, "{peer:?} message {id} date goes back");
            assert!(
                m.date >= BASE_DATE as i32 && m.date < Y2026,
                "{peer:?} message {id} date {}",
                m.date
            );
            if let Some(edit) = m.edit_date {
                assert!(edit > m.date && edit < Y2026);
            }
            if let Some(f) = &m.fwd {
                assert!(f.date <= m.date, "forwarded before it was sent");
            }
            previous = m.date;
        }
        if let Peer::Channel(_) = peer {
            // Channel ids are per channel: they restart at 1.
            assert_eq!(ids.first(), Some(&1));
        }
        total += ids.len();
    }
    assert_eq!(total, w.message_count());
    assert!(w.message(Peer::User(w.self_id), 0).is_none());
    assert!(w.history_ids(Peer::Channel(12345)).is_empty());
}

#[test]
fn chats_are_dated_no_later_than_their_first_message() {
    let w = small();
    for c in &w.chats {
        let first = w.history_ids(c.peer())[0];
        assert!(
            c.date <= w.message(c.peer(), first).unwrap().date,
            "{}",
            c.title
        );
    }
}

#[test]
fn append_messages_to_private_chat_group_and_channel() {
    let mut w = small();
    let before = w.message_count();
    let alice = w.resolve_username("fx_alice").unwrap();
    let family = w
        .chats
        .iter()
        .find(|c| c.kind == ChatKind::Group && c.migrated_to.is_none())
        .unwrap()
        .peer();
    let channel = w.resolve_username("fx_public_channel").unwrap();
    let last_common_date = {
        let id = w.max_common_id();
        w.message(w.common_box_peer(id).unwrap(), id).unwrap().date
    };

    let max = w.max_common_id();
    let a = w.append_messages(alice, 3);
    assert_eq!(a, vec![max + 1, max + 2, max + 3]);
    let f = w.append_messages(family, 2);
    assert_eq!(f, vec![max + 4, max + 5]);
    assert_eq!(w.max_common_id(), max + 5);
    assert_eq!(w.common_box_peer(max + 4), Some(family));
    let dates: Vec<i32> = a
        .iter()
        .map(|&id| w.message(alice, id).unwrap().date)
        .collect();
    assert!(dates[0] > last_common_date && dates.windows(2).all(|d| d[0] < d[1]));
    assert!(w.message(family, max + 4).unwrap().date > dates[2]);

    let last_post = *w.history_ids(channel).last().unwrap();
    let c = w.append_messages(channel, 2);
    assert_eq!(c, vec![last_post + 1, last_post + 2]);
    assert_eq!(w.history_ids(channel).last(), Some(&(last_post + 2)));
    assert_eq!(w.message_count(), before + 7);

    assert!(
        w.append_messages(Peer::User(424242), 1).is_empty(),
        "unknown peer"
    );

    // A user with no chat yet gets one, and it becomes a dialog.
    let carol = w.resolve_username("fx_carol").unwrap();
    assert!(w.history_ids(carol).is_empty());
    let new = w.append_messages(carol, 1);
    assert_eq!(w.history_ids(carol), &new[..]);
    assert!(w.dialogs().contains(&carol));
    assert_eq!(w.dialogs()[0], carol, "the newest message puts it on top");

    // Appended messages survive the round trip, and loaded worlds append too.
    let saved = json(&w);
    let mut loaded = World::from_json(&saved[..]).unwrap();
    assert_eq!(json(&loaded), saved);
    let more = loaded.append_messages(alice, 2);
    assert_eq!(more, vec![w.max_common_id() + 1, w.max_common_id() + 2]);
    let reloaded = World::from_json(&json(&loaded)[..]).unwrap();
    assert_eq!(
        reloaded.message(alice, more[1]),
        loaded.message(alice, more[1])
    );
}

#[test]
fn appending_does_not_change_existing_messages() {
    let mut w = small();
    let alice = w.resolve_username("fx_alice").unwrap();
    let old: Vec<Message> = w
        .history_ids(alice)
        .iter()
        .map(|&id| w.message(alice, id).unwrap())
        .collect();
    w.append_messages(alice, 5);
    for m in old {
        assert_eq!(w.message(alice, m.id).as_ref(), Some(&m));
    }
}

#[test]
fn edit_message() {
    let mut w = small();
    let peer = w.resolve_username("fx_public_group").unwrap();
    let ids = w.history_ids(peer).to_vec();
    let target = *ids
        .iter()
        .rev()
        .find(|&&id| w.message(peer, id).unwrap().action.is_none())
        .unwrap();
    let neighbour = w.message(peer, ids[1]).unwrap();
    let date = w.message(peer, target).unwrap().date;
    assert!(w.edit_message(peer, target, "edited ✏️", date + 60));
    let m = w.message(peer, target).unwrap();
    assert_eq!(
        (m.text.as_str(), m.edit_date, m.entities.len()),
        ("edited ✏️", Some(date + 60), 0)
    );
    assert_eq!(w.message(peer, ids[1]), Some(neighbour));

    let service = ids[0]; // channel_create
    assert!(!w.edit_message(peer, service, "nope", date + 60));
    assert!(!w.edit_message(peer, 999_999, "nope", date + 60));

    let loaded = World::from_json(&json(&w)[..]).unwrap();
    assert_eq!(loaded.message(peer, target), Some(m));
}

fn keys(media: &Media) -> Vec<FileKey> {
    let letter = |s: &PhotoSize| s.kind.chars().next().unwrap();
    match media {
        Media::Photo(p) => p
            .sizes
            .iter()
            .map(|s| FileKey::Photo {
                id: p.id,
                size: letter(s),
            })
            .collect(),
        Media::Document(d) => std::iter::once(FileKey::Document { id: d.id })
            .chain(d.thumbs.iter().map(|s| FileKey::DocumentThumb {
                id: d.id,
                size: letter(s),
            }))
            .collect(),
        _ => Vec::new(),
    }
}

fn expected(media: &Media, key: &FileKey) -> (u64, i32, i64) {
    match (media, key) {
        (Media::Photo(p), FileKey::Photo { size, .. }) => {
            let s = p.sizes.iter().find(|s| s.kind.starts_with(*size)).unwrap();
            (s.size as u64, p.dc_id, p.access_hash)
        }
        (Media::Document(d), FileKey::Document { .. }) => (d.size as u64, d.dc_id, d.access_hash),
        (Media::Document(d), FileKey::DocumentThumb { size, .. }) => {
            let s = d.thumbs.iter().find(|s| s.kind.starts_with(*size)).unwrap();
            (s.size as u64, d.dc_id, d.access_hash)
        }
        _ => unreachable!(),
    }
}

#[test]
fn every_file_is_found_with_its_origin() {
    let generated = small();
    let loaded = World::from_json(&json(&generated)[..]).unwrap();
    for w in [&generated, &loaded] {
        let mut files = 0;
        for m in w.all_messages() {
            let Some(media) = &m.media else { continue };
            for key in keys(media) {
                let info = w
                    .file(&key)
                    .unwrap_or_else(|| panic!("{key:?} of message {} not found", m.id));
                let (size, dc_id, access_hash) = expected(media, &key);
                assert_eq!(
                    info,
                    FileInfo {
                        size,
                        dc_id,
                        access_hash,
                        origin: FileOrigin::Message {
                            peer: m.peer,
                            id: m.id
                        }
                    }
                );
                files += 1;
            }
        }
        assert!(files > 200, "{files} files");
        for p in &w.profile_photos {
            for key in keys(&Media::Photo(p.clone())) {
                assert_eq!(w.file(&key).unwrap().origin, FileOrigin::ProfilePhoto);
            }
        }
        for s in &w.stories {
            for key in keys(&s.media) {
                assert_eq!(w.file(&key).unwrap().origin, FileOrigin::Story { id: s.id });
            }
        }
        // Near misses: no such size, wrong space, made-up id.
        let photo = w.all_messages().find_map(|m| match m.media {
            Some(Media::Photo(p)) => Some(p),
            _ => None,
        });
        let photo = photo.unwrap();
        assert_eq!(
            w.file(&FileKey::Photo {
                id: photo.id,
                size: 'q'
            }),
            None
        );
        assert_eq!(w.file(&FileKey::Document { id: photo.id }), None);
        assert_eq!(w.file(&FileKey::Document { id: 42 }), None);
        assert_eq!(w.file(&FileKey::Photo { id: -5, size: 'x' }), None);
    }
}

#[test]
fn boundary_files_and_bytes() {
    let w = small();
    let saved = Peer::User(w.self_id);
    let docs: Vec<Document> = w
        .history_ids(saved)
        .iter()
        .filter_map(|&id| match w.message(saved, id)?.media {
            Some(Media::Document(d)) if d.size as u64 >= MIB => Some(d),
            _ => None,
        })
        .collect();
    let sizes: Vec<u64> = docs
        .iter()
        .map(|d| w.file(&FileKey::Document { id: d.id }).unwrap().size)
        .collect();
    assert_eq!(sizes, [MIB, MIB + 1]);

    let key = FileKey::Document { id: docs[1].id };
    let whole = w.file_bytes(&key, 0, usize::MAX >> 1).unwrap();
    assert_eq!(whole.len() as u64, MIB + 1, "clipped to the file size");
    assert_eq!(
        whole,
        bytes::bytes(bytes::file_seed(w.seed, &key), 0, whole.len())
    );
    for (offset, len) in [
        (0, 1),
        (1, 7),
        (7, 9),
        (524_288, 131_072),
        (1_048_575, 2),
        (1_048_570, 100),
    ] {
        let part = w.file_bytes(&key, offset, len).unwrap();
        let end = (offset as usize + len).min(whole.len());
        assert_eq!(
            part,
            &whole[offset as usize..end],
            "offset {offset} len {len}"
        );
    }
    assert_eq!(w.file_bytes(&key, MIB + 1, 10).unwrap(), Vec::<u8>::new());
    let other = FileKey::Document { id: docs[0].id };
    assert_ne!(w.file_bytes(&other, 0, 64), w.file_bytes(&key, 0, 64));
}
