//! fakedc: a Telegram-compatible data centre on loopback.
//!
//! It speaks real MTProto 2.0 (through the `mtproto-server` crate) to real
//! clients — grammers, Telethon — and serves a synthetic account, so every
//! test, benchmark and demo of tgtakeout runs with no internet.
//!
//! Layout:
//! - [`world`]: the synthetic account (model, seeded generator, JSON files,
//!   deterministic file bytes). No TL, no networking.
//! - [`tl`]: world values turned into TL objects, one file per area.
//! - [`methods`]: Telegram methods, one file per area, and the routing table.
//! - [`service`]: the mtproto-server `Handler`: peels takeout wrappers,
//!   counts, routes, answers.
//! - [`srp`]: the server half of the two-step password check (SRP).
//! - [`faults`]: injected misbehaviour (drops, errors, latency).
//! - [`takeout`], [`stats`], [`clock`]: the server-side state methods share.
//! - [`dc`]: starting and inspecting a running fakedc (the in-process API).
//! - [`session_file`]: the JSON file that tells a client where to connect
//!   and which key to use (docs/session-file.md).
//!
//! The binary (`src/main.rs`) is a thin clap front over [`dc`].

pub mod clock;
pub mod dc;
pub mod error;
pub mod faults;
pub mod filerefs;
pub mod methods;
pub mod service;
pub mod srp;
/// The session file (the `session-file` crate, shared with tgtakeout).
pub use session_file;
pub mod stats;
pub mod takeout;
pub mod tl;
pub mod world;

pub use dc::{Config, FakeDc};
pub use world::World;
