//! The plaintext inside an encrypted message, and the MTProto service
//! messages around RPCs.
//!
//! Plaintext layout:
//! `salt:i64 | session_id:i64 | msg_id:i64 | seq_no:i32 | len:i32 | body | padding`.
//!
//! Constructors are hand-written (little-endian TL) instead of going
//! through grammers-tl-types: the writer emits them straight into its frame
//! buffer, and several (rpc_result, msg_container, gzip_packed) carry raw
//! objects that generated types cannot express.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use flate2::Compression;

use crate::error::{Error, Result};

/// salt + session_id + msg_id + seq_no + length.
pub const PLAIN_HEADER_LEN: usize = 8 + 8 + 8 + 4 + 4;
/// msg_id + seq_no + length of a message inside a container.
pub const INNER_HEADER_LEN: usize = 8 + 4 + 4;
/// The salt this server always sends, and the one pre-provisioned clients
/// start with: a non-zero salt makes grammers ask for future salts first.
pub const SALT: i64 = 0;

/// Constructor ids of the MTProto service layer.
pub mod id {
    pub const RPC_RESULT: u32 = 0xf35c6d01;
    pub const RPC_ERROR: u32 = 0x2144ca19;
    pub const PONG: u32 = 0x347773c5;
    pub const MSG_CONTAINER: u32 = 0x73f1f8dc;
    pub const GZIP_PACKED: u32 = 0x3072cfa1;
    pub const MSGS_ACK: u32 = 0x62d6b459;
    pub const FUTURE_SALTS: u32 = 0xae500895;
    /// Only ever bare inside future_salts: grammers panics on a top-level one.
    pub const FUTURE_SALT: u32 = 0x0949d9dc;
    pub const DESTROY_SESSION_OK: u32 = 0xe22045fc;
    pub const DESTROY_SESSION_NONE: u32 = 0x62d350c9;
    pub const RPC_ANSWER_UNKNOWN: u32 = 0x5e2ad36e;
    pub const VECTOR: u32 = 0x1cb5c415;

    pub const PING: u32 = 0x7abe77ec;
    pub const PING_DELAY_DISCONNECT: u32 = 0xf3427b8c;
    pub const GET_FUTURE_SALTS: u32 = 0xb921bd04;
    pub const DESTROY_SESSION: u32 = 0xe7512126;
    pub const RPC_DROP_ANSWER: u32 = 0x58e4a740;
    pub const MSGS_STATE_REQ: u32 = 0xda69fb52;
    pub const MSGS_STATE_INFO: u32 = 0x04deb57d;
    pub const MSGS_ALL_INFO: u32 = 0x8cc0d131;
    pub const MSG_RESEND_REQ: u32 = 0x7d861a08;
    pub const MSG_RESEND_ANS_REQ: u32 = 0x8610baeb;
    pub const MSG_COPY: u32 = 0xe06046b2;
    pub const HTTP_WAIT: u32 = 0x9299359f;
    pub const BAD_MSG_NOTIFICATION: u32 = 0xa7eff811;
    pub const BAD_SERVER_SALT: u32 = 0xedab447b;
    pub const MSG_DETAILED_INFO: u32 = 0x276d3ec6;
    pub const MSG_NEW_DETAILED_INFO: u32 = 0x809db6df;
    pub const DESTROY_AUTH_KEY: u32 = 0xd1435160;
}

// ---------------------------------------------------------------------------
// Reading TL
// ---------------------------------------------------------------------------

