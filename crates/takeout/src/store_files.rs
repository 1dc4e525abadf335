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

/// Schema migration 3: the number of each chat's folder, kept so a chat
/// lands in the same `chats/chat_NNN/` on every incremental run, and the
/// per-folder counters behind Telegram Desktop's generated names
/// (photo_N@…, video_N@…), kept so a new run never reuses a number.
pub(crate) const MIGRATION_3: &str = r#"
    CREATE TABLE chat_folders (
        peer TEXT PRIMARY KEY,
        number INTEGER NOT NULL UNIQUE,
        folder TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE name_counters (
        scope TEXT PRIMARY KEY,
        next INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX file_refs_by_file ON file_refs (file_id);
"#;

/// A row of `files`, as the downloader needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRow {
    pub id: i64,
    pub status: String,
    /// Where it is (or is being) downloaded, relative to the output directory.
    pub path: Option<String>,
    /// Bytes safely on disk (fsynced) at the start of `path` + ".part".
    pub offset: i64,
    pub size: i64,
}

/// A row of `file_refs` (without its key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefRow {
    pub kind: String,
    pub file_id: Option<i64>,
    pub status: String,
    pub reason: Option<String>,
    pub path: Option<String>,
}

impl Store {
    /// Opens a write transaction on the store's connection (the file
    /// planner writes thousands of rows; one commit instead of thousands).
    pub(crate) fn begin(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    pub(crate) fn commit(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    /// The folder of each peer ("chats/chat_007"): existing ones kept, new
    /// peers numbered after the largest number, in the given order. Zero
    /// padded to the width of the total count, as Telegram Desktop pads.
    pub fn assign_chat_folders(&mut self, peers: &[String]) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut out = std::collections::HashMap::new();
        {
            let mut st = tx.prepare("SELECT peer, folder FROM chat_folders")?;
            for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
                let (p, f) = row?;
                out.insert(p, f);
            }
            let mut next: i64 = tx.query_row("SELECT coalesce(max(number), 0) FROM chat_folders", [], |r| r.get(0))?;
            let width = (out.len() + peers.iter().filter(|p| !out.contains_key(*p)).count()).max(1).to_string().len();
            let mut ins = tx.prepare("INSERT INTO chat_folders (peer, number, folder) VALUES (?1, ?2, ?3)")?;
            for p in peers {
                if out.contains_key(p) {
                    continue;
                }
                next += 1;
                let folder = format!("chats/chat_{next:0width$}");
                ins.execute(params![p, next, folder])?;
                out.insert(p.clone(), folder);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// The next number of a generated name in `scope` (e.g.
    /// "chats/chat_01/photo"), starting at 1.
    pub(crate) fn next_name_index(&self, scope: &str) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "INSERT INTO name_counters (scope, next) VALUES (?1, 2)
             ON CONFLICT(scope) DO UPDATE SET next = next + 1 RETURNING next - 1",
            [scope],
            |r| r.get(0),
        )?)
    }

    /// Every path already given to a reference or a file (lowercase, so
    /// that names differing only in case never meet on a case-insensitive
    /// file system).
    pub(crate) fn used_paths(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut st = self.conn.prepare("SELECT path FROM file_refs WHERE path IS NOT NULL UNION SELECT path FROM files WHERE path IS NOT NULL")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = std::collections::HashSet::new();
        for r in rows {
            out.insert(r?.to_lowercase());
        }
        Ok(out)
    }

