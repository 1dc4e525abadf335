//! `tgtakeout render` and the render step of `demo`, through the real
//! binary: `--format none` skips it, `render` redoes it from the store with
//! identical bytes, bad input exits 2.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tgtakeout");

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tgtakeout-render-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tg(args: &[&str], out: &Path) -> std::process::Output {
    Command::new(BIN).args(args).arg("--out").arg(out).output().unwrap()
}

#[test]
fn demo_renders_by_default_and_render_redoes_it_identically() {
    let dir = tmp("demo");
    let o = tg(&["demo", "--quiet", "--utc"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let first = std::fs::read(dir.join("result.json")).unwrap();
    let index = std::fs::read(dir.join("index.html")).unwrap();
    assert!(dir.join("search.html").is_file() && dir.join("css/style.css").is_file());
    std::fs::remove_file(dir.join("result.json")).unwrap();
    let o = tg(&["render", "--utc", "--json"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(summary["json_messages"].as_u64().unwrap() > 100, "{summary}");
    assert_eq!(std::fs::read(dir.join("result.json")).unwrap(), first);
    assert_eq!(std::fs::read(dir.join("index.html")).unwrap(), index);
}

#[test]
fn format_none_skips_rendering() {
    let dir = tmp("none");
    let o = tg(&["demo", "--quiet", "--format", "none"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.join("store.sqlite").is_file());
    assert!(!dir.join("result.json").exists() && !dir.join("index.html").exists());
    let o = tg(&["render", "--format", "json"], &dir);
    assert!(o.status.success());
    assert!(dir.join("result.json").is_file() && !dir.join("index.html").exists());
}

#[test]
fn bad_input_exits_2() {
    let dir = tmp("bad");
    let o = tg(&["render"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no store"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!dir.join("store.sqlite").exists(), "render must not create a store");
    let o = tg(&["render", "--format", "xml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown --format"));
    let o = tg(&["demo", "--format", "pdf"], &dir);
    assert_eq!(o.status.code(), Some(2));
}