/// A bounds-checked little-endian cursor; every read names what it was
/// reading so a truncated message logs something useful.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn raw(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(Error::Truncated {
                what,
                need: n,
                have: self.remaining(),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.raw(4, what)?.try_into().unwrap()))
    }

    pub fn i32(&mut self, what: &'static str) -> Result<i32> {
        Ok(i32::from_le_bytes(self.raw(4, what)?.try_into().unwrap()))
    }

    pub fn i64(&mut self, what: &'static str) -> Result<i64> {
        Ok(i64::from_le_bytes(self.raw(8, what)?.try_into().unwrap()))
    }

    /// A TL `bytes`/`string`: 1-byte length (< 254) or 0xfe + 3-byte
    /// length, then the data, padded to 4 bytes.
    pub fn bytes(&mut self, what: &'static str) -> Result<&'a [u8]> {
        let first = self.raw(1, what)?[0];
        let (len, header) = if first == 254 {
            let l = self.raw(3, what)?;
            (
                usize::from(l[0]) | usize::from(l[1]) << 8 | usize::from(l[2]) << 16,
                4,
            )
        } else if first == 255 {
            return Err(Error::Malformed {
                what,
                detail: "string length byte 255".into(),
            });
        } else {
            (usize::from(first), 1)
        };
        let data = self.raw(len, what)?;
        let pad = (4 - (header + len) % 4) % 4;
        self.raw(pad, what)?;
        Ok(data)
    }

    /// A boxed `Vector<long>`, returning how many it held. The ids
    /// themselves are skipped.
    pub fn skip_long_vector(&mut self, what: &'static str) -> Result<usize> {
        let ctor = self.u32(what)?;
        if ctor != id::VECTOR {
            return Err(Error::Malformed {
                what,
                detail: format!("expected vector, got constructor {ctor:#010x}"),
            });
        }
        let n = self.i32(what)?;
        let n = usize::try_from(n).map_err(|_| Error::Malformed {
            what,
            detail: format!("negative vector length {n}"),
        })?;
        let bytes = n.checked_mul(8).ok_or(Error::Truncated {
            what,
            need: usize::MAX,
            have: self.remaining(),
        })?;
        self.raw(bytes, what)?;
        Ok(n)
    }
}

// ---------------------------------------------------------------------------
// Writing TL
// ---------------------------------------------------------------------------

pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn put_i32(out: &mut Vec<u8>, v: i32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// TL `bytes`/`string` serialization.
///
/// # Panics
/// If `data` is 16 MiB or longer, which TL cannot express.
pub fn put_bytes(out: &mut Vec<u8>, data: &[u8]) {
    let len = data.len();
    assert!(len < 1 << 24, "TL bytes longer than 16 MiB");
    let header = if len < 254 {
        out.push(len as u8);
        1
    } else {
        out.extend_from_slice(&[254, len as u8, (len >> 8) as u8, (len >> 16) as u8]);
        4
    };
    out.extend_from_slice(data);
    let pad = (4 - (header + len) % 4) % 4;
    out.extend_from_slice(&[0u8; 3][..pad]);
}

/// Size of `data` once serialized as TL `bytes`.
pub fn bytes_len(len: usize) -> usize {
    let header = if len < 254 { 1 } else { 4 };
    (header + len).div_ceil(4) * 4
}

// ---------------------------------------------------------------------------
// Plaintext
// ---------------------------------------------------------------------------

/// The fixed part of a decrypted message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlainHeader {
    pub salt: i64,
    pub session_id: i64,
    pub msg_id: i64,
    pub seq_no: i32,
}

/// Splits a decrypted plaintext (padding included) into its header and
/// body, checking the length and the 12..=1024 bytes of padding.
pub fn parse_plaintext(plain: &[u8]) -> Result<(PlainHeader, &[u8])> {
    let mut r = Reader::new(plain);
    let salt = r.i64("plaintext header")?;
    let session_id = r.i64("plaintext header")?;
    let msg_id = r.i64("plaintext header")?;
    let seq_no = r.i32("plaintext header")?;
    let declared = r.i32("plaintext header")?;
    let available = r.remaining();
    let len = usize::try_from(declared)
        .ok()
        .filter(|&l| l % 4 == 0 && l <= available)
        .ok_or(Error::BadMessageLength {
            declared,
            available,
        })?;
    let padding = available - len;
    if !(12..=1024).contains(&padding) {
        return Err(Error::BadPadding { padding });
    }
    let header = PlainHeader {
        salt,
        session_id,
        msg_id,
        seq_no,
    };
    Ok((header, r.raw(len, "message body")?))
}

/// Appends the plaintext header of a message whose body is `len` bytes.
pub fn put_plain_header(out: &mut Vec<u8>, h: &PlainHeader, len: usize) {
    put_i64(out, h.salt);
    put_i64(out, h.session_id);
    put_i64(out, h.msg_id);
    put_i32(out, h.seq_no);
    put_i32(out, len as i32);
}

