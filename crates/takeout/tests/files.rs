//! The file downloader against an in-process fakedc through the real
//! grammers client: every media kind arrives byte-exact in Telegram
//! Desktop's layout, kind filters and the size limit hold at the boundary
//! with skipped files recorded by reason, an expiring file reference and a
//! stalled part do not stop the export, hostile file names and a planted
//! symlink never lead outside the output directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fakedc::faults::FaultConfig;
use fakedc::world::{FileKey, World, WorldParams};
use fakedc::{Config, FakeDc};
use takeout::Store;
use takeout::options::{ExportOptions, Flags, MediaKind, Selector};
use takeout::progress::{Event, Progress, Silent};
use takeout::store_files::{FileStatus, SkipReason};
use takeout_telegram::{ClientOptions, SessionFile, TelegramApi};

const MIB: i64 = 1 << 20;

fn world() -> World {
    World::generate(&WorldParams::preset("small", 5).unwrap())
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("takeout-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn all_flags(max: i64) -> Flags {
    Flags {
        contacts: true,
        message_users: true,
        message_chats: true,
        message_megagroups: true,
        message_channels: true,
        files: true,
        file_max_size: max,
    }
}

fn options(max: i64, media: &[MediaKind]) -> ExportOptions {
    let mut o = ExportOptions::from_flags(all_flags(max));
    o.media = media.iter().copied().collect();
    o
}

async fn run(dc: &FakeDc, dir: &Path, o: &ExportOptions, progress: Arc<dyn Progress>) -> (takeout::Summary, Store) {
    let path = dir.join("session.json");
    dc.session_file().save(&path).unwrap();
    let session = SessionFile::load(&path).unwrap();
    let api = TelegramApi::connect(&session, ClientOptions { api_id: 1, connections: 1 }).unwrap();
    let store = Store::open(&dir.join("store.sqlite")).unwrap();
    takeout::export(api, store, o, progress).await.unwrap_or_else(|e| panic!("export failed: {e}"))
}

/// One reference as the store has it, with its file's location key.
#[derive(Debug, Clone)]
struct Ref {
    owner: String,
    item: i64,
    slot: String,
    kind: String,
    status: String,
    reason: Option<String>,
    path: Option<String>,
    location: Option<String>,
    size: Option<i64>,
    sha256: Option<String>,
}

fn refs(dir: &Path) -> Vec<Ref> {
    let conn = rusqlite::Connection::open(dir.join("store.sqlite")).unwrap();
    let mut st = conn
        .prepare(
            "SELECT r.owner, r.item, r.slot, r.kind, r.status, r.reason, r.path, f.location, f.size, f.sha256
             FROM file_refs r LEFT JOIN files f ON f.id = r.file_id ORDER BY r.owner, r.item, r.slot",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok(Ref {
            owner: r.get(0)?,
            item: r.get(1)?,
            slot: r.get(2)?,
            kind: r.get(3)?,
            status: r.get(4)?,
            reason: r.get(5)?,
            path: r.get(6)?,
            location: r.get(7)?,
            size: r.get(8)?,
            sha256: r.get(9)?,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The world's file for a store location key ("photo:ID:L", "doc:ID", "doc:ID:L").
fn file_key(location: &str) -> FileKey {
    let parts: Vec<&str> = location.split(':').collect();
    let id: i64 = parts[1].parse().unwrap();
    let letter = || parts[2].chars().next().unwrap();
    match (parts[0], parts.len()) {
        ("photo", 3) => FileKey::Photo { id, size: letter() },
        ("doc", 2) => FileKey::Document { id },
        ("doc", 3) => FileKey::DocumentThumb { id, size: letter() },
        _ => panic!("unknown location {location}"),
    }
}

/// Every done reference's file is on disk inside `dir`, byte for byte the
/// world's, with the recorded sha256. Returns how many were checked.
fn check_done_files(w: &World, dir: &Path, refs: &[Ref]) -> usize {
    use sha2::Digest;
    let root = dir.canonicalize().unwrap();
    let mut n = 0;
    for r in refs.iter().filter(|r| r.status == "done") {
        let path = r.path.as_ref().unwrap();
        let full = root.join(path).canonicalize().unwrap();
        assert!(full.starts_with(&root), "{path} resolves outside the output directory");
        let got = std::fs::read(&full).unwrap();
        let key = file_key(r.location.as_ref().unwrap());
        let want = w.file_bytes(&key, 0, r.size.unwrap() as usize).unwrap();
        assert_eq!(got.len(), want.len(), "{path}: size");
        assert!(got == want, "{path}: bytes differ from the world's");
        let sha: String = sha2::Sha256::digest(&got).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(r.sha256.as_deref(), Some(sha.as_str()), "{path}: sha256");
        n += 1;
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_media_kind_arrives_byte_exact_in_telegram_desktops_layout() {
    let w = world();
    let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
    let dir = tmp("kinds");
    let o = options(2 * MIB, &MediaKind::MESSAGE_KINDS);
    let (summary, store) = run(&dc, &dir, &o, Arc::new(Silent)).await;
    let rs = refs(&dir);
    let done_kinds: BTreeSet<&str> = rs.iter().filter(|r| r.status == "done" && r.slot == "file").map(|r| r.kind.as_str()).collect();
    for kind in ["photo", "video_file", "voice_message", "round_video_message", "sticker", "animation", "file", "profile_photo", "story"] {
        assert!(done_kinds.contains(kind), "no {kind} downloaded: {done_kinds:?}");
    }
    assert!(rs.iter().all(|r| r.status == "done" || r.status == "skipped"), "nothing pending or unavailable");
    assert!(rs.iter().filter(|r| r.status == "skipped").all(|r| r.reason.as_deref() == Some("size")));
    let checked = check_done_files(&w, &dir, &rs);
    assert!(checked > 20, "{checked}");
    // Telegram Desktop's folders.
    for r in rs.iter().filter(|r| r.status == "done" && r.slot == "file") {
        let path = r.path.as_deref().unwrap();
        let folder = match r.kind.as_str() {
            "photo" => "/photos/",
            "video_file" => "/video_files/",
            "voice_message" => "/voice_messages/",
            "round_video_message" => "/round_video_messages/",
            "sticker" => "/stickers/",
            "animation" => "/animations/",
            "file" => "/files/",
            "profile_photo" => "profile_pictures/",
            "story" => "stories/",
            k => panic!("kind {k}"),
        };
        assert!(path.contains(folder), "{path} is not in {folder}");
        if !matches!(r.kind.as_str(), "profile_photo" | "story") {
            assert!(path.starts_with("chats/chat_"), "{path}");
        }
        if r.kind == "photo" {
            let name = path.rsplit('/').next().unwrap();
            assert!(name.starts_with("photo_") && name.contains('@') && name.ends_with(".jpg"), "{name}");
        }
    }
    // The renderers' read API agrees.
    let first = rs.iter().find(|r| r.status == "done").unwrap();
    let fr = store.file_ref(&first.owner, first.item, &first.slot).unwrap().unwrap();
    assert_eq!(fr.status, FileStatus::Done);
    assert_eq!(fr.path, first.path);
    assert_eq!(summary.files.downloaded as usize, rs.iter().filter(|r| r.status == "done").map(|r| r.location.clone()).collect::<BTreeSet<_>>().len());
    // mtime is the message date: a sample photo is dated in the account's life (2020-2025).
    let m = std::fs::metadata(dir.join(first.path.as_ref().unwrap())).unwrap().modified().unwrap();
    let secs = m.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((fakedc::world::BASE_DATE..=fakedc::world::END_DATE + 86_400 * 365).contains(&secs), "{secs}");

    // Again: nothing is fetched twice.
    let before = dc.stats().file_bytes_served;
    let (again, _) = run(&dc, &dir, &o, Arc::new(Silent)).await;
    assert_eq!(dc.stats().file_bytes_served, before, "a finished file is never fetched again");
    assert_eq!(again.files.downloaded, 0);
    dc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kind_filters_and_the_size_limit_hold_at_the_boundary() {
    let w = world();
    let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
    let by_kind = |rs: &[Ref], kind: &str| -> Vec<Ref> { rs.iter().filter(|r| r.kind == kind && r.slot == "file").cloned().collect() };
    for kind in MediaKind::MESSAGE_KINDS {
        let dir = tmp(&format!("kind-{}", kind.name()));
        let (summary, _) = run(&dc, &dir, &options(2 * MIB, &[kind]), Arc::new(Silent)).await;
        let rs = refs(&dir);
        for other in MediaKind::MESSAGE_KINDS {
            for r in by_kind(&rs, other.name()) {
                if other == kind {
                    assert_eq!(r.status, "done", "{r:?}");
                } else {
                    assert_eq!((r.status.as_str(), r.reason.as_deref()), ("skipped", Some("kind")), "{r:?}");
                }
            }
        }
        assert!(!by_kind(&rs, kind.name()).is_empty(), "the world has {}", kind.name());
        assert!(summary.files.skipped.get("kind").copied().unwrap_or(0) > 0);
        check_done_files(&w, &dir, &rs);
    }
    // Saved Messages holds exactly_1MiB.bin (1,048,576 bytes) and 1MiB_plus_1.bin.
    let saved = Selector::Peer(format!("user{}", w.self_id));
    // limit = 1 MiB + 1: 1 MiB is limit-1, 1 MiB + 1 is the limit itself; both come.
    let dir = tmp("limit-a");
    let mut o = options(MIB + 1, &[MediaKind::File]);
    o.include = vec![saved.clone()];
    run(&dc, &dir, &o, Arc::new(Silent)).await;
    let rs = refs(&dir);
    let item_of = |size: i64| rs.iter().find(|r| r.kind == "file" && r.size == Some(size)).unwrap_or_else(|| panic!("{size}: {rs:?}")).clone();
    let (exactly, plus_one) = (item_of(MIB), item_of(MIB + 1));
    assert_eq!((exactly.status.as_str(), plus_one.status.as_str()), ("done", "done"));
    check_done_files(&w, &dir, &rs);
    // limit = 1 MiB: 1 MiB is the limit (comes), 1 MiB + 1 is limit+1 (skipped, reason size).
    let dir = tmp("limit-b");
    let mut o = options(MIB, &[MediaKind::File]);
    o.include = vec![saved];
    let (summary, store) = run(&dc, &dir, &o, Arc::new(Silent)).await;
    let rs = refs(&dir);
    let find = |item: i64| rs.iter().find(|r| r.item == item && r.slot == "file").unwrap().clone();
    assert_eq!(find(exactly.item).status, "done");
    let skipped = find(plus_one.item);
    assert_eq!((skipped.status.as_str(), skipped.reason.as_deref()), ("skipped", Some("size")));
    let fr = store.file_ref(&skipped.owner, skipped.item, "file").unwrap().unwrap();
    assert_eq!(fr.status, FileStatus::Skipped(SkipReason::Size));
    // (Besides the account's story video, also over 1 MiB.)
    assert!(summary.files.skipped.get("size").is_some_and(|n| *n >= 1));
    check_done_files(&w, &dir, &rs);

    // Files off: everything is listed, skipped for that reason, nothing fetched.
    let dir = tmp("files-off");
    let before = dc.stats().file_bytes_served;
    let mut o = options(MIB, &MediaKind::MESSAGE_KINDS);
    o.flags.files = false;
    let (summary, _) = run(&dc, &dir, &o, Arc::new(Silent)).await;
    let rs = refs(&dir);
    assert!(!rs.is_empty());
    assert!(rs.iter().all(|r| r.status == "skipped" && r.reason.as_deref() == Some("files_off")));
    assert_eq!(dc.stats().file_bytes_served, before);
    assert_eq!(summary.files.skipped.keys().collect::<Vec<_>>(), vec!["files_off"]);
    dc.shutdown().await;
}

/// Advances fakedc's clock past the file reference lifetime once the first
/// file bytes arrive, so the rest of that very file meets FILE_REFERENCE_EXPIRED.
struct ExpireAfterFirstPart {
    dc: Arc<FakeDc>,
    fired: std::sync::atomic::AtomicBool,
}

impl Progress for ExpireAfterFirstPart {
    fn event(&self, e: Event) {
        if matches!(e, Event::FileBytes(_)) && !self.fired.swap(true, std::sync::atomic::Ordering::SeqCst) {
            self.dc.advance_clock(3600);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_expiring_mid_download_is_refreshed_and_the_file_completes() {
    let w = world();
    let dc = Arc::new(FakeDc::start(Config { file_reference_ttl: 600, ..Config::default() }, w.clone()).await.unwrap());
    let dir = tmp("expire");
    let mut o = options(2 * MIB, &[MediaKind::File]);
    o.include = vec![Selector::Peer(format!("user{}", w.self_id))];
    // One part at a time, so the expiry lands between two parts of one file.
    o.file_options.parallel_files = 1;
    o.file_options.parts_per_file = 1;
    o.file_options.parallel_requests = 1;
    let progress = Arc::new(ExpireAfterFirstPart { dc: dc.clone(), fired: false.into() });
    run(&dc, &dir, &o, progress).await;
    let stats = dc.stats();
    assert!(stats.errors_of("FILE_REFERENCE_EXPIRED") >= 1, "{stats:?}");
    assert!(stats.requests_of("messages.getMessages") >= 1, "the message was fetched again: {stats:?}");
    let rs = refs(&dir);
    assert!(rs.iter().any(|r| r.size == Some(MIB + 1)), "the three-part file is among them");
    assert!(rs.iter().all(|r| r.status == "done" || r.reason.as_deref() == Some("kind")), "{rs:?}");
    check_done_files(&w, &dir, &rs);
    // Continued from the same offset: no byte was served twice.
    let total: i64 = rs.iter().filter(|r| r.status == "done").map(|r| r.size.unwrap()).sum();
    assert_eq!(stats.file_bytes_served, total as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_part_is_retried_and_the_export_finishes() {
    let w = world();
    let faults = FaultConfig { stall_files_every: Some(5), ..FaultConfig::default() };
    let dc = FakeDc::start(Config { faults, ..Config::default() }, w.clone()).await.unwrap();
    let dir = tmp("stall");
    let mut o = options(2 * MIB, &MediaKind::MESSAGE_KINDS);
    o.file_options.stall_timeout_secs = 0.5;
    let (summary, _) = run(&dc, &dir, &o, Arc::new(Silent)).await;
    let stats = dc.stats();
    assert!(stats.requests_of("stalled") >= 3, "{stats:?}");
    let rs = refs(&dir);
    assert!(rs.iter().all(|r| r.status == "done" || r.reason.as_deref() == Some("size")), "every file came");
    assert!(check_done_files(&w, &dir, &rs) > 20);
    assert!(summary.files.downloaded > 20);
}

/// The world with a chat whose documents carry hostile names.
fn hostile_world(names: &[&str]) -> (World, String) {
    let w = world();
    let mut buf = Vec::new();
    w.to_json(&mut buf).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
    let alice = w.resolve_username("fx_alice").unwrap();
    let alice_id = match alice {
        fakedc::world::Peer::User(id) => id,
        _ => unreachable!(),
    };
    let msgs = v["messages"].as_array_mut().unwrap();
    let mut slots = msgs
        .iter_mut()
        .filter(|m| m["peer"]["type"] == "user" && m["peer"]["id"] == alice_id && m.get("action").is_none() && m.get("media").is_none());
    for (i, name) in names.iter().enumerate() {
        let m = slots.next().expect("enough plain messages in Alice's chat");
        let date = m["date"].clone();
        m["media"] = serde_json::json!({
            "type": "document", "id": 9_000_000_000i64 + i as i64, "access_hash": 77 + i as i64, "date": date, "dc_id": 2,
            "kind": "file", "mime_type": "application/octet-stream", "size": 1000 + i as i64, "file_name": name,
        });
    }
    let w = World::from_json(serde_json::to_vec(&v).unwrap().as_slice()).unwrap();
    (w, format!("user{alice_id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_land_inside_the_output_directory_with_safe_unique_names() {
    let long = "n".repeat(296) + ".bin";
    let names = ["../../x", "/etc/passwd", "a/b", "CON", "nul\0byte.txt", "new\nline.txt", long.as_str(), "same.txt", "same.txt", ".."];
    let (w, alice) = hostile_world(&names);
    let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
    let base = tmp("hostile");
    let dir = base.join("out");
    std::fs::create_dir_all(&dir).unwrap();
    let mut o = options(MIB, &[MediaKind::File]);
    o.include = vec![Selector::Peer(alice.clone())];
    run(&dc, &dir, &o, Arc::new(Silent)).await;
    let rs: Vec<Ref> = refs(&dir).into_iter().filter(|r| r.location.as_deref().is_some_and(|l| l.starts_with("doc:900000000"))).collect();
    assert_eq!(rs.len(), names.len());
    assert!(rs.iter().all(|r| r.status == "done"), "{rs:?}");
    check_done_files(&w, &dir, &rs);
    let mut seen = BTreeMap::new();
    for r in &rs {
        let path = r.path.clone().unwrap();
        let name = path.rsplit('/').next().unwrap().to_string();
        assert!(path.starts_with("chats/chat_") && path.contains("/files/"), "{path}");
        assert!(!name.chars().any(|c| c.is_control() || c == '/' || c == '\\'), "{name:?}");
        assert!(name != "." && name != ".." && !name.starts_with('.'), "{name:?}");
        assert!(name.len() <= 255, "{} bytes", name.len());
        assert!(!name.eq_ignore_ascii_case("CON"), "{name}");
        assert!(seen.insert(path.to_lowercase(), ()).is_none(), "two references share {path}");
    }
    // Nothing escaped: no x next to the output directory, /etc/passwd untouched.
    assert!(!base.join("x").exists() && !dir.parent().unwrap().parent().unwrap().join("x").exists());
    assert_eq!(std::fs::read_dir(&base).unwrap().count(), 1, "only out/ in the base directory");
    dc.shutdown().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_symlink_is_not_followed() {
    let w = world();
    let dc = FakeDc::start(Config::default(), w.clone()).await.unwrap();
    let base = tmp("symlink");
    let (dir, outside) = (base.join("out"), base.join("outside"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    // Someone made the chats folder point elsewhere before the export.
    std::os::unix::fs::symlink(&outside, dir.join("chats")).unwrap();
    let (summary, _) = run(&dc, &dir, &options(MIB, &[MediaKind::Photo]), Arc::new(Silent)).await;
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written through the link");
    let rs = refs(&dir);
    let photos: Vec<&Ref> = rs.iter().filter(|r| r.kind == "photo").collect();
    assert!(!photos.is_empty() && photos.iter().all(|r| r.status == "unavailable"), "{photos:?}");
    assert_eq!(summary.files.unavailable as usize, photos.len());
    // Profile photos are outside chats/ and unaffected.
    assert!(rs.iter().any(|r| r.kind == "profile_photo" && r.status == "done"));
    dc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_on_other_data_centres_are_fetched_there() {
    let w = world();
    let dc = FakeDc::start(Config { dcs: vec![1, 2, 3, 4, 5], ..Config::default() }, w.clone()).await.unwrap();
    let dir = tmp("dcs");
    let (summary, _) = run(&dc, &dir, &options(2 * MIB, &MediaKind::MESSAGE_KINDS), Arc::new(Silent)).await;
    let stats = dc.stats();
    let migrated: u64 = stats.errors.iter().filter(|(k, _)| k.starts_with("FILE_MIGRATE_")).map(|(_, n)| *n).sum();
    assert!(migrated >= 1, "some files live elsewhere and Telegram said so: {stats:?}");
    let rs = refs(&dir);
    assert!(rs.iter().all(|r| r.status == "done" || r.reason.as_deref() == Some("size")), "{rs:?}");
    assert!(check_done_files(&w, &dir, &rs) > 20);
    // Once a dc is known to answer, its files are asked there directly:
    // far fewer redirects than files.
    assert!(migrated < summary.files.downloaded, "{migrated} redirects for {} files", summary.files.downloaded);
    dc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_waits_on_files_slow_the_downloads_and_they_finish() {
    let w = world();
    let faults = FaultConfig { flood_per_sec: Some(60.0), ..FaultConfig::default() };
    let dc = FakeDc::start(Config { faults, ..Config::default() }, w.clone()).await.unwrap();
    let dir = tmp("flood");
    let (summary, _) = run(&dc, &dir, &options(2 * MIB, &MediaKind::MESSAGE_KINDS), Arc::new(Silent)).await;
    let stats = dc.stats();
    let floods: u64 = stats.errors.iter().filter(|(k, _)| k.starts_with("FLOOD_WAIT_")).map(|(_, n)| *n).sum();
    assert!(floods >= 1, "{stats:?}");
    let rs = refs(&dir);
    assert!(rs.iter().all(|r| r.status == "done" || r.reason.as_deref() == Some("size")), "every file came");
    assert!(check_done_files(&w, &dir, &rs) > 20 && summary.files.downloaded > 20);
    dc.shutdown().await;
}
