//! Where files go on disk, and getting them there safely: Telegram
//! Desktop's names (photo_N@DD-MM-YYYY_HH-MM-SS.jpg, the document's own
//! name, …), sanitizing every name a server sent, resolving collisions, and
//! creating directories and files so that nothing is ever written outside
//! the output directory — not through `..`, not through an absolute name,
//! not through a symbolic link someone planted inside it.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Longest file name we write, in bytes: below every common file system's
/// 255, leaving room for " (NNN)" and ".part".
const MAX_NAME_BYTES: usize = 200;

/// Telegram Desktop's date part of generated names, `@DD-MM-YYYY_HH-MM-SS`.
/// In UTC, not local time as Telegram Desktop does, so the same export gives
/// the same names on every machine.
pub fn date_part(unix: i32) -> String {
    if unix <= 0 {
        return String::new();
    }
    let (y, m, d, hh, mm, ss) = civil(unix as i64);
    format!("@{d:02}-{m:02}-{y:04}_{hh:02}-{mm:02}-{ss:02}")
}

/// Unix seconds to (year, month, day, hour, minute, second), UTC (the
/// days-from-civil algorithm in reverse, no calendar crate needed).
fn civil(t: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d, (secs / 3600) as u32, (secs / 60 % 60) as u32, (secs % 60) as u32)
}

/// The extension for a mime type, with the dot; `fallback` when unknown
/// (Telegram Desktop: ".mov" for videos, ".unknown" otherwise).
pub fn extension(mime: &str, fallback: &'static str) -> &'static str {
    match mime.to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" => ".jpg",
        "image/png" => ".png",
        "image/webp" => ".webp",
        "image/gif" => ".gif",
        "video/mp4" => ".mp4",
        "video/quicktime" => ".mov",
        "video/webm" => ".webm",
        "audio/ogg" => ".ogg",
        "audio/mpeg" | "audio/mp3" => ".mp3",
        "audio/mp4" | "audio/m4a" => ".m4a",
        "application/pdf" => ".pdf",
        "application/zip" => ".zip",
        "application/x-tgsticker" => ".tgs",
        "text/plain" => ".txt",
        _ => fallback,
    }
}

/// A name a server sent, made safe as one path component on any common
/// system: no separators, no `.`/`..`, no control characters or NUL, none
/// of Windows' forbidden characters or reserved device names, no trailing
/// dots or spaces, at most [`MAX_NAME_BYTES`] bytes (cut at a character
/// boundary, keeping a short extension), never empty.
pub fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    // Leading dots hide a file (and make "." and ".."); trailing dots and
    // spaces are dropped by Windows, so two names could meet.
    let trimmed = s.trim_end_matches(['.', ' ']).trim_start_matches(' ');
    s = trimmed.to_string();
    if s.starts_with('.') {
        s.replace_range(0..1, "_");
    }
    if s.is_empty() {
        s = "file".into();
    }
    let stem = s.split('.').next().unwrap_or("").trim_end().to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        s.insert(0, '_');
    }
    truncate_keeping_extension(&s, MAX_NAME_BYTES)
}

fn truncate_keeping_extension(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let (stem, ext) = split_extension(s);
    let ext = if ext.len() <= 16 { ext } else { "" };
    let mut cut = max - ext.len();
    while !stem.is_char_boundary(cut.min(stem.len())) {
        cut -= 1;
    }
    format!("{}{ext}", &stem[..cut.min(stem.len())])
}

/// ("name", ".ext"); a leading dot is not an extension.
pub fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    }
}

/// `dir/name`, or `dir/name (2).ext`, `(3)`, … — the first not in `used`
/// (lowercase paths) and not already on disk under `root`. Marks it used.
pub fn unique_path(root: &Path, dir: &str, name: &str, used: &mut std::collections::HashSet<String>) -> String {
    let (stem, ext) = split_extension(name);
    for n in 1u64.. {
        let candidate = if n == 1 { format!("{dir}/{name}") } else { format!("{dir}/{stem} ({n}){ext}") };
        let key = candidate.to_lowercase();
        if used.contains(&key) {
            continue;
        }
        let on_disk = root.join(&candidate);
        let part = root.join(format!("{candidate}.part"));
        if on_disk.symlink_metadata().is_ok() || part.symlink_metadata().is_ok() {
            continue;
        }
        used.insert(key);
        return candidate;
    }
    unreachable!("some number is free")
}

#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("{0:?} is not a relative path inside the output directory")]
    Outside(String),
    #[error("{0} is a symbolic link or not a directory; refusing to write through it")]
    NotADirectory(PathBuf),
    #[error("{0} is a symbolic link or not a regular file; refusing to write through it")]
    NotAFile(PathBuf),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> LayoutError + '_ {
    move |source| LayoutError::Io { path: path.to_path_buf(), source }
}

/// The output directory, and the only way the downloader touches disk.
#[derive(Clone, Debug)]
pub struct OutDir {
    root: PathBuf,
}