/// A whole unpadded plaintext: header + body.
pub fn plaintext(h: &PlainHeader, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PLAIN_HEADER_LEN + body.len());
    put_plain_header(&mut out, h, body.len());
    out.extend_from_slice(body);
    out
}

// ---------------------------------------------------------------------------
// msg_id and seq_no
// ---------------------------------------------------------------------------

/// Server msg_ids: unix time in the high 32 bits, ≡ 1 (mod 4), strictly
/// increasing across every connection that shares the generator (clients
/// drop a repeated or even id, and Telethon drops one whose time is off by
/// more than 300 s back or 30 s ahead).
#[derive(Debug, Default)]
pub struct MsgIdGen {
    last: AtomicI64,
}

impl MsgIdGen {
    pub const fn new() -> Self {
        Self {
            last: AtomicI64::new(0),
        }
    }

    pub fn next(&self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        // nanos < 2^30, so nanos << 2 fills the low 32 bits and keeps the
        // id's two low bits free for the "server response" marker 01.
        let candidate = ((now.as_secs() as i64) << 32) | (i64::from(now.subsec_nanos()) << 2) | 1;
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            // Ids ≡ 1 (mod 4) stay so when stepping by 4. Even millions of
            // ids per second advance the clock part by well under a second.
            let next = candidate.max(last + 4);
            match self
                .last
                .compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return next,
                Err(actual) => last = actual,
            }
        }
    }
}

/// The server's seq_no for one session: content-related messages get
/// 2n+1 (n = content messages sent before), the others 2n.
#[derive(Clone, Copy, Debug, Default)]
pub struct SeqNo {
    content_sent: i32,
}

impl SeqNo {
    pub fn next(&mut self, content_related: bool) -> i32 {
        let base = self.content_sent.wrapping_mul(2);
        if content_related {
            self.content_sent = self.content_sent.wrapping_add(1);
            base | 1
        } else {
            base
        }
    }
}

// ---------------------------------------------------------------------------
// Server → client constructors
// ---------------------------------------------------------------------------

/// The 12 bytes rpc_result puts before its result object.
pub fn rpc_result_header(req_msg_id: i64) -> [u8; 12] {
    let mut h = [0u8; 12];
    h[..4].copy_from_slice(&id::RPC_RESULT.to_le_bytes());
    h[4..].copy_from_slice(&req_msg_id.to_le_bytes());
    h
}

/// `rpc_result#f35c6d01 req_msg_id:long result:Object`
pub fn rpc_result(req_msg_id: i64, result: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + result.len());
    out.extend_from_slice(&rpc_result_header(req_msg_id));
    out.extend_from_slice(result);
    out
}

/// Longest error message sent; Telegram's are short upper-case names.
pub const MAX_ERROR_MESSAGE: usize = 1024;

/// `rpc_error#2144ca19 error_code:int error_message:string`
///
/// A message longer than [`MAX_ERROR_MESSAGE`] bytes is cut (at a character
/// boundary).
pub fn rpc_error(code: i32, message: &str) -> Vec<u8> {
    let mut cut = message.len().min(MAX_ERROR_MESSAGE);
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    let message = &message[..cut];
    let mut out = Vec::with_capacity(8 + bytes_len(message.len()));
    put_u32(&mut out, id::RPC_ERROR);
    put_i32(&mut out, code);
    put_bytes(&mut out, message.as_bytes());
    out
}

/// `pong#347773c5 msg_id:long ping_id:long` (msg_id: the ping's)
pub fn pong(msg_id: i64, ping_id: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(20);
    put_u32(&mut out, id::PONG);
    put_i64(&mut out, msg_id);
    put_i64(&mut out, ping_id);
    out
}

/// `msgs_ack#62d6b459 msg_ids:Vector<long>`
pub fn msgs_ack(msg_ids: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + 8 * msg_ids.len());
    put_u32(&mut out, id::MSGS_ACK);
    put_u32(&mut out, id::VECTOR);
    put_i32(&mut out, msg_ids.len() as i32);
    for &m in msg_ids {
        put_i64(&mut out, m);
    }
    out
}

