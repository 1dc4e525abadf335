//! The one error type of the crate.
//!
//! Every variant that ends a connection carries enough data to tell from a
//! single log line what the client sent; none carries key material.

use std::io;

/// Why a frame, message or request could not be served.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- transport -------------------------------------------------------
    /// A length field that no valid frame of this transport can have.
    #[error("transport: bad frame length {len}")]
    BadFrameLength { len: i64 },

    /// A frame larger than the configured limit (checked before it arrives
    /// in full, so a hostile length cannot make the server buffer it).
    #[error("transport: frame of {len} bytes exceeds the limit of {max}")]
    FrameTooLarge { len: usize, max: usize },

    /// Full transport: the client's frame counter skipped or repeated.
    #[error("transport: bad seq (expected {expected}, got {got})")]
    BadSeq { expected: i32, got: i32 },

    /// Full transport: checksum mismatch.
    #[error("transport: bad crc32 (computed {computed:#010x}, got {got:#010x})")]
    BadCrc { computed: u32, got: u32 },

    // --- encryption ------------------------------------------------------
    /// auth_key_id 0: the client wants a key exchange, which this server
    /// cannot do (clients only work with pre-provisioned keys here).
    #[error("plain (unencrypted) message: key exchange is not supported")]
    PlainMessage,

    /// The auth_key_id is not in the key ring.
    #[error("unknown auth key id {id:#018x}")]
    UnknownAuthKey { id: u64 },

    /// An encrypted payload must be 8 + 16 + 16k bytes, k >= 1.
    #[error("encrypted payload of {len} bytes is not 24 + 16k")]
    BadCiphertextLength { len: usize },

    /// The payload names a different key than the one used to open it.
    #[error("auth key id mismatch (expected {expected:#018x}, got {got:#018x})")]
    AuthKeyMismatch { expected: u64, got: u64 },

    /// The msg_key does not match the decrypted plaintext: wrong key or
    /// tampered ciphertext.
    #[error("msg_key mismatch")]
    MsgKeyMismatch,

    // --- message layout --------------------------------------------------
    /// The plaintext's message_data_length is negative, unaligned or
    /// points past the plaintext.
    #[error("bad message length {declared} (plaintext holds {available} bytes after the header)")]
    BadMessageLength { declared: i32, available: usize },

    /// MTProto 2.0 requires 12..=1024 bytes of padding.
    #[error("bad padding length {padding} (must be 12..=1024)")]
    BadPadding { padding: usize },

    /// A TL structure ended early.
    #[error("truncated {what}: need {need} bytes, have {have}")]
    Truncated {
        what: &'static str,
        need: usize,
        have: usize,
    },

    /// A msg_container inside a msg_container.
    #[error("nested msg_container")]
    NestedContainer,

    /// A TL value whose structure is invalid.
    #[error("malformed {what}: {detail}")]
    Malformed { what: &'static str, detail: String },

    /// gzip_packed data that does not inflate.
    #[error("gzip_packed: {detail}")]
    Gzip { detail: String },

    /// gzip_packed data that inflates beyond the limit (a zip bomb, or a
    /// request no client would send).
    #[error("gzip_packed inflates beyond {limit} bytes")]
    GzipTooLarge { limit: usize },

    /// More nested wrappers or gzip layers than any client sends.
    #[error("{what} nested deeper than {limit}")]
    TooDeep { what: &'static str, limit: usize },

    // --- runtime ---------------------------------------------------------
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
}

pub type Result<T> = std::result::Result<T, Error>;