    pub fn file_by_location(&self, location: &str) -> Result<Option<FileRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, status, path, offset, size FROM files WHERE location = ?1")?
            .query_row([location], file_row)
            .optional()?)
    }

    pub fn file_by_id(&self, id: i64) -> Result<Option<FileRow>, StoreError> {
        Ok(self.conn.prepare_cached("SELECT id, status, path, offset, size FROM files WHERE id = ?1")?.query_row([id], file_row).optional()?)
    }

    /// Adds a server file (pending, to be downloaded to `path`).
    pub(crate) fn insert_file(&self, location: &str, dc: i32, size: i64, path: &str) -> Result<FileRow, StoreError> {
        self.conn.prepare_cached("INSERT INTO files (location, dc, size, status, path) VALUES (?1, ?2, ?3, 'pending', ?4)")?.execute(params![
            location, dc, size, path
        ])?;
        Ok(FileRow { id: self.conn.last_insert_rowid(), status: "pending".into(), path: Some(path.into()), offset: 0, size })
    }

    pub fn ref_row(&self, owner: &str, item: i64, slot: &str) -> Result<Option<RefRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT kind, file_id, status, reason, path FROM file_refs WHERE owner = ?1 AND item = ?2 AND slot = ?3")?
            .query_row(params![owner, item, slot], |r| {
                Ok(RefRow { kind: r.get(0)?, file_id: r.get(1)?, status: r.get(2)?, reason: r.get(3)?, path: r.get(4)? })
            })
            .optional()?)
    }

    pub(crate) fn put_ref(&self, owner: &str, item: i64, slot: &str, r: &RefRow) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO file_refs (owner, item, slot, kind, file_id, status, reason, path)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![owner, item, slot, r.kind, r.file_id, r.status, r.reason, r.path])?;
        Ok(())
    }

    /// Records the bytes safely on disk (call only after they were fsynced).
    pub(crate) fn file_progress(&self, id: i64, offset: i64) -> Result<(), StoreError> {
        self.conn.prepare_cached("UPDATE files SET offset = ?2 WHERE id = ?1 AND offset < ?2")?.execute(params![id, offset])?;
        Ok(())
    }

    /// The file is complete at its path: the file and the reference that
    /// owns that path are done.
    pub(crate) fn file_done(&self, id: i64, sha256: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE files SET status = 'done', offset = size, sha256 = ?2, reason = NULL WHERE id = ?1",
            params![id, sha256],
        )?;
        self.conn.execute(
            "UPDATE file_refs SET status = 'done', reason = NULL WHERE file_id = ?1 AND path = (SELECT path FROM files WHERE id = ?1)",
            [id],
        )?;
        Ok(())
    }

    /// Telegram cannot give the file: it and its pending references are unavailable.
    pub(crate) fn file_unavailable(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        self.conn.execute("UPDATE files SET status = 'unavailable', reason = ?2 WHERE id = ?1", params![id, reason])?;
        self.conn.execute(
            "UPDATE file_refs SET status = 'unavailable', reason = ?2 WHERE file_id = ?1 AND status = 'pending'",
            params![id, reason],
        )?;
        Ok(())
    }

    pub(crate) fn ref_done(&self, owner: &str, item: i64, slot: &str) -> Result<(), StoreError> {
        self.conn.prepare_cached("UPDATE file_refs SET status = 'done', reason = NULL WHERE owner = ?1 AND item = ?2 AND slot = ?3")?.execute(
            params![owner, item, slot],
        )?;
        Ok(())
    }

    /// References still waiting whose file is done: (owner, item, slot,
    /// the reference's path, the file's path), to be linked.
    pub(crate) fn refs_to_link(&self) -> Result<Vec<(String, i64, String, String, String)>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT r.owner, r.item, r.slot, r.path, f.path FROM file_refs r JOIN files f ON f.id = r.file_id
             WHERE r.status = 'pending' AND f.status = 'done' AND r.path IS NOT NULL AND f.path IS NOT NULL",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// References by status, and skipped ones by reason ("skipped_size", …),
    /// for the summary.
    pub fn file_ref_counts(&self) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT CASE WHEN status = 'skipped' THEN 'skipped_' || coalesce(reason, 'kind') ELSE status END, count(*)
             FROM file_refs GROUP BY 1",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The message range (from the cursors) to re-fetch message `id` of
    /// `peer` in: the one containing it, else the last one (channels).
    pub(crate) fn range_of(&self, peer: &str, id: i32) -> Result<Option<(i32, i32)>, StoreError> {
        let found = self
            .conn
            .query_row(
                "SELECT range_min, range_max FROM cursors WHERE peer = ?1 AND ?2 BETWEEN range_min AND range_max",
                params![peer, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
        Ok(self
            .conn
            .query_row("SELECT range_min, range_max FROM cursors WHERE peer = ?1 ORDER BY range_max DESC LIMIT 1", [peer], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// The raw TL of a stored chat (for a channel's access hash).
    pub(crate) fn chat_raw(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.conn.query_row("SELECT raw FROM chats WHERE id = ?1", [id], |r| r.get(0)).optional()?)
    }

    /// (id, date, raw) of up to `limit` of a peer's messages that have
    /// media, with ids above `after`, ascending (paged, so a chat of any
    /// size is planned in bounded memory).
    pub(crate) fn media_messages(&self, peer: &str, after: i32, limit: i64) -> Result<Vec<(i32, i32, Vec<u8>)>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, date, raw FROM messages WHERE peer = ?1 AND media IS NOT NULL AND id > ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = st.query_map(params![peer, after, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn file_row(r: &rusqlite::Row) -> rusqlite::Result<FileRow> {
    Ok(FileRow { id: r.get(0)?, status: r.get(1)?, path: r.get(2)?, offset: r.get(3)?, size: r.get(4)? })
}