/// `future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt>`
///
/// `num` salts (clamped to 1..=64), each a bare `future_salt` (no
/// constructor id: the vector and its elements are lowercase, i.e. bare)
/// with salt 0 and consecutive one-hour windows from `now`: the client
/// keeps using 0.
pub fn future_salts(req_msg_id: i64, now: i32, num: i32) -> Vec<u8> {
    let n = num.clamp(1, 64);
    let mut out = Vec::with_capacity(20 + 16 * n as usize);
    put_u32(&mut out, id::FUTURE_SALTS);
    put_i64(&mut out, req_msg_id);
    put_i32(&mut out, now);
    // A bare vector: no vector constructor, just the count.
    put_i32(&mut out, n);
    for i in 0..n {
        let since = now.saturating_add(i * 3600);
        put_i32(&mut out, since);
        put_i32(&mut out, since.saturating_add(3600));
        put_i64(&mut out, SALT);
    }
    out
}

/// `destroy_session_ok#e22045fc session_id:long`
pub fn destroy_session_ok(session_id: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(12);
    put_u32(&mut out, id::DESTROY_SESSION_OK);
    put_i64(&mut out, session_id);
    out
}

/// `destroy_session_none#62d350c9 session_id:long`
pub fn destroy_session_none(session_id: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(12);
    put_u32(&mut out, id::DESTROY_SESSION_NONE);
    put_i64(&mut out, session_id);
    out
}

/// `rpc_answer_unknown#5e2ad36e`
pub fn rpc_answer_unknown() -> Vec<u8> {
    id::RPC_ANSWER_UNKNOWN.to_le_bytes().to_vec()
}

/// `gzip_packed#3072cfa1 packed_data:bytes`, with `data` compressed at
/// `level`.
pub fn gzip_packed(data: &[u8], level: Compression) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 4 + 64), level);
    // Writing into a Vec cannot fail.
    enc.write_all(data).expect("in-memory gzip");
    let packed = enc.finish().expect("in-memory gzip");
    let mut out = Vec::with_capacity(4 + bytes_len(packed.len()));
    put_u32(&mut out, id::GZIP_PACKED);
    put_bytes(&mut out, &packed);
    out
}

/// Inflates the `packed_data` of a gzip_packed, refusing to produce more
/// than `limit` bytes.
pub fn gunzip(packed: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity((packed.len() * 4).min(limit));
    let mut dec = flate2::read::GzDecoder::new(packed).take(limit as u64 + 1);
    dec.read_to_end(&mut out).map_err(|e| Error::Gzip {
        detail: e.to_string(),
    })?;
    if out.len() > limit {
        return Err(Error::GzipTooLarge { limit });
    }
    Ok(out)
}

/// Appends one message of a msg_container.
pub fn put_inner_message(out: &mut Vec<u8>, msg_id: i64, seq_no: i32, body: &[u8]) {
    put_i64(out, msg_id);
    put_i32(out, seq_no);
    put_i32(out, body.len() as i32);
    out.extend_from_slice(body);
}

