//! Read-only views of the store for renderers: messages streamed one at a
//! time in id order (memory does not grow with a chat's length), and the
//! small tables (chats, users) whole.

use rusqlite::params;

use crate::store::{ChatRow, Store, StoreError};

/// One stored message as a renderer sees it; `raw` borrows SQLite's buffer
/// for the duration of the callback, so nothing is copied per row.
#[derive(Debug)]
pub struct MessageView<'a> {
    pub id: i32,
    pub date: i32,
    pub edit_date: Option<i32>,
    /// The message's TL bytes (`Message` or `MessageService`).
    pub raw: &'a [u8],
}

impl Store {
    /// Calls `f` for each message of `peer` in ascending id order, stopping
    /// at the first error `f` returns.
    pub fn for_each_message<E: From<StoreError>>(
        &self,
        peer: &str,
        mut f: impl FnMut(&MessageView<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id, date, edit_date, raw FROM messages WHERE peer = ?1 ORDER BY id")
            .map_err(StoreError::from)?;
        let mut rows = st.query([peer]).map_err(StoreError::from)?;
        while let Some(r) = rows.next().map_err(StoreError::from)? {
            let raw = r.get_ref(3).map_err(StoreError::from)?.as_blob().map_err(|e| StoreError::from(rusqlite::Error::from(e)))?;
            let view = MessageView {
                id: r.get(0).map_err(StoreError::from)?,
                date: r.get(1).map_err(StoreError::from)?,
                edit_date: r.get(2).map_err(StoreError::from)?,
                raw,
            };
            f(&view)?;
        }
        Ok(())
    }

    /// The ids of `peer`'s stored messages, ascending (4 bytes each: used to
    /// find which page a reply's target is on).
    pub fn message_ids(&self, peer: &str) -> Result<Vec<i32>, StoreError> {
        let mut st = self.conn.prepare_cached("SELECT id FROM messages WHERE peer = ?1 ORDER BY id")?;
        let rows = st.query_map([peer], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many messages of `peer` are stored.
    pub fn message_count_of(&self, peer: &str) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM messages WHERE peer = ?1", params![peer], |r| r.get(0))?)
    }

    /// Every stored chat (basic groups, supergroups, channels), by id.
    pub fn chats(&self) -> Result<Vec<ChatRow>, StoreError> {
        let mut st = self.conn.prepare("SELECT id, kind, title, username, left_chat, migrated_to, raw FROM chats ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(ChatRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                title: r.get(2)?,
                username: r.get(3)?,
                left: r.get(4)?,
                migrated_to: r.get(5)?,
                raw: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// The options (JSON) of the latest export run, if any.
    pub fn last_run_options(&self) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self.conn.query_row("SELECT options FROM runs ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).optional()?)
    }

    /// The media folder the files downloader gave each chat ("chats/chat_01"),
    /// by peer key; empty when no files were downloaded.
    pub fn chat_folders(&self) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let mut st = self.conn.prepare("SELECT peer, folder FROM chat_folders")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
