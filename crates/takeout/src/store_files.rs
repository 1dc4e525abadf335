//! The store's file tables: which files exist on the server, how far each
//! download got, and which message (or profile photo, or story) refers to
//! which file under which path. The downloader writes these; renderers read
//! them through [`Store::file_ref`] to print a path or Telegram Desktop's
//! "(File not included…)" note.
//!
//! Two tables, because one server file can be referred to many times:
//! - `files`: one row per distinct server file (`location`, e.g. "doc:123"
//!   or "photo:456"), its dc and size, the download state and the bytes safely
//!   on disk (`offset`), and the first path it was written to.
//! - `file_refs`: one row per reference (owner, item, slot) with its own
//!   relative path (a hard link or copy of the file's first path), or the
//!   reason it was skipped.

use rusqlite::{OptionalExtension, params};

use crate::store::{Store, StoreError};

/// Schema migration 2 (see store::MIGRATIONS).
pub(crate) const MIGRATION: &str = r#"
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        location TEXT NOT NULL UNIQUE,
        dc INTEGER NOT NULL,
        size INTEGER NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        path TEXT,
        offset INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT
    );
    CREATE TABLE file_refs (
        owner TEXT NOT NULL,
        item INTEGER NOT NULL,
        slot TEXT NOT NULL,
        kind TEXT NOT NULL,
        file_id INTEGER,
        status TEXT NOT NULL,
        reason TEXT,
        path TEXT,
        PRIMARY KEY (owner, item, slot)
    ) WITHOUT ROWID;
"#;

/// Owner of a reference that is not a message: the account's profile photos.
pub const OWNER_PROFILE_PHOTOS: &str = "profile_photos";
/// Owner of a reference that is not a message: the account's stories.
pub const OWNER_STORIES: &str = "stories";
/// Slot of a message's (or photo's, or story's) main file.
pub const SLOT_FILE: &str = "file";
/// Slot of a document's thumbnail.
pub const SLOT_THUMB: &str = "thumb";

/// Where a referenced file stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// On disk at `FileRef::path`, complete and verified.
    Done,
    /// Not downloaded by choice (see [`SkipReason`]).
    Skipped(SkipReason),
    /// Telegram could not give it (e.g. LOCATION_INVALID); the text says why.
    Unavailable(String),
    /// Not downloaded yet (the export was stopped before it got there).
    Pending,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Files were not exported at all (the takeout's `files` flag was off).
    FilesOff,
    /// Its media kind was not selected.
    Kind,
    /// Larger than the chosen maximum file size.
    Size,
}

impl SkipReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            SkipReason::FilesOff => "files_off",
            SkipReason::Kind => "kind",
            SkipReason::Size => "size",
        }
    }
    pub fn parse(s: &str) -> Option<SkipReason> {
        Some(match s {
            "files_off" => SkipReason::FilesOff,
            "kind" => SkipReason::Kind,
            "size" => SkipReason::Size,
            _ => return None,
        })
    }
}

/// One reference to a file, as renderers need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    /// Telegram Desktop's media kind: photo, video_file, voice_message,
    /// round_video_message, sticker, animation, file, profile_photo, story.
    pub kind: String,
    pub status: FileStatus,
    /// Relative to the output directory, '/'-separated; Some when Done.
    pub path: Option<String>,
    /// Size in bytes as the server announced it, when known.
    pub size: Option<i64>,
}

impl Store {
    /// The reference `(owner, item, slot)`: owner is a message's peer
    /// ("user123", "chat5", "channel9") or [`OWNER_PROFILE_PHOTOS`] /
    /// [`OWNER_STORIES`]; item the message, photo or story id.
    pub fn file_ref(&self, owner: &str, item: i64, slot: &str) -> Result<Option<FileRef>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT r.kind, r.status, r.reason, r.path, f.size
             FROM file_refs r LEFT JOIN files f ON f.id = r.file_id
             WHERE r.owner = ?1 AND r.item = ?2 AND r.slot = ?3",
        )?;
        let row = st
            .query_row(params![owner, item, slot], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })
            .optional()?;
        Ok(row.map(|(kind, status, reason, path, size)| {
            let status = match status.as_str() {
                "done" => FileStatus::Done,
                "skipped" => FileStatus::Skipped(reason.as_deref().and_then(SkipReason::parse).unwrap_or(SkipReason::Kind)),
                "unavailable" => FileStatus::Unavailable(reason.unwrap_or_default()),
                _ => FileStatus::Pending,
            };
            FileRef { kind, status, path, size }
        }))
    }
}
