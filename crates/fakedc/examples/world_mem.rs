//! Builds a generated world and reports build time, size and peak memory.
//!
//! `cargo run --release -p fakedc --example world_mem -- [preset] [seed] [--json]`
//! (preset defaults to "large"). With `--json` it also streams the world to
//! /dev/null, showing that writing does not hold the messages either; with
//! `--reload` it saves the world to a temporary file and loads it back (a
//! loaded world keeps every message, so this one costs real memory).

use std::time::Instant;

use fakedc::world::{World, WorldParams};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let preset = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<u64>().is_err())
        .map_or("large", |s| s);
    let seed = args.iter().find_map(|a| a.parse::<u64>().ok()).unwrap_or(1);
    let params =
        WorldParams::preset(preset, seed).unwrap_or_else(|| panic!("unknown preset {preset}"));

    let started = Instant::now();
    let world = World::generate(&params);
    let built = started.elapsed();
    println!("preset {preset}, seed {seed}");
    println!("build time:      {built:.2?}");
    println!("messages:        {}", world.message_count());
    println!("histories:       {}", world.history_peers().count());
    println!("peak RSS (VmHWM) after build: {}", vm_hwm());

    let started = Instant::now();
    let mut media = 0usize;
    for peer in world.dialogs() {
        for &id in world.history_ids(peer) {
            media += world.message(peer, id).expect("listed").media.is_some() as usize;
        }
    }
    println!(
        "read every dialog message: {:.2?} ({media} with media)",
        started.elapsed()
    );

    // A download-sized buffer, reused: what the server does per chunk.
    let mut buf = vec![0u8; 1 << 20];
    let started = Instant::now();
    for chunk in 0..256u64 {
        fakedc::world::bytes::fill(12345, chunk * (1 << 20) + 3, &mut buf);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "bytes::fill:     {:.2} GB/s",
        256.0 * (1 << 20) as f64 / secs / 1e9
    );
    drop(buf);

    if args.iter().any(|a| a == "--json") {
        let started = Instant::now();
        let sink = std::fs::File::create("/dev/null").expect("/dev/null");
        world.to_json(sink).expect("write");
        println!("to_json:         {:.2?}", started.elapsed());
    }
    println!("peak RSS (VmHWM) so far: {}", vm_hwm());

    if args.iter().any(|a| a == "--reload") {
        let path = std::env::temp_dir().join(format!("world_mem_{}.json", std::process::id()));
        world.save(&path).expect("save");
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        drop(world);
        let started = Instant::now();
        let loaded = World::load(&path).expect("load");
        println!(
            "load {} MB of JSON: {:.2?}, {} messages",
            size >> 20,
            started.elapsed(),
            loaded.message_count()
        );
        std::fs::remove_file(&path).ok();
        println!("peak RSS (VmHWM) after reload: {}", vm_hwm());
    }
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
