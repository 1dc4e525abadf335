//! The large preset: a million messages, built quickly and held compactly.
//! Figures in release: `cargo run --release -p fakedc --example world_mem`.

use std::time::Instant;

use fakedc::world::{Peer, World, WorldParams};

#[test]
fn large_preset_has_a_million_messages() {
    let started = Instant::now();
    let w = World::generate(&WorldParams::preset("large", 1).unwrap());
    let built = started.elapsed();
    assert!(
        w.message_count() >= 1_000_000,
        "{} messages",
        w.message_count()
    );
    // Loose: debug builds on a busy machine; the example reports real figures.
    assert!(built.as_secs() < 60, "took {built:?}");

    // Messages deep inside big histories are there and consistent.
    let peer = w
        .dialogs()
        .into_iter()
        .max_by_key(|&p| w.history_ids(p).len())
        .unwrap();
    let ids = w.history_ids(peer);
    for &id in [ids[0], ids[ids.len() / 2], ids[ids.len() - 1]].iter() {
        let m = w.message(peer, id).unwrap();
        assert_eq!((m.peer, m.id), (peer, id));
    }
    assert!(w.max_common_id() > 100_000);
    assert!(
        w.common_box_peer(w.max_common_id())
            .is_some_and(|p| !matches!(p, Peer::Channel(_)))
    );
}
