//! The server half of MTProto 2.0: transports, key derivation, service
//! messages and request dispatch, with no Telegram business logic.
//!
//! Written by hand because no crate implements this side: grammers and
//! Telethon are clients (grammers-crypto can only encrypt as a client and
//! decrypt as a client), and the server implementations that exist are not
//! libraries. Only AES-IGE (grammers-crypto) and two TL enums
//! (grammers-tl-types, for initConnection's optional fields) are reused.
//!
//! There is no key exchange: clients use pre-provisioned keys held in a
//! [`KeyRing`]. Everything here was checked against what grammers 0.11 and
//! Telethon 1.45 send and expect (see `API.md` and the design notes).
//!
//! Layout, one job per module:
//!
//! - [`transport`]: framing (Full, Intermediate, Padded Intermediate,
//!   Abridged), detected from a connection's first bytes, decoded
//!   incrementally.
//! - [`crypto`]: [`AuthKey`], the MTProto 2.0 KDF, msg_key, in-place
//!   encryption and verified decryption for both directions.
//! - [`keyring`]: the accepted keys and the layer remembered per key.
//! - [`message`]: plaintext layout, msg_id/seq_no generation, service
//!   message constructors and parsers.
//! - [`wrappers`]: peeling invokeWithLayer / initConnection /
//!   invokeWithoutUpdates / invokeAfterMsg(s) / gzip_packed.
//! - `handler`: the [`Handler`] trait the business side implements.
//! - `server` and `connection`: the listener, and per connection a reader
//!   task (decode, decrypt, service messages, one task per request) and a
//!   writer task (msg_ids, encryption, batching, containers).
//! - [`error`]: the crate's error type.

pub mod crypto;
pub mod error;
pub mod keyring;
pub mod message;
pub mod transport;
pub mod wrappers;

mod connection;
mod handler;
mod random;
mod server;

pub use crypto::AuthKey;
pub use error::Error;
pub use handler::{CallContext, Handler, Reply};
pub use keyring::{KeyEntry, KeyRing};
pub use server::{MAX_CLIENT_READ, Server, ServerConfig};
