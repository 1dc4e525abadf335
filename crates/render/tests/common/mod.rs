//! Shared by the render tests: a world exported for real (fakedc over
//! loopback, the grammers client, the engine) into a fresh directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fakedc::world::World;
use fakedc::{Config, FakeDc};
use takeout::Store;
use takeout::options::{ExportOptions, Flags};
use takeout::progress::Silent;
use takeout_telegram::{ClientOptions, SessionFile, TelegramApi};

pub fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("render-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Everything Telegram Desktop can export; files off (their paths are the
/// files tests' business; here every file gets Telegram Desktop's note).
pub fn options() -> ExportOptions {
    let mut o = ExportOptions::from_flags(Flags {
        contacts: true,
        message_users: true,
        message_chats: true,
        message_megagroups: true,
        message_channels: true,
        files: false,
        file_max_size: 0,
    });
    o.personal_info = true;
    o.profile_photos = true;
    o.stories = true;
    o.sessions = true;
    o.left_chats = true;
    o
}

/// Exports `world` into `dir`/store.sqlite and returns the store's path.
pub fn export(world: World, dir: &Path) -> PathBuf {
    export_with(world, dir, &options())
}

/// [`export`] with other options (files on: they land under `dir`).
pub fn export_with(world: World, dir: &Path, options: &ExportOptions) -> PathBuf {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let dc = FakeDc::start(Config::default(), world).await.unwrap();
        let path = dir.join("session.json");
        dc.session_file().save(&path).unwrap();
        let session = SessionFile::load(&path).unwrap();
        let api = TelegramApi::connect(&session, ClientOptions { api_id: 1, connections: 1 }).unwrap();
        let store = Store::open(&dir.join("store.sqlite")).unwrap();
        takeout::export(api, store, options, Arc::new(Silent)).await.unwrap();
        dc.shutdown().await;
    });
    dir.join("store.sqlite")
}

/// Every file under `dir` (relative path -> bytes), sorted.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push((p.strip_prefix(root).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
