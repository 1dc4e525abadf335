//! takeout: the tgtakeout export engine.
//!
//! It takes a whole Telegram account through a takeout session into a
//! local SQLite store, resumably and incrementally, and knows nothing of
//! terminals or of the MTProto client library.
//!
//! Layout:
//! - [`api`]: the one narrow trait through which the engine talks to
//!   Telegram (implemented with grammers in `takeout-telegram`, so this
//!   crate is testable without a network).
//! - [`client`]: takeout wrapping, our retry policy, renewal of an
//!   invalidated takeout; [`limiter`]: adaptive concurrency.
//! - [`options`]: what to export (flags, chat types, selection, dates).
//! - [`export`]: one export, start to finish; [`parse`]: TL to rows.
//! - [`files`]: every file the stored data refers to — selected by kind
//!   and size or recorded as skipped, fetched in parallel parts, resumable
//!   to the byte, written in Telegram Desktop's layout, never outside the
//!   output directory.
//! - [`store`]: the SQLite store, migrations, page+cursor transactions;
//!   [`store_files`]: the file tables (downloads and references).
//! - [`progress`]: events the engine reports; [`error`]: why it stopped.

pub mod api;
pub mod client;
pub mod error;
pub mod export;
pub mod files;
pub mod limiter;
pub mod options;
pub mod parse;
pub mod progress;
pub mod store;
pub mod store_files;
pub mod store_read;

pub use error::ExportError;
pub use export::{Summary, export, export_until};
pub use options::{ExportOptions, Flags};
pub use store::Store;