/// `msg_container#73f1f8dc messages:vector<message>`
pub fn msg_container(messages: &[(i64, i32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    put_u32(&mut out, id::MSG_CONTAINER);
    put_i32(&mut out, messages.len() as i32);
    for &(msg_id, seq_no, body) in messages {
        put_inner_message(&mut out, msg_id, seq_no, body);
    }
    out
}

// ---------------------------------------------------------------------------
// Client → server: what a message body is
// ---------------------------------------------------------------------------

/// A message body from the client, classified by constructor.
#[derive(Clone, Debug)]
pub enum Incoming<'a> {
    Ping {
        ping_id: i64,
    },
    PingDelayDisconnect {
        ping_id: i64,
        disconnect_delay: i32,
    },
    GetFutureSalts {
        num: i32,
    },
    DestroySession {
        session_id: i64,
    },
    /// Acknowledgements: clients ack ids the server never sent (Telethon
    /// acks its own request after an rpc_error), so only the count is kept.
    MsgsAck {
        count: usize,
    },
    RpcDropAnswer {
        req_msg_id: i64,
    },
    Container(Container<'a>),
    /// The `packed_data` of a gzip_packed; inflate and classify again.
    GzipPacked(&'a [u8]),
    /// A service message this server has no use for.
    Ignored {
        constructor: u32,
    },
    /// Anything else: a request for the handler (possibly wrapped). May be
    /// shorter than 4 bytes, which the caller answers with an error.
    Rpc(&'a [u8]),
}

/// Classifies a message body. Errors mean a malformed service message.
pub fn classify(body: &[u8]) -> Result<Incoming<'_>> {
    if body.len() < 4 {
        return Ok(Incoming::Rpc(body));
    }
    let mut r = Reader::new(body);
    let ctor = r.u32("constructor")?;
    Ok(match ctor {
        id::PING => Incoming::Ping {
            ping_id: r.i64("ping")?,
        },
        id::PING_DELAY_DISCONNECT => Incoming::PingDelayDisconnect {
            ping_id: r.i64("ping_delay_disconnect")?,
            disconnect_delay: r.i32("ping_delay_disconnect")?,
        },
        id::GET_FUTURE_SALTS => Incoming::GetFutureSalts {
            num: r.i32("get_future_salts")?,
        },
        id::DESTROY_SESSION => Incoming::DestroySession {
            session_id: r.i64("destroy_session")?,
        },
        id::MSGS_ACK => Incoming::MsgsAck {
            count: r.skip_long_vector("msgs_ack")?,
        },
        id::RPC_DROP_ANSWER => Incoming::RpcDropAnswer {
            req_msg_id: r.i64("rpc_drop_answer")?,
        },
        id::MSG_CONTAINER => Incoming::Container(Container::parse(body)?),
        id::GZIP_PACKED => Incoming::GzipPacked(r.bytes("gzip_packed")?),
        id::MSGS_STATE_REQ
        | id::MSGS_STATE_INFO
        | id::MSGS_ALL_INFO
        | id::MSG_RESEND_REQ
        | id::MSG_RESEND_ANS_REQ
        | id::HTTP_WAIT
        | id::MSG_DETAILED_INFO
        | id::MSG_NEW_DETAILED_INFO
        | id::BAD_MSG_NOTIFICATION
        | id::BAD_SERVER_SALT
        | id::MSG_COPY
        | id::DESTROY_AUTH_KEY => Incoming::Ignored { constructor: ctor },
        _ => Incoming::Rpc(body),
    })
}

/// One message inside a msg_container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InnerMessage<'a> {
    pub msg_id: i64,
    pub seq_no: i32,
    pub body: &'a [u8],
}

/// A msg_container, iterated lazily; [`Container::parse`] has already
/// checked that every message fits, so iteration cannot fail.
#[derive(Clone, Debug)]
pub struct Container<'a> {
    reader: Reader<'a>,
    left: usize,
}

impl<'a> Container<'a> {
    /// Parses a whole msg_container body (constructor included).
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let ctor = r.u32("msg_container")?;
        if ctor != id::MSG_CONTAINER {
            return Err(Error::Malformed {
                what: "msg_container",
                detail: format!("constructor {ctor:#010x}"),
            });
        }
        let count = r.i32("msg_container")?;
        let count = usize::try_from(count).map_err(|_| Error::Malformed {
            what: "msg_container",
            detail: format!("negative count {count}"),
        })?;
        let items = r.clone();
        // Validate everything up front so a bad container is rejected
        // before any of its messages is acted on.
        for _ in 0..count {
            let inner = Self::read_one(&mut r)?;
            if inner.body.len() >= 4
                && u32::from_le_bytes(inner.body[..4].try_into().unwrap()) == id::MSG_CONTAINER
            {
                return Err(Error::NestedContainer);
            }
        }
        Ok(Self {
            reader: items,
            left: count,
        })
    }

    fn read_one(r: &mut Reader<'a>) -> Result<InnerMessage<'a>> {
        let msg_id = r.i64("container message header")?;
        let seq_no = r.i32("container message header")?;
        let len = r.i32("container message header")?;
        let len =
            usize::try_from(len)
                .ok()
                .filter(|l| l % 4 == 0)
                .ok_or(Error::BadMessageLength {
                    declared: len,
                    available: r.remaining(),
                })?;
        let body = r.raw(len, "container message body")?;
        Ok(InnerMessage {
            msg_id,
            seq_no,
            body,
        })
    }

    pub fn len(&self) -> usize {
        self.left
    }

    pub fn is_empty(&self) -> bool {
        self.left == 0
    }
}

impl<'a> Iterator for Container<'a> {
    type Item = InnerMessage<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // parse() validated every message.
        Self::read_one(&mut self.reader).ok()
    }
}

