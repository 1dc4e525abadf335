//! MTProto transport framing, server side.
//!
//! A connection announces its transport with its first bytes: `0xef` for
//! Abridged, `0xeeeeeeee` for Intermediate, `0xdddddddd` for Padded
//! Intermediate, and nothing for Full (its first bytes are already a
//! length). The server answers in the same transport without any tag.
//!
//! Decoding is incremental: [`Codec::decode`] looks at whatever has
//! arrived and says "need more", "here is a frame" or "this connection is
//! broken". Encoding is split into a header and a trailer around a payload
//! the caller writes in place, so the writer never copies a payload twice.
//!
//! Obfuscated transports are not supported: their random 64-byte prefix
//! decodes as a Full frame with a bad length and the connection is closed.

use std::ops::Range;

use crate::error::{Error, Result};
use crate::random;

/// The four unobfuscated MTProto transports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `len:i32 | seq:i32 | payload | crc32`, len counting all four parts.
    Full,
    /// `len:u32 | payload`.
    Intermediate,
    /// `len:u32 | payload | 0..15 random bytes`.
    PaddedIntermediate,
    /// `len/4` as one byte (or `0x7f` + three bytes) `| payload`.
    Abridged,
}

const INTERMEDIATE_TAG: [u8; 4] = [0xee; 4];
const PADDED_INTERMEDIATE_TAG: [u8; 4] = [0xdd; 4];
const ABRIDGED_TAG: u8 = 0xef;

/// Result of [`detect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    /// Too few bytes to tell.
    NeedMore,
    /// The transport, and how many tag bytes to skip before its frames.
    Found { kind: Kind, tag_len: usize },
}

/// Tells the transport from the first bytes of a connection.
///
/// No valid Full frame can start like a tag: its length is a multiple of 4
/// (so its first byte is never 0xef or 0xdd or 0xee), which keeps this
/// unambiguous.
pub fn detect(first: &[u8]) -> Detected {
    let Some(&b0) = first.first() else {
        return Detected::NeedMore;
    };
    if b0 == ABRIDGED_TAG {
        return Detected::Found {
            kind: Kind::Abridged,
            tag_len: 1,
        };
    }
    if b0 == INTERMEDIATE_TAG[0] || b0 == PADDED_INTERMEDIATE_TAG[0] {
        if first.len() < 4 {
            return Detected::NeedMore;
        }
        if first[..4] == INTERMEDIATE_TAG {
            return Detected::Found {
                kind: Kind::Intermediate,
                tag_len: 4,
            };
        }
        if first[..4] == PADDED_INTERMEDIATE_TAG {
            return Detected::Found {
                kind: Kind::PaddedIntermediate,
                tag_len: 4,
            };
        }
    }
    Detected::Found {
        kind: Kind::Full,
        tag_len: 0,
    }
}

/// Result of [`Codec::decode`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// The buffer does not hold a whole frame yet. `frame_len`, when known,
    /// is the size of the whole frame, so the caller can reserve for it.
    NeedMore { frame_len: Option<usize> },
    /// A whole frame: `payload` indexes the input buffer, `consumed` is the
    /// frame's total size (where the next frame starts).
    Frame {
        payload: Range<usize>,
        consumed: usize,
    },
}

/// Framing state of one connection, both directions.
#[derive(Debug)]
pub struct Codec {
    kind: Kind,
    max_frame: usize,
    recv_seq: i32,
    send_seq: i32,
    /// Random tail length chosen by `encode_header` for PaddedIntermediate.
    pending_pad: usize,
}

/// Largest Abridged payload: the 3-byte length counts 4-byte words.
const ABRIDGED_MAX: usize = 0xff_ffff * 4;

