//! The files benchmark's "grammers as its users write it" client: every
//! dialog, every message, and `Client::download_media` for each message
//! with media, one file at a time, into a directory.
//!
//! ```sh
//! cargo run --release -p fakedc --example grammers_download -- SESSION_JSON OUT_DIR [CAP_SECS]
//! ```
//!
//! SESSION_JSON is the file `fakedc serve --session-out` wrote; its dcs and
//! pre-provisioned auth key go into grammers' in-memory session, so there is
//! no key exchange and no sign-in (the same setup as fakedc's tests). Only
//! grammers' public API is used: `iter_dialogs`, `iter_messages`,
//! `Message::media` and `download_media` (which fetches files over 10 MB
//! with 4 parallel 512 KiB requests, smaller ones one 512 KiB part at a time).
//!
//! `grammers_download --ceiling SECS SESSION_JSON` instead measures fakedc's
//! serving ceiling on the same world, as `cargo bench -p fakedc --bench
//! serve` does: one connection, 8 upload.getFile requests of 512 KiB in
//! flight at random offsets of the first file over 8 MiB, for SECS seconds;
//! prints {"ceiling_mb_s": ...}.
//!
//! After CAP_SECS seconds (default: none) it starts no new file and reports
//! what it did so far. Prints one JSON line on stdout: files, bytes (summed
//! from the files on disk), seconds (client creation to the last file
//! written), capped, and errors (files whose download failed, or whose size
//! on disk differs from the size the message states).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fakedc::session_file::SessionFile;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--ceiling") && args.len() == 3 {
        return ceiling(&args[2], args[1].parse().expect("SECS is a number"));
    }
    if !(2..=3).contains(&args.len()) {
        eprintln!("usage: grammers_download SESSION_JSON OUT_DIR [CAP_SECS]");
        std::process::exit(2);
    }
    let session = SessionFile::load(std::path::Path::new(&args[0])).unwrap_or_else(|e| {
        eprintln!("grammers_download: cannot read the session file: {e}");
        std::process::exit(2)
    });
    let out = PathBuf::from(&args[1]);
    let cap = args.get(2).map(|s| Duration::from_secs_f64(s.parse().expect("CAP_SECS is a number")));
    std::fs::create_dir_all(&out).expect("create OUT_DIR");

    let t0 = Instant::now();
    // A multi-threaded runtime, as a grammers application would use.
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let run = rt.block_on(download_all(&session, &out, cap, t0));
    // grammers writes through tokio::fs::File without flushing it, so the
    // last write of a file may still be in flight when download_media
    // returns; dropping the runtime waits for every such write. Only then
    // are the files on disk complete and their sizes worth checking.
    drop(rt);
    let seconds = t0.elapsed().as_secs_f64();
    let mut bytes = 0u64;
    let mut mismatched = 0u64;
    let mut first_error = run.first_error;
    for (path, expected) in &run.done {
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        bytes += len;
        if len != *expected {
            mismatched += 1;
            if first_error.is_empty() {
                first_error = format!("{}: {len} bytes on disk, {expected} expected", path.display());
            }
        }
    }
    let report = serde_json::json!({
        "client": "grammers-client 0.11 download_media",
        "files": run.done.len(),
        "bytes": bytes,
        "seconds": seconds,
        "capped": run.capped,
        "cap_secs": cap.map(|c| c.as_secs_f64()),
        "errors": run.failed + mismatched,
        "first_error": first_error,
    });
    println!("{report}");
}

struct Run {
    /// Files downloaded, with the size their message states.
    done: Vec<(PathBuf, u64)>,
    failed: u64,
    capped: bool,
    first_error: String,
}

async fn download_all(session: &SessionFile, out: &std::path::Path, cap: Option<Duration>, t0: Instant) -> Run {
    let (client, _runner) = common::client(session);
    let mut run = Run { done: Vec::new(), failed: 0, capped: false, first_error: String::new() };
    let mut dialogs = client.iter_dialogs();
    'all: while let Some(dialog) = dialogs.next().await.expect("iter_dialogs") {
        let peer = dialog.peer_ref();
        let mut messages = client.iter_messages(peer);
        while let Some(message) = messages.next().await.expect("iter_messages") {
            let Some(media) = message.media() else { continue };
            let Some(expected) = media.size() else { continue };
            if cap.is_some_and(|cap| t0.elapsed() >= cap) {
                run.capped = true;
                break 'all;
            }
            let path = out.join(format!("{}_{}", dialog.peer_id().bot_api_dialog_id_unchecked(), message.id()));
            match client.download_media(&media, &path).await {
                Ok(()) => run.done.push((path, expected as u64)),
                Err(e) => {
                    run.failed += 1;
                    if run.first_error.is_empty() {
                        run.first_error = format!("{}: {e}", path.display());
                    }
                }
            }
        }
    }
    run
}

/// fakedc's getFile throughput with the client doing nothing else.
fn ceiling(session: &str, secs: f64) {
    const PART: i32 = 512 * 1024;
    const IN_FLIGHT: usize = 8;
    let session = SessionFile::load(std::path::Path::new(session)).expect("read the session file");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let (bytes, elapsed) = rt.block_on(async {
        let (client, _runner) = common::client(&session);
        let (location, size) = big_file(&client).await;
        let end = Instant::now() + Duration::from_secs_f64(secs);
        let start = Instant::now();
        let tasks: Vec<_> = (0..IN_FLIGHT as u64)
            .map(|task| {
                let (client, location) = (client.clone(), location.clone());
                tokio::spawn(async move {
                    let parts = size / PART as u64;
                    let (mut total, mut i) = (0u64, task);
                    while Instant::now() < end {
                        // A different aligned part each time (a fixed stride
                        // walk; which part does not matter to fakedc).
                        let offset = (i.wrapping_mul(7_919) % parts) * PART as u64;
                        i += IN_FLIGHT as u64;
                        let request = grammers_client::tl::functions::upload::GetFile {
                            precise: false,
                            cdn_supported: false,
                            location: location.clone(),
                            offset: offset as i64,
                            limit: PART,
                        };
                        match client.invoke(&request).await.expect("upload.getFile") {
                            grammers_client::tl::enums::upload::File::File(f) => total += f.bytes.len() as u64,
                            other => panic!("unexpected answer {other:?}"),
                        }
                    }
                    total
                })
            })
            .collect();
        let mut bytes = 0;
        for t in tasks {
            bytes += t.await.expect("task");
        }
        (bytes, start.elapsed().as_secs_f64())
    });
    println!(
        "{}",
        serde_json::json!({"ceiling_mb_s": bytes as f64 / elapsed / 1e6, "bytes": bytes, "seconds": elapsed,
                           "part_kib": PART / 1024, "in_flight": IN_FLIGHT})
    );
}

/// The input location and size of the first file over 8 MiB.
async fn big_file(client: &grammers_client::Client) -> (grammers_client::tl::enums::InputFileLocation, u64) {
    use grammers_client::media::Downloadable;
    let mut dialogs = client.iter_dialogs();
    while let Some(dialog) = dialogs.next().await.expect("iter_dialogs") {
        let mut messages = client.iter_messages(dialog.peer_ref());
        while let Some(message) = messages.next().await.expect("iter_messages") {
            if let Some(media) = message.media() {
                if media.size().is_some_and(|s| s > 8 << 20) {
                    let location = media.to_raw_input_location().expect("a document has a location");
                    return (location, media.size().unwrap() as u64);
                }
            }
        }
    }
    panic!("no file over 8 MiB in the world")
}
