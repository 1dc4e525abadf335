//! Where a message's file is, or why it is not there, read only through
//! the store's file references. The notes are Telegram Desktop's words.

use takeout::Store;
use takeout::store::StoreError;
use takeout::store_files::{FileStatus, SkipReason};

/// What to write for one file slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileOut {
    /// Relative path under the output directory ('/'-separated).
    Path(String),
    /// Not downloaded: Telegram Desktop's note.
    Note(&'static str),
}

impl FileOut {
    pub fn as_str(&self) -> &str {
        match self {
            FileOut::Path(p) => p,
            FileOut::Note(n) => n,
        }
    }
}

pub const NOT_INCLUDED: &str = "(File not included. Change data exporting settings to download.)";
pub const TOO_BIG: &str = "(File exceeds maximum size. Change data exporting settings to download.)";
pub const UNAVAILABLE: &str = "(File unavailable, please try again later)";
pub const PHOTO_NOT_INCLUDED: &str = "(Photo not included. Change data exporting settings to download.)";
pub const PHOTO_TOO_BIG: &str = "(Photo exceeds maximum size. Change data exporting settings to download.)";
pub const PHOTO_UNAVAILABLE: &str = "(Photo unavailable, please try again later)";

/// The path or note of `(owner, item, slot)`; `photo_words` picks the
/// "(Photo …)" wording used for profile pictures and stories.
pub fn resolve(store: &Store, owner: &str, item: i64, slot: &str, photo_words: bool) -> Result<FileOut, StoreError> {
    let (not_included, too_big, unavailable) =
        if photo_words { (PHOTO_NOT_INCLUDED, PHOTO_TOO_BIG, PHOTO_UNAVAILABLE) } else { (NOT_INCLUDED, TOO_BIG, UNAVAILABLE) };
    let Some(r) = store.file_ref(owner, item, slot)? else {
        // Nothing recorded: the file was never part of this export.
        return Ok(FileOut::Note(not_included));
    };
    Ok(match (r.status, r.path) {
        (FileStatus::Done, Some(p)) if safe_relative(&p) => FileOut::Path(p),
        (FileStatus::Done, _) => FileOut::Note(unavailable),
        (FileStatus::Skipped(SkipReason::Size), _) => FileOut::Note(too_big),
        (FileStatus::Skipped(_), _) => FileOut::Note(not_included),
        // Unavailable on the server, or not downloaded yet (stopped early).
        (FileStatus::Unavailable(_), _) | (FileStatus::Pending, _) => FileOut::Note(unavailable),
    })
}

/// A relative, '/'-separated path that stays inside the output directory.
/// The downloader sanitizes names; this is a second line for the HTML.
pub fn safe_relative(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains(':')
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}
