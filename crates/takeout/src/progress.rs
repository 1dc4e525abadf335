//! Progress is an interface the engine calls, so the engine holds no
//! terminal code: the CLI draws bars on a terminal and prints plain lines
//! otherwise; tests record events.

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A new stage ("dialogs", "contacts", "messages", ...).
    Stage(&'static str),
    /// Chats to fetch in this run and messages Telegram reports for them.
    ChatsPlanned { chats: usize },
    ChatDone { name: String, messages: u64 },
    /// New messages stored (running total increments).
    Messages(u64),
    FloodWait { seconds: u32 },
    Retry { reason: String },
    /// The takeout session was replaced (TAKEOUT_INVALID) and the export goes on.
    TakeoutRenewed,
    /// Waiting out TAKEOUT_INIT_DELAY: seconds left.
    DelayCountdown { seconds: u64 },
    /// Files to fetch in this run and their bytes still missing.
    FilesPlanned { files: u64, bytes: u64 },
    /// File bytes written (running total increments).
    FileBytes(u64),
    /// A file is complete at `path` (relative to the output directory).
    FileDone { path: String },
    /// Telegram could not give a file; recorded, and the export goes on.
    FileUnavailable { path: String, reason: String },
}

pub trait Progress: Send + Sync {
    fn event(&self, event: Event);
}

/// Ignores everything (`--quiet`, and tests that do not care).
pub struct Silent;

impl Progress for Silent {
    fn event(&self, _: Event) {}
}