impl OutDir {
    pub fn new(root: &Path) -> Result<OutDir, LayoutError> {
        let root = root.canonicalize().map_err(io_err(root))?;
        Ok(OutDir { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `rel` ('/'-separated, as stored) under the root, creating its
    /// parent directories one component at a time, each checked to be a
    /// real directory and not a symbolic link (so a planted link is never
    /// followed), and the result checked to still be inside the root.
    pub fn prepare(&self, rel: &str) -> Result<PathBuf, LayoutError> {
        let rel_path = Path::new(rel);
        let parts: Vec<_> = rel_path.components().collect();
        if parts.is_empty() || !parts.iter().all(|c| matches!(c, Component::Normal(_))) {
            return Err(LayoutError::Outside(rel.into()));
        }
        let mut dir = self.root.clone();
        for c in &parts[..parts.len() - 1] {
            dir.push(c);
            match dir.symlink_metadata() {
                Ok(m) if m.file_type().is_dir() => {}
                Ok(_) => return Err(LayoutError::NotADirectory(dir)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => match std::fs::create_dir(&dir) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        if !dir.symlink_metadata().map_err(io_err(&dir))?.file_type().is_dir() {
                            return Err(LayoutError::NotADirectory(dir));
                        }
                    }
                    Err(e) => return Err(io_err(&dir)(e)),
                },
                Err(e) => return Err(io_err(&dir)(e)),
            }
        }
        // Belt and braces: the directory resolves inside the root.
        let real = dir.canonicalize().map_err(io_err(&dir))?;
        if !real.starts_with(&self.root) {
            return Err(LayoutError::NotADirectory(dir));
        }
        let full = real.join(parts.last().expect("not empty"));
        match full.symlink_metadata() {
            Ok(m) if !m.file_type().is_file() => Err(LayoutError::NotAFile(full)),
            _ => Ok(full),
        }
    }

    /// Opens (creating) `rel` for writing without following a symbolic
    /// link at its last component (O_NOFOLLOW), without truncating.
    pub fn open_write(&self, rel: &str) -> Result<File, LayoutError> {
        let full = self.prepare(rel)?;
        let mut o = OpenOptions::new();
        o.read(true).write(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.custom_flags(libc::O_NOFOLLOW).mode(0o644);
        }
        o.open(&full).map_err(io_err(&full))
    }

    /// Moves `from` to `to` (both relative), replacing `to` if it is a file.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), LayoutError> {
        let a = self.prepare(from)?;
        let b = self.prepare(to)?;
        std::fs::rename(&a, &b).map_err(io_err(&b))
    }

    /// Makes `to` the same file as `from`: a hard link, or a copy where
    /// linking fails (another file system, or one without links). An
    /// existing `to` of the same size is kept (a previous run made it).
    pub fn link_or_copy(&self, from: &str, to: &str) -> Result<(), LayoutError> {
        let a = self.prepare(from)?;
        let b = self.prepare(to)?;
        if let Ok(m) = b.symlink_metadata() {
            if m.file_type().is_file() && a.metadata().map(|x| x.len()).ok() == Some(m.len()) {
                return Ok(());
            }
            std::fs::remove_file(&b).map_err(io_err(&b))?;
        }
        if std::fs::hard_link(&a, &b).is_ok() {
            return Ok(());
        }
        let mut src = File::open(&a).map_err(io_err(&a))?;
        let mut dst = self.open_write(to)?;
        dst.set_len(0).map_err(io_err(&b))?;
        io::copy(&mut src, &mut dst).map_err(io_err(&b))?;
        dst.sync_all().map_err(io_err(&b))?;
        Ok(())
    }

    /// Sets a file's modification time to a message's date.
    pub fn set_mtime(&self, rel: &str, unix: i32) -> Result<(), LayoutError> {
        if unix <= 0 {
            return Ok(());
        }
        let full = self.prepare(rel)?;
        let f = OpenOptions::new().write(true).open(&full).map_err(io_err(&full))?;
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(unix as u64);
        f.set_times(std::fs::FileTimes::new().set_modified(t).set_accessed(t)).map_err(io_err(&full))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_desktop_date_part() {
        assert_eq!(date_part(1_577_836_800), "@01-01-2020_00-00-00");
        assert_eq!(date_part(1_751_328_000 - 1), "@30-06-2025_23-59-59");
        assert_eq!(date_part(951_782_400), "@29-02-2000_00-00-00");
        assert_eq!(date_part(0), "");
    }

    #[test]
    fn hostile_names_become_one_safe_component() {
        for (input, want) in [
            ("../../x", "_._.._x"),
            ("/etc/passwd", "_etc_passwd"),
            ("a/b", "a_b"),
            ("CON", "_CON"),
            ("con.txt", "_con.txt"),
            ("LPT1", "_LPT1"),
            ("nul\0byte", "nul_byte"),
            ("line\nbreak.txt", "line_break.txt"),
            ("..", "file"),
            (".", "file"),
            ("", "file"),
            (".hidden", "_hidden"),
            ("trailing. . ", "trailing"),
            ("report.pdf", "report.pdf"),
            ("Привет мир.txt", "Привет мир.txt"),
        ] {
            assert_eq!(sanitize(input), want, "{input:?}");
        }
        let long = format!("{}.bin", "é".repeat(200));
        let s = sanitize(&long);
        assert!(s.len() <= MAX_NAME_BYTES && s.ends_with(".bin"), "{s}");
    }

    #[test]
    fn collisions_get_numbers() {
        let root = std::env::temp_dir().join(format!("takeout-layout-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let mut used = Default::default();
        assert_eq!(unique_path(&root, "d", "a.txt", &mut used), "d/a.txt");
        assert_eq!(unique_path(&root, "d", "A.TXT", &mut used), "d/A (2).TXT");
        assert_eq!(unique_path(&root, "d", "a.txt", &mut used), "d/a (3).txt");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_never_followed() {
        let base = std::env::temp_dir().join(format!("takeout-symlink-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (root, outside) = (base.join("out"), base.join("outside"));
        std::fs::create_dir_all(root.join("chats")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("chats/chat_1")).unwrap();
        std::os::unix::fs::symlink(outside.join("victim"), root.join("f.jpg")).unwrap();
        let out = OutDir::new(&root).unwrap();
        assert!(matches!(out.open_write("chats/chat_1/photos/a.jpg"), Err(LayoutError::NotADirectory(_))));
        assert!(out.open_write("f.jpg").is_err());
        assert!(out.open_write("../x").is_err());
        assert!(out.open_write("/etc/passwd").is_err());
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written outside");
    }
}
