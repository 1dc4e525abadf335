//! result.json of a fixed world (tests/golden/world.json: a trimmed
//! generated world plus a UTF-16 slicing case) exported for real and
//! rendered, compared byte for byte with tests/golden/result.json, which
//! was checked by hand against Telegram Desktop's export_output_json.cpp
//! (key order, layout, date formats, text parts, notes for files not
//! downloaded). Regenerate after an intended change with
//! `UPDATE_GOLDEN=1 cargo test -p takeout-render --test golden` and review the diff.
//! Also: the round trip (every stored message once, same text and date),
//! and byte-identical re-renders.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use takeout::Store;
use takeout_render::{Format, RenderOptions, render};

fn golden_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn exported(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = common::tmp(name);
    let world = fakedc::world::World::load(&golden_dir().join("world.json")).unwrap();
    let store = common::export(world, &dir);
    (dir, store)
}

/// Compares `got` with tests/golden/NAME (UPDATE_GOLDEN=1 rewrites it),
/// naming the first differing line.
fn assert_golden(got: &str, name: &str) {
    let expected_path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected_path, got).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap();
    if got != expected {
        let line = got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "result.json differs from tests/golden/{name} at line {}:\n got: {}\nwant: {}",
            line + 1,
            got.lines().nth(line).unwrap_or(""),
            expected.lines().nth(line).unwrap_or("")
        );
    }
}

fn opts(formats: &[Format]) -> RenderOptions {
    RenderOptions { formats: formats.to_vec(), utc: true }
}

#[test]
fn result_json_matches_the_checked_in_file_and_the_store() {
    let (dir, store_path) = exported("golden");
    let store = Store::open(&store_path).unwrap();
    let out = dir.join("out");
    let s = render(&store, &out, &opts(&[Format::Json])).unwrap();
    let got = std::fs::read_to_string(out.join("result.json")).unwrap();
    assert_golden(&got, "result.json");

    // Round trip: every stored message exactly once, text and date equal.
    let v: serde_json::Value = serde_json::from_str(&got).unwrap();
    let mut seen: BTreeMap<(String, i64), (String, String)> = BTreeMap::new();
    for list in ["chats", "left_chats"] {
        for chat in v[list]["list"].as_array().into_iter().flatten() {
            let id = chat["id"].as_i64().unwrap();
            let prefix = match chat["type"].as_str().unwrap() {
                "saved_messages" | "personal_chat" | "bot_chat" | "replies" => "user",
                "private_group" => "chat",
                _ => "channel",
            };
            for m in chat["messages"].as_array().unwrap() {
                let mut mid = m["id"].as_i64().unwrap();
                let mut peer = format!("{prefix}{id}");
                if mid < 0 {
                    // An upgraded group's message: Telegram Desktop's id shift.
                    mid += 1_000_000_000;
                    peer = "migrated".into();
                }
                let text = match &m["text"] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Array(parts) => parts
                        .iter()
                        .map(|p| p.as_str().map(str::to_string).unwrap_or_else(|| p["text"].as_str().unwrap().to_string()))
                        .collect(),
                    other => panic!("text is {other}"),
                };
                let entities: String = m["text_entities"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap()).collect();
                assert_eq!(text, entities, "message {peer}/{mid}: text and text_entities disagree");
                let date = m["date_unixtime"].as_str().unwrap().to_string();
                assert!(seen.insert((peer.clone(), mid), (text, date)).is_none(), "{peer}/{mid} written twice");
            }
        }
    }
    let mut stored = 0;
    let mut migrated_seen = 0;
    for (peer, id) in store.message_keys().unwrap() {
        stored += 1;
        let row = store.messages_of(&peer).unwrap().into_iter().find(|m| m.id == id).unwrap();
        let key = if seen.contains_key(&(peer.clone(), id as i64)) { (peer.clone(), id as i64) } else { ("migrated".to_string(), id as i64) };
        if key.0 == "migrated" {
            migrated_seen += 1;
        }
        let (text, date) = seen.get(&key).unwrap_or_else(|| panic!("{peer}/{id} is not in result.json"));
        assert_eq!(date, &row.date.to_string(), "{peer}/{id} date");
        if !row.service {
            assert_eq!(text, &row.text, "{peer}/{id} text");
        }
    }
    assert_eq!(seen.len(), stored, "result.json has messages the store does not");
    assert_eq!(s.json_messages, Some(stored as u64));
    assert!(migrated_seen > 0, "the world's upgraded group is folded into its supergroup");
}

#[test]
fn rendering_twice_gives_identical_files() {
    let (dir, store_path) = exported("twice");
    let store = Store::open(&store_path).unwrap();
    let (a, b) = (dir.join("a"), dir.join("b"));
    render(&store, &a, &opts(&[Format::Json, Format::Html])).unwrap();
    render(&store, &b, &opts(&[Format::Json, Format::Html])).unwrap();
    let (ta, tb) = (common::tree(&a), common::tree(&b));
    assert!(ta.len() > 10, "{} files", ta.len());
    assert_eq!(ta.iter().map(|f| &f.0).collect::<Vec<_>>(), tb.iter().map(|f| &f.0).collect::<Vec<_>>());
    for (x, y) in ta.iter().zip(&tb) {
        assert!(x.1 == y.1, "{} differs between two renders", x.0);
    }
}

/// The same world exported with files downloaded (every kind but video
/// files, up to 1 MiB; profile pictures and stories too): result.json has
/// real relative paths, sizes and thumbnails where Telegram Desktop puts
/// them, and its three notes elsewhere (not included: video files; exceeds
/// maximum size: over 1 MiB). Compared byte for byte with
/// tests/golden/result_files.json (same UPDATE_GOLDEN switch), and every
/// path it names is a file under the output directory.
#[test]
fn result_json_with_files_matches_the_checked_in_file() {
    use takeout::options::MediaKind;
    let dir = common::tmp("golden-files");
    let world = fakedc::world::World::load(&golden_dir().join("world.json")).unwrap();
    let mut o = common::options();
    o.flags.files = true;
    o.flags.file_max_size = 1 << 20;
    o.media = MediaKind::MESSAGE_KINDS.iter().copied().filter(|k| *k != MediaKind::VideoFile).chain([MediaKind::ProfilePhoto, MediaKind::Story]).collect();
    let store_path = common::export_with(world, &dir, &o);
    let store = Store::open(&store_path).unwrap();
    // Rendered where the files are, as `tgtakeout export` does.
    render(&store, &dir, &opts(&[Format::Json])).unwrap();
    let got = std::fs::read_to_string(dir.join("result.json")).unwrap();
    assert_golden(&got, "result_files.json");
    let v: serde_json::Value = serde_json::from_str(&got).unwrap();
    let mut paths = 0;
    fn walk(v: &serde_json::Value, f: &mut dyn FnMut(&str, &str)) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if let Some(s) = x.as_str() {
                        f(k, s);
                    }
                    walk(x, f);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
            _ => {}
        }
    }
    walk(&v, &mut |k, s| {
        if ["photo", "file", "thumbnail", "media", "contact_vcard"].contains(&k) && !s.starts_with('(') {
            assert!(dir.join(s).is_file(), "{k}: {s} is not a file under the output directory");
            paths += 1;
        }
    });
    assert!(paths > 50, "{paths} paths");
}