impl Codec {
    /// `max_frame` bounds the frames accepted from the client, transport
    /// overhead included.
    pub fn new(kind: Kind, max_frame: usize) -> Self {
        Self {
            kind,
            max_frame,
            recv_seq: 0,
            send_seq: 0,
            pending_pad: 0,
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Tries to take one client frame from the start of `buf` (which must
    /// not contain the connection's tag). On success the caller drops
    /// `consumed` bytes before the next call.
    pub fn decode(&mut self, buf: &[u8]) -> Result<Decoded> {
        let need_more = |frame_len| Ok(Decoded::NeedMore { frame_len });
        match self.kind {
            Kind::Full => {
                if buf.len() < 4 {
                    return need_more(None);
                }
                let len = i32::from_le_bytes(buf[..4].try_into().unwrap());
                // A Full frame with an empty payload is legal framing but
                // never a message; 12 is the bare envelope.
                if len < 12 || len % 4 != 0 {
                    return Err(Error::BadFrameLength { len: len.into() });
                }
                let len = len as usize;
                self.check_size(len)?;
                if buf.len() < len {
                    return need_more(Some(len));
                }
                let seq = i32::from_le_bytes(buf[4..8].try_into().unwrap());
                if seq != self.recv_seq {
                    return Err(Error::BadSeq {
                        expected: self.recv_seq,
                        got: seq,
                    });
                }
                let got = u32::from_le_bytes(buf[len - 4..len].try_into().unwrap());
                let computed = crc32fast::hash(&buf[..len - 4]);
                if got != computed {
                    return Err(Error::BadCrc { computed, got });
                }
                self.recv_seq = self.recv_seq.wrapping_add(1);
                Ok(Decoded::Frame {
                    payload: 8..len - 4,
                    consumed: len,
                })
            }
            Kind::Intermediate | Kind::PaddedIntermediate => {
                if buf.len() < 4 {
                    return need_more(None);
                }
                // The top bit asks for a quick ack, which this server never
                // sends; it is not part of the length.
                let raw = u32::from_le_bytes(buf[..4].try_into().unwrap()) & 0x7fff_ffff;
                let len = raw as usize;
                if len == 0 || (self.kind == Kind::Intermediate && !len.is_multiple_of(4)) {
                    return Err(Error::BadFrameLength { len: raw.into() });
                }
                self.check_size(4 + len)?;
                if buf.len() < 4 + len {
                    return need_more(Some(4 + len));
                }
                let payload_len = if self.kind == Kind::PaddedIntermediate {
                    // Only encrypted messages are served, and those are
                    // auth_key_id + msg_key + 16k bytes: whatever exceeds
                    // that is the 0..15 bytes of padding.
                    if len < 24 {
                        return Err(Error::BadFrameLength { len: raw.into() });
                    }
                    len - (len - 24) % 16
                } else {
                    len
                };
                Ok(Decoded::Frame {
                    payload: 4..4 + payload_len,
                    consumed: 4 + len,
                })
            }
            Kind::Abridged => {
                let Some(&b0) = buf.first() else {
                    return need_more(None);
                };
                // As in Intermediate, the top bit is a quick-ack request.
                let (header, words) = if b0 & 0x7f == 0x7f {
                    if buf.len() < 4 {
                        return need_more(None);
                    }
                    let w = u32::from_le_bytes([buf[1], buf[2], buf[3], 0]);
                    (4, w as usize)
                } else {
                    (1, usize::from(b0 & 0x7f))
                };
                if words == 0 {
                    return Err(Error::BadFrameLength { len: 0 });
                }
                let total = header + words * 4;
                self.check_size(total)?;
                if buf.len() < total {
                    return need_more(Some(total));
                }
                Ok(Decoded::Frame {
                    payload: header..total,
                    consumed: total,
                })
            }
        }
    }

    fn check_size(&self, len: usize) -> Result<()> {
        if len > self.max_frame {
            Err(Error::FrameTooLarge {
                len,
                max: self.max_frame,
            })
        } else {
            Ok(())
        }
    }

    /// Appends the header of a server frame whose payload (written by the
    /// caller right after this) will be `payload_len` bytes. Every frame
    /// must then be closed with [`Codec::encode_trailer`].
    ///
    /// # Panics
    /// If the payload is not a multiple of 4 bytes or is too large for the
    /// transport: the server only frames encrypted messages, which are.
    pub fn encode_header(&mut self, payload_len: usize, out: &mut Vec<u8>) {
        assert!(
            payload_len.is_multiple_of(4),
            "payload must be 4-byte aligned"
        );
        match self.kind {
            Kind::Full => {
                let len = i32::try_from(payload_len + 12).expect("frame too large");
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&self.send_seq.to_le_bytes());
                self.send_seq = self.send_seq.wrapping_add(1);
            }
            Kind::Intermediate => {
                let len = u32::try_from(payload_len).expect("frame too large");
                assert!(len <= 0x7fff_ffff, "frame too large");
                out.extend_from_slice(&len.to_le_bytes());
            }
            Kind::PaddedIntermediate => {
                self.pending_pad = usize::from(random::byte() & 0x0f);
                let len = u32::try_from(payload_len + self.pending_pad).expect("frame too large");
                assert!(len <= 0x7fff_ffff, "frame too large");
                out.extend_from_slice(&len.to_le_bytes());
            }
            Kind::Abridged => {
                assert!(payload_len <= ABRIDGED_MAX, "frame too large");
                let words = payload_len / 4;
                if words < 0x7f {
                    out.push(words as u8);
                } else {
                    let w = (words as u32).to_le_bytes();
                    out.extend_from_slice(&[0x7f, w[0], w[1], w[2]]);
                }
            }
        }
    }

    /// Closes the frame that starts at `out[frame_start]`.
    pub fn encode_trailer(&mut self, frame_start: usize, out: &mut Vec<u8>) {
        match self.kind {
            Kind::Full => {
                let crc = crc32fast::hash(&out[frame_start..]);
                out.extend_from_slice(&crc.to_le_bytes());
            }
            Kind::PaddedIntermediate => {
                let at = out.len();
                out.resize(at + self.pending_pad, 0);
                random::fill(&mut out[at..]);
                self.pending_pad = 0;
            }
            Kind::Intermediate | Kind::Abridged => {}
        }
    }

    /// Appends a whole server frame around `payload`.
    pub fn encode(&mut self, payload: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        self.encode_header(payload.len(), out);
        out.extend_from_slice(payload);
        self.encode_trailer(start, out);
    }
}

/// The client's side of the framing, used by tests and tools that talk to
/// the server: it emits the tag first, frames payloads the way clients do,
/// and decodes server frames.
#[derive(Debug)]
pub struct ClientCodec {
    kind: Kind,
    tag_sent: bool,
    send_seq: i32,
    recv_seq: i32,
}

impl ClientCodec {
    pub fn new(kind: Kind) -> Self {
        Self {
            kind,
            tag_sent: false,
            send_seq: 0,
            recv_seq: 0,
        }
    }

    /// Appends one client frame (preceded by the tag on the first call).
    pub fn encode(&mut self, payload: &[u8], out: &mut Vec<u8>) {
        if !self.tag_sent {
            self.tag_sent = true;
            match self.kind {
                Kind::Full => {}
                Kind::Intermediate => out.extend_from_slice(&INTERMEDIATE_TAG),
                Kind::PaddedIntermediate => out.extend_from_slice(&PADDED_INTERMEDIATE_TAG),
                Kind::Abridged => out.push(ABRIDGED_TAG),
            }
        }
        // Client and server frames are laid out alike; only the tag and the
        // counters differ, so reuse the server encoder for the bytes.
        let mut server = Codec::new(self.kind, usize::MAX);
        server.send_seq = self.send_seq;
        server.encode(payload, out);
        self.send_seq = server.send_seq;
    }

    /// Decodes one server frame from the start of `buf`.
    pub fn decode(&mut self, buf: &[u8]) -> Result<Decoded> {
        let mut server = Codec::new(self.kind, usize::MAX);
        server.recv_seq = self.recv_seq;
        let out = server.decode(buf);
        self.recv_seq = server.recv_seq;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Kind; 4] = [
        Kind::Full,
        Kind::Intermediate,
        Kind::PaddedIntermediate,
        Kind::Abridged,
    ];

    /// A payload shaped like an encrypted message (24 + 16k bytes), as the
    /// padded transport requires.
    fn payload(k: usize, seed: u8) -> Vec<u8> {
        (0..24 + 16 * k)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    fn client_bytes(kind: Kind, payloads: &[Vec<u8>]) -> Vec<u8> {
        let mut c = ClientCodec::new(kind);
        let mut out = Vec::new();
        for p in payloads {
            c.encode(p, &mut out);
        }
        out
    }

    /// Decodes everything in `wire` (tag included) feeding it `step` bytes
    /// at a time, the way the connection does.
    fn decode_all(wire: &[u8], step: usize, max: usize) -> Result<Vec<Vec<u8>>> {
        let mut codec: Option<Codec> = None;
        let mut buf = Vec::new();
        let mut frames = Vec::new();
        for chunk in wire.chunks(step) {
            buf.extend_from_slice(chunk);
            loop {
                let c = match &mut codec {
                    Some(c) => c,
                    None => match detect(&buf) {
                        Detected::NeedMore => break,
                        Detected::Found { kind, tag_len } => {
                            buf.drain(..tag_len);
                            codec.insert(Codec::new(kind, max))
                        }
                    },
                };
                match c.decode(&buf)? {
                    Decoded::NeedMore { .. } => break,
                    Decoded::Frame { payload, consumed } => {
                        frames.push(buf[payload].to_vec());
                        buf.drain(..consumed);
                    }
                }
            }
        }
        assert!(buf.is_empty(), "bytes left over");
        Ok(frames)
    }

    #[test]
    fn detect_each_transport() {
        assert_eq!(detect(&[]), Detected::NeedMore);
        assert_eq!(
            detect(&[0xef]),
            Detected::Found {
                kind: Kind::Abridged,
                tag_len: 1
            }
        );
        assert_eq!(detect(&[0xee, 0xee, 0xee]), Detected::NeedMore);
        assert_eq!(detect(&[0xdd]), Detected::NeedMore);
        assert_eq!(
            detect(&[0xee; 4]),
            Detected::Found {
                kind: Kind::Intermediate,
                tag_len: 4
            }
        );
        assert_eq!(
            detect(&[0xdd; 5]),
            Detected::Found {
                kind: Kind::PaddedIntermediate,
                tag_len: 4
            }
        );
        assert_eq!(
            detect(&[0x28, 0, 0, 0]),
            Detected::Found {
                kind: Kind::Full,
                tag_len: 0
            }
        );
        // 0xee then something else: not a tag, so Full (whose length check
        // will then reject it).
        assert_eq!(
            detect(&[0xee, 0xee, 0x00, 0x00]),
            Detected::Found {
                kind: Kind::Full,
                tag_len: 0
            }
        );
    }

    #[test]
    fn round_trip_every_transport_whole_and_byte_by_byte() {
        // 508 bytes is the last one-byte Abridged length, 520 needs four.
        let payloads = vec![
            payload(1, 1),
            payload(30, 2),
            payload(31, 3),
            payload(300, 4),
        ];
        for kind in ALL {
            let wire = client_bytes(kind, &payloads);
            for step in [1, 3, 7, wire.len()] {
                let got = decode_all(&wire, step, 1 << 20)
                    .unwrap_or_else(|e| panic!("{kind:?} step {step}: {e}"));
                assert_eq!(got, payloads, "{kind:?} step {step}");
            }
        }
    }

    #[test]
    fn server_frames_decode_on_the_client_side() {
        for kind in ALL {
            let mut server = Codec::new(kind, 1 << 20);
            let mut client = ClientCodec::new(kind);
            let mut wire = Vec::new();
            let payloads = [payload(2, 9), payload(40, 8), payload(0, 7)];
            for p in &payloads {
                server.encode(p, &mut wire);
            }
            let mut at = 0;
            for p in &payloads {
                match client.decode(&wire[at..]).unwrap() {
                    Decoded::Frame { payload, consumed } => {
                        assert_eq!(&wire[at..][payload], &p[..], "{kind:?}");
                        at += consumed;
                    }
                    other => panic!("{kind:?}: {other:?}"),
                }
            }
            assert_eq!(at, wire.len(), "{kind:?}");
        }
    }

    #[test]
    fn full_layout_and_seq_per_direction() {
        let mut server = Codec::new(Kind::Full, 1 << 20);
        let mut out = Vec::new();
        server.encode(&[1, 2, 3, 4], &mut out);
        server.encode(&[5, 6, 7, 8], &mut out);
        assert_eq!(&out[0..4], &16i32.to_le_bytes());
        assert_eq!(&out[4..8], &0i32.to_le_bytes());
        assert_eq!(&out[16..20], &16i32.to_le_bytes());
        assert_eq!(&out[20..24], &1i32.to_le_bytes());
        // Receiving does not advance the sending counter.
        let wire = client_bytes(Kind::Full, &[payload(1, 0)]);
        assert!(matches!(server.decode(&wire), Ok(Decoded::Frame { .. })));
        let mut third = Vec::new();
        server.encode(&[0; 4], &mut third);
        assert_eq!(&third[4..8], &2i32.to_le_bytes());
    }

    #[test]
    fn full_rejects_bad_crc() {
        let mut wire = client_bytes(Kind::Full, &[payload(2, 5)]);
        let n = wire.len();
        wire[n - 1] ^= 0x80;
        let err = decode_all(&wire, wire.len(), 1 << 20).unwrap_err();
        assert!(matches!(err, Error::BadCrc { .. }), "{err}");
        // A flipped payload byte is caught the same way.
        let mut wire = client_bytes(Kind::Full, &[payload(2, 5)]);
        wire[20] ^= 1;
        let err = decode_all(&wire, 1, 1 << 20).unwrap_err();
        assert!(matches!(err, Error::BadCrc { .. }), "{err}");
    }

    #[test]
    fn full_rejects_bad_seq() {
        // Two frames both numbered 0: the second is a replay.
        let p = payload(1, 1);
        let mut wire = client_bytes(Kind::Full, std::slice::from_ref(&p));
        wire.extend(client_bytes(Kind::Full, std::slice::from_ref(&p)));
        let err = decode_all(&wire, 5, 1 << 20).unwrap_err();
        assert!(
            matches!(
                err,
                Error::BadSeq {
                    expected: 1,
                    got: 0
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn full_rejects_bad_lengths() {
        for len in [-404i32, 0, 8, 13] {
            let mut c = Codec::new(Kind::Full, 1 << 20);
            let err = c.decode(&len.to_le_bytes()).unwrap_err();
            assert!(matches!(err, Error::BadFrameLength { .. }), "{len}: {err}");
        }
    }

    #[test]
    fn oversize_frames_are_rejected_from_their_header() {
        let big = payload(100, 0); // 1624 bytes
        for kind in ALL {
            let wire = client_bytes(kind, std::slice::from_ref(&big));
            // Only the first 8 bytes: the length alone must condemn it.
            let mut c: Option<Codec> = None;
            let mut buf = wire[..8].to_vec();
            let c = c.get_or_insert_with(|| match detect(&buf) {
                Detected::Found { kind, tag_len } => {
                    buf.drain(..tag_len);
                    Codec::new(kind, 1000)
                }
                Detected::NeedMore => unreachable!(),
            });
            let err = c.decode(&buf).unwrap_err();
            assert!(
                matches!(err, Error::FrameTooLarge { max: 1000, .. }),
                "{kind:?}: {err}"
            );
            // The same frame passes with a limit that fits it.
            assert_eq!(decode_all(&wire, 64, 4096).unwrap(), vec![big.clone()]);
        }
    }

    #[test]
    fn need_more_reports_the_frame_size_once_known() {
        let p = payload(10, 0);
        let wire = client_bytes(Kind::Intermediate, std::slice::from_ref(&p));
        let mut c = Codec::new(Kind::Intermediate, 1 << 20);
        assert_eq!(
            c.decode(&wire[4..6]).unwrap(),
            Decoded::NeedMore { frame_len: None }
        );
        assert_eq!(
            c.decode(&wire[4..20]).unwrap(),
            Decoded::NeedMore {
                frame_len: Some(4 + p.len())
            }
        );
    }

    #[test]
    fn padded_intermediate_strips_client_padding() {
        let p = payload(3, 1);
        for pad in 0..16usize {
            let mut wire = PADDED_INTERMEDIATE_TAG.to_vec();
            wire.extend_from_slice(&((p.len() + pad) as u32).to_le_bytes());
            wire.extend_from_slice(&p);
            wire.extend(std::iter::repeat_n(0xab, pad));
            assert_eq!(decode_all(&wire, 2, 1 << 20).unwrap(), vec![p.clone()]);
        }
        // Server frames carry 0..15 bytes of padding the client can strip.
        let mut server = Codec::new(Kind::PaddedIntermediate, 1 << 20);
        for _ in 0..64 {
            let mut out = Vec::new();
            server.encode(&p, &mut out);
            let len = u32::from_le_bytes(out[..4].try_into().unwrap()) as usize;
            assert_eq!(out.len(), 4 + len);
            assert!((p.len()..p.len() + 16).contains(&len));
            assert_eq!(&out[4..4 + p.len()], &p[..]);
        }
    }

    #[test]
    fn quick_ack_bit_is_not_part_of_the_length() {
        let p = payload(1, 2);
        let mut wire = INTERMEDIATE_TAG.to_vec();
        wire.extend_from_slice(&((p.len() as u32) | 0x8000_0000).to_le_bytes());
        wire.extend_from_slice(&p);
        assert_eq!(decode_all(&wire, 3, 1 << 20).unwrap(), vec![p.clone()]);

        let mut wire = vec![ABRIDGED_TAG, (p.len() / 4) as u8 | 0x80];
        wire.extend_from_slice(&p);
        assert_eq!(decode_all(&wire, 3, 1 << 20).unwrap(), vec![p]);
    }

    #[test]
    fn abridged_length_forms() {
        let mut server = Codec::new(Kind::Abridged, usize::MAX);
        let mut out = Vec::new();
        server.encode(&[0; 4 * 0x7e], &mut out);
        assert_eq!(out[0], 0x7e);
        assert_eq!(out.len(), 1 + 4 * 0x7e);
        out.clear();
        server.encode(&[0; 4 * 0x7f], &mut out);
        assert_eq!(&out[..4], &[0x7f, 0x7f, 0, 0]);
        out.clear();
        server.encode(&vec![0; 4 * 0x12345], &mut out);
        assert_eq!(&out[..4], &[0x7f, 0x45, 0x23, 0x01]);
    }

    #[test]
    fn empty_frames_are_rejected() {
        for (kind, wire) in [
            (Kind::Intermediate, vec![0xee, 0xee, 0xee, 0xee, 0, 0, 0, 0]),
            (Kind::Abridged, vec![0xef, 0]),
            (
                Kind::PaddedIntermediate,
                vec![0xdd, 0xdd, 0xdd, 0xdd, 0, 0, 0, 0],
            ),
        ] {
            let err = decode_all(&wire, 1, 1 << 20).unwrap_err();
            assert!(
                matches!(err, Error::BadFrameLength { .. }),
                "{kind:?}: {err}"
            );
        }
    }

    #[test]
    fn unaligned_intermediate_is_rejected() {
        let mut wire = INTERMEDIATE_TAG.to_vec();
        wire.extend_from_slice(&30u32.to_le_bytes());
        wire.extend_from_slice(&[0; 30]);
        let err = decode_all(&wire, 1, 1 << 20).unwrap_err();
        assert!(matches!(err, Error::BadFrameLength { len: 30 }), "{err}");
    }
}
