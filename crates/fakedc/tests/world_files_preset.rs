//! The `files` preset is what scripts/bench/files.sh downloads: about 1,000
//! message files (the file a client's `download_media` fetches: a photo's
//! largest size, or the document), sizes spread from kilobytes to 50 MiB.
//! Checked here so that a change to the generator cannot silently turn the
//! benchmark into a different one.

use fakedc::world::*;

const MAX: i64 = 50 << 20;

/// Size of each message's downloadable file, in world order.
fn files(w: &World) -> Vec<i64> {
    let dialogs: std::collections::HashSet<Peer> = w.dialogs().into_iter().collect();
    w.all_messages()
        .filter(|m| dialogs.contains(&m.peer))
        .filter_map(|m| match m.media? {
            Media::Photo(p) => p.sizes.iter().map(|s| s.size).max(),
            Media::Document(d) => Some(d.size),
            _ => None,
        })
        .collect()
}

#[test]
fn files_preset_has_a_thousand_files_up_to_50_mib() {
    let w = World::generate(&WorldParams::preset("files", 1).unwrap());
    let mut sizes = files(&w);
    let total: i64 = sizes.iter().sum();
    sizes.sort();
    let n = sizes.len();
    println!(
        "files preset seed 1: {} messages, {} dialogs, {n} files, {total} bytes; smallest {}, median {}, largest {}; {} over 10 MB, {} at 50 MiB",
        w.message_count(),
        w.dialogs().len(),
        sizes[0],
        sizes[n / 2],
        sizes[n - 1],
        sizes.iter().filter(|&&s| s > 10_000_000).count(),
        sizes.iter().filter(|&&s| s == MAX).count(),
    );
    assert!((900..=1_100).contains(&n), "{n} files");
    assert!(sizes[n - 1] <= MAX);
    // Big files must be there (the parallel downloader's case) and small
    // ones too (per-file overhead), and the world must stay small in
    // messages so that the benchmark measures files, not history paging.
    assert!(sizes.iter().filter(|&&s| s > 10_000_000).count() >= 25);
    assert!(sizes.iter().filter(|&&s| s < 100_000).count() >= 100);
    assert!(w.message_count() < 3_000, "{} messages", w.message_count());
}
