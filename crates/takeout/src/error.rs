//! Why an export stopped, in words a person can act on.

use std::time::SystemTime;

use crate::api::ApiError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "Telegram asks to wait before exporting: for your security, every device of this account was notified, \
         and the export can start in {}", human_duration(*seconds)
    )]
    TakeoutDelay { seconds: u64 },
    #[error("this account is a bot; Telegram does not let bots export their data")]
    Bot,
    #[error("{0}")]
    Api(ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("interrupted; what was exported so far is kept, and the same command continues from there")]
    Interrupted,
    #[error("no chat matches {0:?}; check the id, @username or name")]
    NoMatch(String),
    #[error(transparent)]
    Files(#[from] crate::files::FilesError),
}

impl ExportError {
    /// When the delay ends, as unix seconds.
    pub fn ready_at(&self, now: SystemTime) -> Option<SystemTime> {
        match self {
            ExportError::TakeoutDelay { seconds } => Some(now + std::time::Duration::from_secs(*seconds)),
            _ => None,
        }
    }
}

pub fn human_duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h {m} min"),
    }
}
