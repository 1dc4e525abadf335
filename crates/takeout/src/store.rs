//! The store: one SQLite file in the output directory, the single source
//! of truth every renderer reads. Messages keep their raw TL bytes
//! (lossless: later renderers can use fields not parsed yet) beside the
//! parsed columns renderers need. A page of messages and the cursor that
//! covers it are written in one transaction, so a kill at any instant loses
//! nothing and duplicates nothing. Schema changes go through numbered
//! migrations recorded in PRAGMA user_version.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

/// The newest schema this build writes.
pub const SCHEMA_VERSION: i64 = 3;

const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started INTEGER NOT NULL,
        finished INTEGER,
        status TEXT NOT NULL,
        options TEXT NOT NULL
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        username TEXT,
        phone TEXT,
        bot INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        is_self INTEGER NOT NULL,
        raw BLOB NOT NULL
    );
    CREATE TABLE chats (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        username TEXT,
        left_chat INTEGER NOT NULL,
        migrated_to INTEGER,
        raw BLOB NOT NULL
    );
    CREATE TABLE dialogs (
        peer TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        left_chat INTEGER NOT NULL,
        only_mine INTEGER NOT NULL
    );
    CREATE TABLE messages (
        peer TEXT NOT NULL,
        id INTEGER NOT NULL,
        date INTEGER NOT NULL,
        edit_date INTEGER,
        from_peer TEXT,
        out INTEGER NOT NULL,
        service INTEGER NOT NULL,
        text TEXT NOT NULL,
        media TEXT,
        reply_to INTEGER,
        raw BLOB NOT NULL,
        PRIMARY KEY (peer, id)
    ) WITHOUT ROWID;
    CREATE TABLE cursors (
        peer TEXT NOT NULL,
        range_min INTEGER NOT NULL,
        range_max INTEGER NOT NULL,
        last_id INTEGER NOT NULL,
        PRIMARY KEY (peer, range_min)
    ) WITHOUT ROWID;
    CREATE TABLE items (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        raw BLOB NOT NULL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    "#,
    // 2: files and their references (store_files.rs).
    crate::store_files::MIGRATION,
    // 3: chat folders and file name counters (store_files.rs).
    crate::store_files::MIGRATION_3,
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error(
        "the store {path} was written by a newer tgtakeout (schema {found}, this build knows up to {SCHEMA_VERSION}); \
         upgrade tgtakeout or export into another directory"
    )]
    Newer { path: PathBuf, found: i64 },
    #[error("{path} is not a tgtakeout store (or is damaged): {source}")]
    Corrupt { path: PathBuf, source: rusqlite::Error },
    #[error("store error: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// A message as the store keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    pub peer: String,
    pub id: i32,
    pub date: i32,
    pub edit_date: Option<i32>,
    pub from_peer: Option<String>,
    pub out: bool,
    pub service: bool,
    pub text: String,
    pub media: Option<String>,
    pub reply_to: Option<i32>,
    pub raw: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub bot: bool,
    pub deleted: bool,
    pub is_self: bool,
    pub raw: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChatRow {
    pub id: i64,
    /// "group", "supergroup", "channel".
    pub kind: String,
    pub title: String,
    pub username: Option<String>,
    pub left: bool,
    pub migrated_to: Option<i64>,
    pub raw: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DialogRow {
    /// "user123", "chat123", "channel123".
    pub peer: String,
    /// Telegram Desktop's chat type: saved_messages, personal_chat,
    /// bot_chat, private_group, private_supergroup, public_supergroup,
    /// private_channel, public_channel.
    pub kind: String,
    pub name: String,
    /// Order in the dialog list (0 = first).
    pub position: i64,
    pub left: bool,
    /// Only the account's own messages are exported from it.
    pub only_mine: bool,
}

pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating and migrating as needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let p = path.to_path_buf();
        let conn = Connection::open(path).map_err(|source| StoreError::Open { path: p.clone(), source })?;
        let corrupt = |source| StoreError::Corrupt { path: p.clone(), source };
        // WAL keeps readers working during an export and makes each commit
        // one sequential append; synchronous=NORMAL is still crash-safe in WAL
        // (a power cut may lose the last commits, never corrupt the file).
        conn.pragma_update(None, "journal_mode", "WAL").map_err(corrupt)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(corrupt)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(corrupt)?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(corrupt)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::Newer { path: p, found });
        }
        let mut store = Store { conn, path: p };
        store.migrate(found)?;
        Ok(store)
    }

    fn migrate(&mut self, from: i64) -> Result<(), StoreError> {
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql).map_err(|source| StoreError::Corrupt { path: self.path.clone(), source })?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn begin_run(&mut self, options_json: &str, now: i64) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO runs (started, status, options) VALUES (?1, 'running', ?2)",
            params![now, options_json],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn finish_run(&mut self, run: i64, status: &str, now: i64) -> Result<(), StoreError> {
        self.conn.execute("UPDATE runs SET finished = ?1, status = ?2 WHERE id = ?3", params![now, status, run])?;
        Ok(())
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// Users and chats come with every page; the newest copy wins.
    pub fn put_peers(&mut self, users: &[UserRow], chats: &[ChatRow]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        write_peers(&tx, users, chats)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces the dialog list (it is fetched whole at each run).
    pub fn put_dialogs(&mut self, dialogs: &[DialogRow]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM dialogs", [])?;
        {
            let mut st = tx.prepare(
                "INSERT INTO dialogs (peer, kind, name, position, left_chat, only_mine) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for d in dialogs {
                st.execute(params![d.peer, d.kind, d.name, d.position, d.left, d.only_mine])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn dialogs(&self) -> Result<Vec<DialogRow>, StoreError> {
        let mut st = self.conn.prepare("SELECT peer, kind, name, position, left_chat, only_mine FROM dialogs ORDER BY position")?;
        let rows = st.query_map([], |r| {
            Ok(DialogRow {
                peer: r.get(0)?,
                kind: r.get(1)?,
                name: r.get(2)?,
                position: r.get(3)?,
                left: r.get(4)?,
                only_mine: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The largest id already stored for `peer` inside the range starting at `range_min`.
    pub fn cursor(&self, peer: &str, range_min: i32) -> Result<Option<i32>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT last_id FROM cursors WHERE peer = ?1 AND range_min = ?2", params![peer, range_min], |r| r.get(0))
            .optional()?)
    }

    /// One page and the cursor that covers it, atomically. Messages
    /// already stored are replaced (an edit fetched again), never doubled.
    pub fn save_page(
        &mut self,
        peer: &str,
        range: (i32, i32),
        messages: &[MessageRow],
        last_id: i32,
        users: &[UserRow],
        chats: &[ChatRow],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT OR REPLACE INTO messages (peer, id, date, edit_date, from_peer, out, service, text, media, reply_to, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for m in messages {
                st.execute(params![
                    m.peer, m.id, m.date, m.edit_date, m.from_peer, m.out, m.service, m.text, m.media, m.reply_to, m.raw
                ])?;
            }
        }
        write_peers(&tx, users, chats)?;
        tx.execute(
            "INSERT INTO cursors (peer, range_min, range_max, last_id) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(peer, range_min) DO UPDATE SET last_id = max(last_id, excluded.last_id), range_max = excluded.range_max",
            params![peer, range.0, range.1, last_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn put_items(&mut self, kind: &str, items: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM items WHERE kind = ?1", [kind])?;
        {
            let mut st = tx.prepare("INSERT OR REPLACE INTO items (kind, key, raw) VALUES (?1, ?2, ?3)")?;
            for (key, raw) in items {
                st.execute(params![kind, key, raw])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces the items of `kind` whose key starts with `group` + "/" (e.g.
    /// one forum's topics), leaving other groups of the same kind alone.
    pub fn put_item_group(&mut self, kind: &str, group: &str, items: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM items WHERE kind = ?1 AND key >= ?2 AND key < ?3", params![kind, format!("{group}/"), format!("{group}0")])?;
        {
            let mut st = tx.prepare("INSERT OR REPLACE INTO items (kind, key, raw) VALUES (?1, ?2, ?3)")?;
            for (key, raw) in items {
                st.execute(params![kind, key, raw])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn items(&self, kind: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut st = self.conn.prepare("SELECT key, raw FROM items WHERE kind = ?1 ORDER BY key")?;
        let rows = st.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn messages_of(&self, peer: &str) -> Result<Vec<MessageRow>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT peer, id, date, edit_date, from_peer, out, service, text, media, reply_to, raw
             FROM messages WHERE peer = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([peer], |r| {
            Ok(MessageRow {
                peer: r.get(0)?,
                id: r.get(1)?,
                date: r.get(2)?,
                edit_date: r.get(3)?,
                from_peer: r.get(4)?,
                out: r.get(5)?,
                service: r.get(6)?,
                text: r.get(7)?,
                media: r.get(8)?,
                reply_to: r.get(9)?,
                raw: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// (id, edit_date) of the stored messages of `peer` within [min, max], ascending.
    pub fn versions(&self, peer: &str, range: (i32, i32)) -> Result<Vec<(i32, Option<i32>)>, StoreError> {
        let mut st = self.conn.prepare("SELECT id, edit_date FROM messages WHERE peer = ?1 AND id BETWEEN ?2 AND ?3 ORDER BY id")?;
        let rows = st.query_map(params![peer, range.0, range.1], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn message_count(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?)
    }

    /// (peer, id) of every stored message, ordered: for comparing stores.
    pub fn message_keys(&self) -> Result<Vec<(String, i32)>, StoreError> {
        let mut st = self.conn.prepare("SELECT peer, id FROM messages ORDER BY peer, id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, first_name, last_name, username, phone, bot, deleted, is_self, raw FROM users ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(UserRow {
                id: r.get(0)?,
                first_name: r.get(1)?,
                last_name: r.get(2)?,
                username: r.get(3)?,
                phone: r.get(4)?,
                bot: r.get(5)?,
                deleted: r.get(6)?,
                is_self: r.get(7)?,
                raw: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn write_peers(tx: &rusqlite::Transaction, users: &[UserRow], chats: &[ChatRow]) -> Result<(), StoreError> {
    let mut su = tx.prepare_cached(
        "INSERT OR REPLACE INTO users (id, first_name, last_name, username, phone, bot, deleted, is_self, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for u in users {
        su.execute(params![u.id, u.first_name, u.last_name, u.username, u.phone, u.bot, u.deleted, u.is_self, u.raw])?;
    }
    let mut sc = tx.prepare_cached(
        "INSERT OR REPLACE INTO chats (id, kind, title, username, left_chat, migrated_to, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in chats {
        sc.execute(params![c.id, c.kind, c.title, c.username, c.left, c.migrated_to, c.raw])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(peer: &str, id: i32) -> MessageRow {
        MessageRow {
            peer: peer.into(),
            id,
            date: id * 10,
            edit_date: None,
            from_peer: None,
            out: false,
            service: false,
            text: format!("m{id}"),
            media: None,
            reply_to: None,
            raw: vec![id as u8],
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("takeout-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d.join("store.sqlite")
    }

    #[test]
    fn page_and_cursor_commit_together_and_never_double() {
        let path = tmp("page");
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.cursor("user1", 1).unwrap(), None);
        s.save_page("user1", (1, i32::MAX), &[msg("user1", 1), msg("user1", 2)], 2, &[], &[]).unwrap();
        s.save_page("user1", (1, i32::MAX), &[msg("user1", 2), msg("user1", 3)], 3, &[], &[]).unwrap();
        assert_eq!(s.cursor("user1", 1).unwrap(), Some(3));
        assert_eq!(s.message_keys().unwrap().len(), 3);
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.messages_of("user1").unwrap()[2].text, "m3");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let path = tmp("newer");
        drop(Store::open(&path).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let e = Store::open(&path).err().unwrap();
        assert!(e.to_string().contains("newer tgtakeout"), "{e}");
    }

    #[test]
    fn garbage_is_refused_clearly() {
        let path = tmp("garbage");
        std::fs::write(&path, b"this is not sqlite, not at all, and it is long enough to have a header").unwrap();
        let e = Store::open(&path).err().unwrap();
        assert!(e.to_string().contains("not a tgtakeout store") || e.to_string().contains("cannot open"), "{e}");
    }
}
