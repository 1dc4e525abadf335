//! takeout-telegram: the engine's connection to Telegram, made with
//! grammers, and the session file that says where to connect and with
//! which keys.
//!
//! Why a crate of its own: it is the only crate of the client side that
//! touches grammers. The engine (`takeout`) sees Telegram only through its
//! narrow [`takeout::api::Api`] trait (serialized request in, serialized
//! answer or [`takeout::api::ApiError`] out), so it can be tested without a
//! network and without grammers' behaviour (retries, migrations, updates)
//! creeping into its logic; and a grammers upgrade touches this crate only.
//!
//! Layout:
//! - [`session`]: [`SessionFile`], the reader and writer of the session
//!   file (format "tgtakeout-session" v1, docs/session-file.md). It refuses
//!   files others may read, never quotes a file in an error, and never
//!   prints a key.
//! - [`client`]: [`TelegramApi`], the [`takeout::api::Api`] implementation
//!   over one or more grammers sender pools (one TCP connection per dc
//!   each), with grammers' own retries switched off: the engine has its
//!   own policy. It carries the sign-in to every other dc it is sent to
//!   (auth.exportAuthorization / importAuthorization).
//! - [`login`]: signing in (code, two-step password over SRP, *_MIGRATE
//!   followed), who is signed in, signing out.

pub mod client;
pub mod login;
/// The session file (the `session-file` crate, shared with fakedc).
pub use session_file as session;

pub use client::{ClientOptions, ConnectError, SessionWatch, TelegramApi, telegram_session};
pub use login::{LoginError, SentCode, SignIn, UserInfo};
pub use session::{AuthKey, DcEntry, SessionError, SessionFile};