// ---------------------------------------------------------------------------
// Client-side helpers (tests and tools)
// ---------------------------------------------------------------------------

/// `ping#7abe77ec ping_id:long`
pub fn ping(ping_id: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(12);
    put_u32(&mut out, id::PING);
    put_i64(&mut out, ping_id);
    out
}

/// Splits an rpc_result into (req_msg_id, result object).
pub fn parse_rpc_result(body: &[u8]) -> Result<(i64, &[u8])> {
    let mut r = Reader::new(body);
    let ctor = r.u32("rpc_result")?;
    if ctor != id::RPC_RESULT {
        return Err(Error::Malformed {
            what: "rpc_result",
            detail: format!("constructor {ctor:#010x}"),
        });
    }
    Ok((r.i64("rpc_result")?, r.rest()))
}

/// Reads an rpc_error into (code, message).
pub fn parse_rpc_error(body: &[u8]) -> Result<(i32, String)> {
    let mut r = Reader::new(body);
    let ctor = r.u32("rpc_error")?;
    if ctor != id::RPC_ERROR {
        return Err(Error::Malformed {
            what: "rpc_error",
            detail: format!("constructor {ctor:#010x}"),
        });
    }
    let code = r.i32("rpc_error")?;
    let msg = String::from_utf8_lossy(r.bytes("rpc_error")?).into_owned();
    Ok((code, msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tl_bytes_round_trip_and_padding() {
        for len in [0usize, 1, 2, 3, 4, 253, 254, 255, 1000, 70000] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut out = Vec::new();
            put_bytes(&mut out, &data);
            assert_eq!(out.len() % 4, 0, "{len}");
            assert_eq!(out.len(), bytes_len(len), "{len}");
            let mut r = Reader::new(&out);
            assert_eq!(r.bytes("t").unwrap(), &data[..]);
            assert_eq!(r.remaining(), 0);
            // grammers reads it back the same way.
            use grammers_tl_types::Deserializable;
            assert_eq!(Vec::<u8>::from_bytes(&out).unwrap(), data);
        }
    }

    #[test]
    fn truncated_reads_fail_cleanly() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert!(matches!(
            r.i32("x"),
            Err(Error::Truncated {
                need: 4,
                have: 3,
                ..
            })
        ));
        // A string claiming 200 bytes with 3 present.
        let mut r = Reader::new(&[200, 1, 2, 3]);
        assert!(r.bytes("s").is_err());
        let mut r = Reader::new(&[255, 0, 0, 0]);
        assert!(r.bytes("s").is_err());
    }

    #[test]
    fn msg_ids_are_odd_1_mod_4_increasing_and_current() {
        let g = MsgIdGen::new();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let mut last = 0;
        for _ in 0..10_000 {
            let id = g.next();
            assert_eq!(id & 3, 1);
            assert!(id > last);
            last = id;
        }
        assert!(((last >> 32) - now).abs() <= 2);
    }

    #[test]
    fn msg_ids_are_unique_across_threads() {
        let g = std::sync::Arc::new(MsgIdGen::new());
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let g = g.clone();
                std::thread::spawn(move || (0..5000).map(|_| g.next()).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<i64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        for per_thread in all.chunks(5000) {
            assert!(per_thread.windows(2).all(|w| w[0] < w[1]));
        }
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
        assert!(all.iter().all(|id| id & 3 == 1));
    }

    #[test]
    fn seq_no_odd_for_content_even_otherwise() {
        let mut s = SeqNo::default();
        assert_eq!(s.next(false), 0);
        assert_eq!(s.next(true), 1);
        assert_eq!(s.next(true), 3);
        assert_eq!(s.next(false), 4);
        assert_eq!(s.next(true), 5);
        assert_eq!(s.next(false), 6);
    }

    #[test]
    fn plaintext_round_trip_and_checks() {
        let h = PlainHeader {
            salt: 0,
            session_id: 0x1122334455667788,
            msg_id: 0x5f00000000000004,
            seq_no: 3,
        };
        let body = [9u8; 20];
        let mut p = plaintext(&h, &body);
        p.extend_from_slice(&[0u8; 12]);
        let (h2, b2) = parse_plaintext(&p).unwrap();
        assert_eq!(h2, h);
        assert_eq!(b2, &body);

        // 8 bytes of padding is too little.
        let short = &p[..p.len() - 4];
        assert!(matches!(
            parse_plaintext(short),
            Err(Error::BadPadding { padding: 8 })
        ));
        // Length pointing past the end.
        let mut bad = p.clone();
        bad[28..32].copy_from_slice(&1000i32.to_le_bytes());
        assert!(matches!(
            parse_plaintext(&bad),
            Err(Error::BadMessageLength { declared: 1000, .. })
        ));
        bad[28..32].copy_from_slice(&(-4i32).to_le_bytes());
        assert!(parse_plaintext(&bad).is_err());
        bad[28..32].copy_from_slice(&2i32.to_le_bytes());
        assert!(parse_plaintext(&bad).is_err());
        // Too much padding.
        let mut huge = p.clone();
        huge.extend(std::iter::repeat_n(0, 1024));
        assert!(matches!(
            parse_plaintext(&huge),
            Err(Error::BadPadding { .. })
        ));
    }

    #[test]
    fn service_constructors_match_grammers_types() {
        use grammers_tl_types::{self as tl, Deserializable};

        let tl::enums::Pong::Pong(p) = tl::enums::Pong::from_bytes(&pong(5, 6)).unwrap();
        assert_eq!((p.msg_id, p.ping_id), (5, 6));

        let tl::enums::RpcError::Error(e) =
            tl::enums::RpcError::from_bytes(&rpc_error(420, "FLOOD_WAIT_3")).unwrap();
        assert_eq!(
            (e.error_code, e.error_message.as_str()),
            (420, "FLOOD_WAIT_3")
        );
        let long = "é".repeat(MAX_ERROR_MESSAGE);
        let tl::enums::RpcError::Error(e) =
            tl::enums::RpcError::from_bytes(&rpc_error(400, &long)).unwrap();
        assert_eq!(e.error_message, "é".repeat(MAX_ERROR_MESSAGE / 2));

        let tl::enums::MsgsAck::Ack(a) =
            tl::enums::MsgsAck::from_bytes(&msgs_ack(&[1, 2])).unwrap();
        assert_eq!(a.msg_ids, vec![1, 2]);

        let tl::enums::FutureSalts::Salts(s) =
            tl::enums::FutureSalts::from_bytes(&future_salts(77, 1000, 3)).unwrap();
        assert_eq!(s.req_msg_id, 77);
        assert_eq!(s.now, 1000);
        assert_eq!(s.salts.0.len(), 3);
        assert!(s.salts.0.iter().all(|x| x.salt == 0));
        assert_eq!(s.salts.0[1].valid_since, 4600);

        assert_eq!(
            tl::enums::DestroySessionRes::from_bytes(&destroy_session_ok(9)).unwrap(),
            tl::enums::DestroySessionRes::DestroySessionOk(tl::types::DestroySessionOk {
                session_id: 9
            })
        );
        assert_eq!(
            tl::enums::DestroySessionRes::from_bytes(&destroy_session_none(9)).unwrap(),
            tl::enums::DestroySessionRes::DestroySessionNone(tl::types::DestroySessionNone {
                session_id: 9
            })
        );
        assert_eq!(
            tl::enums::RpcDropAnswer::from_bytes(&rpc_answer_unknown()).unwrap(),
            tl::enums::RpcDropAnswer::RpcAnswerUnknown
        );
        // future_salts is clamped to what a client can ask for.
        let tl::enums::FutureSalts::Salts(s) =
            tl::enums::FutureSalts::from_bytes(&future_salts(1, 1, 1000)).unwrap();
        assert_eq!(s.salts.0.len(), 64);
    }

    #[test]
    fn client_messages_classify() {
        use grammers_tl_types::{self as tl, Serializable};

        let b = tl::functions::Ping { ping_id: 42 }.to_bytes();
        assert!(matches!(
            classify(&b).unwrap(),
            Incoming::Ping { ping_id: 42 }
        ));
        let b = tl::functions::PingDelayDisconnect {
            ping_id: 7,
            disconnect_delay: 75,
        }
        .to_bytes();
        assert!(matches!(
            classify(&b).unwrap(),
            Incoming::PingDelayDisconnect {
                ping_id: 7,
                disconnect_delay: 75
            }
        ));
        let b = tl::functions::GetFutureSalts { num: 64 }.to_bytes();
        assert!(matches!(
            classify(&b).unwrap(),
            Incoming::GetFutureSalts { num: 64 }
        ));
        let b = tl::functions::DestroySession { session_id: -5 }.to_bytes();
        assert!(matches!(
            classify(&b).unwrap(),
            Incoming::DestroySession { session_id: -5 }
        ));
        let b = tl::enums::MsgsAck::Ack(tl::types::MsgsAck {
            msg_ids: vec![1, 2, 3],
        })
        .to_bytes();
        assert!(matches!(
            classify(&b).unwrap(),
            Incoming::MsgsAck { count: 3 }
        ));
        let b = tl::functions::RpcDropAnswer { req_msg_id: 8 }.to_bytes();
        assert!(matches!(
            classify(&b).unwrap(),
            Incoming::RpcDropAnswer { req_msg_id: 8 }
        ));
        let b =
            tl::enums::MsgsStateReq::Req(tl::types::MsgsStateReq { msg_ids: vec![1] }).to_bytes();
        assert!(matches!(
            classify(&b).unwrap(),
            Incoming::Ignored {
                constructor: id::MSGS_STATE_REQ
            }
        ));
        let b = tl::functions::help::GetConfig {}.to_bytes();
        assert!(matches!(classify(&b).unwrap(), Incoming::Rpc(x) if x == &b[..]));
        assert!(matches!(classify(&[1, 2]).unwrap(), Incoming::Rpc(x) if x.len() == 2));
        // Truncated service messages are errors, not requests.
        assert!(classify(&id::PING.to_le_bytes()).is_err());
        let mut ack = id::MSGS_ACK.to_le_bytes().to_vec();
        ack.extend_from_slice(&id::VECTOR.to_le_bytes());
        ack.extend_from_slice(&5i32.to_le_bytes());
        assert!(classify(&ack).is_err());
    }

    #[test]
    fn containers_parse_and_reject_bad_shapes() {
        let a = ping(1);
        let b = pong(2, 3);
        let c = msg_container(&[(4, 1, &a), (8, 2, &b)]);
        let Incoming::Container(items) = classify(&c).unwrap() else {
            panic!()
        };
        assert_eq!(items.len(), 2);
        let got: Vec<_> = items.collect();
        assert_eq!(
            got,
            vec![
                InnerMessage {
                    msg_id: 4,
                    seq_no: 1,
                    body: &a
                },
                InnerMessage {
                    msg_id: 8,
                    seq_no: 2,
                    body: &b
                }
            ]
        );

        let nested = msg_container(&[(12, 0, &c)]);
        assert!(matches!(classify(&nested), Err(Error::NestedContainer)));

        let truncated = &c[..c.len() - 4];
        assert!(classify(truncated).is_err());

        let mut negative = c.clone();
        negative[4..8].copy_from_slice(&(-1i32).to_le_bytes());
        assert!(classify(&negative).is_err());

        let mut unaligned = c.clone();
        unaligned[8 + 12..8 + 16].copy_from_slice(&10i32.to_le_bytes());
        assert!(classify(&unaligned).is_err());
    }

    #[test]
    fn gzip_round_trip_limit_and_garbage() {
        let data = vec![b'x'; 100_000];
        let packed = gzip_packed(&data, Compression::fast());
        assert!(packed.len() < 2000);
        let Incoming::GzipPacked(inner) = classify(&packed).unwrap() else {
            panic!()
        };
        assert_eq!(gunzip(inner, 1 << 20).unwrap(), data);
        assert!(matches!(
            gunzip(inner, 99_999),
            Err(Error::GzipTooLarge { limit: 99_999 })
        ));
        assert!(matches!(gunzip(b"not gzip", 1000), Err(Error::Gzip { .. })));
    }

    #[test]
    fn rpc_result_and_error_helpers() {
        let r = rpc_result(99, &rpc_error(400, "BAD"));
        let (id, inner) = parse_rpc_result(&r).unwrap();
        assert_eq!(id, 99);
        assert_eq!(parse_rpc_error(inner).unwrap(), (400, "BAD".to_string()));
        assert!(parse_rpc_result(&pong(1, 2)).is_err());
    }
}
