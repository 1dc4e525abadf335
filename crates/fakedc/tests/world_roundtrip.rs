//! Determinism and the JSON round trip.

use fakedc::world::{World, WorldParams};

fn json(world: &World) -> Vec<u8> {
    let mut out = Vec::new();
    world.to_json(&mut out).expect("to_json");
    out
}

fn small(seed: u64) -> World {
    World::generate(&WorldParams::preset("small", seed).unwrap())
}

#[test]
fn same_seed_gives_byte_identical_json() {
    let a = json(&small(7));
    let b = json(&small(7));
    assert!(a == b, "two generations of seed 7 differ");
    assert!(
        a.len() > 100_000,
        "suspiciously small world: {} bytes",
        a.len()
    );
}

#[test]
fn different_seeds_give_different_json() {
    assert_ne!(json(&small(7)), json(&small(8)));
}

#[test]
fn knobs_change_the_world() {
    let base = WorldParams::preset("small", 3).unwrap();
    let more = WorldParams {
        messages_per_chat: base.messages_per_chat + 5,
        ..base.clone()
    };
    assert_ne!(json(&World::generate(&base)), json(&World::generate(&more)));
}

#[test]
fn round_trip_is_lossless() {
    let generated = small(11);
    let first = json(&generated);
    if let Ok(path) = std::env::var("WORLD_DUMP") {
        std::fs::write(path, &first).unwrap();
    }
    let loaded = World::from_json(&first[..]).expect("a generated world is a valid world file");
    let second = json(&loaded);
    assert!(
        first == second,
        "world -> JSON -> world -> JSON is not byte-identical"
    );

    assert_eq!(loaded.seed, generated.seed);
    assert_eq!(loaded.self_id, generated.self_id);
    assert_eq!(loaded.password, generated.password);
    assert_eq!(loaded.users, generated.users);
    assert_eq!(loaded.chats, generated.chats);
    assert_eq!(loaded.saved_contacts, generated.saved_contacts);
    assert_eq!(loaded.top_peers, generated.top_peers);
    assert_eq!(loaded.authorizations, generated.authorizations);
    assert_eq!(loaded.web_authorizations, generated.web_authorizations);
    assert_eq!(loaded.profile_photos, generated.profile_photos);
    assert_eq!(loaded.stories, generated.stories);
    assert_eq!(loaded.message_count(), generated.message_count());
    assert_eq!(loaded.dialogs(), generated.dialogs());
    assert_eq!(loaded.max_common_id(), generated.max_common_id());
    let mut peers = generated.dialogs();
    peers.extend(generated.left_channels().iter().map(|c| c.peer()));
    // Upgraded basic groups are among the dialogs already.
    let mut checked = 0;
    for peer in peers {
        assert_eq!(
            loaded.history_ids(peer),
            generated.history_ids(peer),
            "{peer:?}"
        );
        for &id in generated.history_ids(peer) {
            assert_eq!(
                loaded.message(peer, id),
                generated.message(peer, id),
                "{peer:?} message {id}"
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        generated.message_count(),
        "some history was not compared"
    );
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A seed names a world for good: tests, benchmarks and bug reports say
/// "small, seed 1". If this fails after a deliberate generator change, update
/// the constant (and say so in the change); if it fails after a toolchain or
/// dependency upgrade, something nondeterministic leaked into the output.
#[test]
fn seed_1_small_is_pinned() {
    let bytes = json(&small(1));
    assert_eq!(
        (bytes.len(), fnv1a(&bytes)),
        (426_479, 0x0FE9_2061_85F9_052F),
        "small seed 1 changed"
    );
}

#[test]
fn world_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<World>();
}
