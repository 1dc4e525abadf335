//! takeout-render: Telegram Desktop-compatible result.json and a safe,
//! offline HTML archive, rendered from a tgtakeout store at any time
//! without touching Telegram.
//!
//! Layout:
//! - [`message`]: a stored message's TL decoded into what writers print;
//!   [`text`]: UTF-16 entity slicing into text parts; [`peers`]: names and
//!   the chat list (upgraded groups folded into their supergroup);
//!   [`files`]: paths or Telegram Desktop's notes from the file references;
//!   [`dates`]: local or UTC dates.
//! - [`json`] + [`jsonw`]: result.json; [`html`]: the HTML archive.
//!
//! Both writers stream: one message is decoded, written and dropped at a
//! time, so memory does not grow with the number of messages. Output is
//! deterministic: the same store gives byte-identical files.
//!
//! result.json follows Telegram Desktop's export code byte for byte, its
//! quirks included (see [`json`]), with one deliberate deviation: control
//! characters are escaped \u00XX where Telegram Desktop writes \xNN, which
//! is not valid JSON. Known differences left: phone numbers are "+digits"
//! (Telegram Desktop groups them by the server's country patterns), and
//! gift and gift-code actions are written without their action.

pub mod dates;
pub mod files;
pub mod html;
pub mod json;
pub mod jsonw;
pub mod message;
pub mod peers;
pub mod text;

use std::path::{Path, PathBuf};

use takeout::Store;
use takeout::store::StoreError;

pub use dates::Dates;
use message::Msg;
use peers::{ChatEntry, MIGRATED_ID_SHIFT, Peers};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Decode(#[from] message::DecodeError),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// Internal: a writer stopped the message stream (its own error is kept apart).
    #[error("stopped")]
    Stopped,
}

impl RenderError {
    pub fn io(path: &Path, source: std::io::Error) -> RenderError {
        RenderError::Io { path: path.to_path_buf(), source }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Html,
}

impl Format {
    /// "json" or "html".
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "html" => Some(Format::Html),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub formats: Vec<Format>,
    /// Dates in UTC instead of local time.
    pub utc: bool,
}

/// What one render wrote.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct RenderSummary {
    pub chats: usize,
    pub json_messages: Option<u64>,
    pub html_messages: Option<u64>,
    pub html_pages: Option<u64>,
}

/// What every writer needs: the store, names, the chat list, dates.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub peers: Peers,
    pub chats: Vec<ChatEntry>,
    pub dates: Dates,
    /// Exactly one chat was selected for export: Telegram Desktop's
    /// single-chat result.json (the chat object alone).
    pub single_chat: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(store: &'a Store, utc: bool) -> Result<Ctx<'a>, RenderError> {
        let peers = Peers::load(store)?;
        let chats = peers::chat_list(store, &peers)?;
        let selected = store
            .last_run_options()?
            .and_then(|o| serde_json::from_str::<serde_json::Value>(&o).ok())
            .and_then(|v| v.get("include").and_then(|i| i.as_array()).map(|a| !a.is_empty()))
            .unwrap_or(false);
        let single_chat = selected && chats.len() == 1;
        Ok(Ctx { store, peers, chats, dates: Dates { utc }, single_chat })
    }

    /// Every message of a chat in output order (an upgraded group's
    /// messages first, their ids shifted as Telegram Desktop shifts them),
    /// decoded one at a time; `f` gets the file owner ("chat5") and the message.
    pub fn each_message(&self, c: &ChatEntry, mut f: impl FnMut(&str, &Msg) -> Result<(), RenderError>) -> Result<(), RenderError> {
        let mut parts: Vec<(&str, i64)> = Vec::new();
        if let Some(from) = &c.migrated_from {
            parts.push((from, MIGRATED_ID_SHIFT));
        }
        parts.push((&c.peer, 0));
        for (peer, shift) in parts {
            self.store.for_each_message(peer, |v| {
                let m = message::decode(peer, v.id, v.raw, shift)?;
                f(peer, &m)
            })?;
        }
        Ok(())
    }
}

/// Renders `store` into `out` in the chosen formats.
pub fn render(store: &Store, out: &Path, options: &RenderOptions) -> Result<RenderSummary, RenderError> {
    std::fs::create_dir_all(out).map_err(|e| RenderError::io(out, e))?;
    let ctx = Ctx::new(store, options.utc)?;
    let mut summary = RenderSummary { chats: ctx.chats.len(), ..Default::default() };
    if options.formats.contains(&Format::Json) {
        summary.json_messages = Some(json::write(&ctx, out)?);
    }
    if options.formats.contains(&Format::Html) {
        let (messages, pages) = html::write(&ctx, out)?;
        summary.html_messages = Some(messages);
        summary.html_pages = Some(pages);
    }
    Ok(summary)
}
