//! Peeling the protocol wrappers clients put around a request.
//!
//! Clients wrap requests in `invokeWithLayer(initConnection(...))`,
//! `invokeWithoutUpdates`, `invokeAfterMsg(s)` and `gzip_packed`, in any
//! order and nesting (Telethon: `invokeWithLayer(invokeWithoutUpdates(
//! initConnection(...)))`). The handler wants the method underneath.
//!
//! This is parsed by hand on the raw bytes: grammers-tl-types' generic
//! wrapper structs deserialize their `query` as a typed value without its
//! constructor id, which silently misparses. Only the optional fields of
//! initConnection (InputClientProxy, JSONValue) go through grammers-tl-types.

use std::borrow::Cow;

use grammers_tl_types::{self as tl, Deserializable};

use crate::error::{Error, Result};
use crate::message::{self, Reader, id as mid};

pub const INVOKE_WITH_LAYER: u32 = 0xda9b0d0d;
pub const INIT_CONNECTION: u32 = 0xc1cd5ea9;
pub const INVOKE_WITHOUT_UPDATES: u32 = 0xbf9459b7;
pub const INVOKE_AFTER_MSG: u32 = 0xcb9f372d;
pub const INVOKE_AFTER_MSGS: u32 = 0x3dc4b4f0;

/// More wrapper layers than this is not a real client.
pub const MAX_DEPTH: usize = 32;
/// initConnection's `params` is arbitrary JSON; bound its nesting before
/// handing it to a recursive deserializer (a deep array would otherwise
/// overflow the stack, which aborts the whole process).
pub const MAX_JSON_DEPTH: usize = 64;

const INPUT_CLIENT_PROXY: u32 = 0x75588b3f;
const JSON_NULL: u32 = 0x3f6d7b68;
const JSON_BOOL: u32 = 0xc7345e6a;
const JSON_NUMBER: u32 = 0x2be0dfa4;
const JSON_STRING: u32 = 0xb71e767a;
const JSON_ARRAY: u32 = 0xf7444763;
const JSON_OBJECT: u32 = 0x99c1d49d;
const JSON_OBJECT_VALUE: u32 = 0xc0de1bd9;

/// What initConnection said about the client.
#[derive(Clone, Debug, PartialEq)]
pub struct InitConnection {
    pub api_id: i32,
    pub device_model: String,
    pub system_version: String,
    pub app_version: String,
    pub system_lang_code: String,
    pub lang_pack: String,
    pub lang_code: String,
    pub proxy: Option<tl::enums::InputClientProxy>,
    pub params: Option<tl::enums::Jsonvalue>,
}

/// A request with its wrappers removed.
#[derive(Clone, Debug)]
pub struct Peeled<'a> {
    /// The method underneath, starting with its constructor id. Borrowed
    /// unless a gzip_packed layer had to be inflated.
    pub query: Cow<'a, [u8]>,
    /// The innermost invokeWithLayer's layer, if any.
    pub layer: Option<i32>,
    /// The initConnection, if any.
    pub init: Option<Box<InitConnection>>,
}

/// Removes every wrapper from the front of `body`. `gzip_limit` bounds
/// what a gzip_packed layer may inflate to.
///
/// Stops at the first constructor that is not a wrapper (or at fewer than
/// four bytes, which is returned as is for the caller to reject).
pub fn peel(body: &[u8], gzip_limit: usize) -> Result<Peeled<'_>> {
    let mut cur: Cow<'_, [u8]> = Cow::Borrowed(body);
    let mut at = 0usize;
    let mut layer = None;
    let mut init = None;

    let mut depth = 0;
    loop {
        let rest = &cur[at..];
        if rest.len() < 4 {
            break;
        }
        let mut r = Reader::new(rest);
        let ctor = r.u32("constructor")?;
        if is_wrapper(ctor) {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(Error::TooDeep {
                    what: "request wrappers",
                    limit: MAX_DEPTH,
                });
            }
        }
        match ctor {
            INVOKE_WITH_LAYER => {
                layer = Some(r.i32("invokeWithLayer")?);
                at += r.pos();
            }
            INVOKE_WITHOUT_UPDATES => at += 4,
            INVOKE_AFTER_MSG => {
                r.i64("invokeAfterMsg")?;
                at += r.pos();
            }
            INVOKE_AFTER_MSGS => {
                r.skip_long_vector("invokeAfterMsgs")?;
                at += r.pos();
            }
            INIT_CONNECTION => {
                let (info, used) = parse_init_connection(&rest[4..])?;
                init = Some(Box::new(info));
                at += 4 + used;
            }
            mid::GZIP_PACKED => {
                let inflated = message::gunzip(r.bytes("gzip_packed")?, gzip_limit)?;
                cur = Cow::Owned(inflated);
                at = 0;
            }
            _ => {
                return Ok(Peeled {
                    query: tail(cur, at),
                    layer,
                    init,
                });
            }
        }
    }
    Ok(Peeled {
        query: tail(cur, at),
        layer,
        init,
    })
}

fn is_wrapper(ctor: u32) -> bool {
    matches!(
        ctor,
        INVOKE_WITH_LAYER
            | INVOKE_WITHOUT_UPDATES
            | INVOKE_AFTER_MSG
            | INVOKE_AFTER_MSGS
            | INIT_CONNECTION
            | mid::GZIP_PACKED
    )
}

fn tail(cur: Cow<'_, [u8]>, at: usize) -> Cow<'_, [u8]> {
    match cur {
        Cow::Borrowed(b) => Cow::Borrowed(&b[at..]),
        Cow::Owned(mut v) => {
            v.drain(..at);
            Cow::Owned(v)
        }
    }
}

/// Parses initConnection's fields (after its constructor id) up to its
/// query; returns them and how many bytes they took.
fn parse_init_connection(buf: &[u8]) -> Result<(InitConnection, usize)> {
    const WHAT: &str = "initConnection";
    let bad = |e: tl::deserialize::Error| Error::Malformed {
        what: WHAT,
        detail: e.to_string(),
    };
    // Every field is walked with the bounds-checked reader first, so the
    // grammers deserializers below only ever see spans known to be whole
    // (they allocate a string's declared length before reading it).
    let mut r = Reader::new(buf);
    let flags = r.u32(WHAT)?;
    let api_id = r.i32(WHAT)?;
    let mut s = || {
        r.bytes(WHAT)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let (device_model, system_version, app_version, system_lang_code, lang_pack, lang_code) =
        (s()?, s()?, s()?, s()?, s()?, s()?);
    let proxy = if flags & 1 != 0 {
        let start = r.pos();
        let ctor = r.u32(WHAT)?;
        if ctor != INPUT_CLIENT_PROXY {
            return Err(Error::Malformed {
                what: WHAT,
                detail: format!("expected inputClientProxy, got {ctor:#010x}"),
            });
        }
        r.bytes(WHAT)?;
        r.i32(WHAT)?;
        Some(tl::enums::InputClientProxy::from_bytes(&buf[start..r.pos()]).map_err(bad)?)
    } else {
        None
    };
    let params = if flags & 2 != 0 {
        let start = r.pos();
        skip_json(&mut r, 0)?;
        Some(tl::enums::Jsonvalue::from_bytes(&buf[start..r.pos()]).map_err(bad)?)
    } else {
        None
    };
    Ok((
        InitConnection {
            api_id,
            device_model,
            system_version,
            app_version,
            system_lang_code,
            lang_pack,
            lang_code,
            proxy,
            params,
        },
        r.pos(),
    ))
}

/// Walks one boxed JSONValue with a depth limit.
fn skip_json(r: &mut Reader<'_>, depth: usize) -> Result<()> {
    if depth > MAX_JSON_DEPTH {
        return Err(Error::TooDeep {
            what: "initConnection params JSON",
            limit: MAX_JSON_DEPTH,
        });
    }
    const WHAT: &str = "initConnection params";
    match r.u32(WHAT)? {
        JSON_NULL => {}
        JSON_BOOL => {
            r.u32(WHAT)?;
        }
        JSON_NUMBER => {
            r.raw(8, WHAT)?;
        }
        JSON_STRING => {
            r.bytes(WHAT)?;
        }
        JSON_ARRAY => {
            for _ in 0..vector_len(r)? {
                skip_json(r, depth + 1)?;
            }
        }
        JSON_OBJECT => {
            for _ in 0..vector_len(r)? {
                let ctor = r.u32(WHAT)?;
                if ctor != JSON_OBJECT_VALUE {
                    return Err(Error::Malformed {
                        what: WHAT,
                        detail: format!("expected jsonObjectValue, got {ctor:#010x}"),
                    });
                }
                r.bytes(WHAT)?;
                skip_json(r, depth + 1)?;
            }
        }
        other => {
            return Err(Error::Malformed {
                what: WHAT,
                detail: format!("unknown JSONValue constructor {other:#010x}"),
            });
        }
    }
    Ok(())
}

fn vector_len(r: &mut Reader<'_>) -> Result<u32> {
    const WHAT: &str = "initConnection params";
    let ctor = r.u32(WHAT)?;
    if ctor != mid::VECTOR {
        return Err(Error::Malformed {
            what: WHAT,
            detail: format!("expected vector, got {ctor:#010x}"),
        });
    }
    r.u32(WHAT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use grammers_tl_types::{Serializable, functions as f, types as t};

    const LIMIT: usize = 1 << 20;

    /// A stand-in query: a real method with fields, so a misparse that
    /// drops or keeps a few bytes would show.
    fn query() -> Vec<u8> {
        f::messages::GetHistory {
            peer: tl::enums::InputPeer::PeerSelf,
            offset_id: 7,
            offset_date: 8,
            add_offset: 9,
            limit: 100,
            max_id: 0,
            min_id: 0,
            hash: 0,
        }
        .to_bytes()
    }

    /// Serializable wrapper that writes pre-serialized bytes verbatim.
    struct Raw(Vec<u8>);
    impl Serializable for Raw {
        fn serialize(&self, buf: &mut impl Extend<u8>) {
            buf.extend(self.0.iter().copied());
        }
    }

    fn init(query: Vec<u8>, proxy: bool, params: Option<tl::enums::Jsonvalue>) -> Vec<u8> {
        f::InitConnection {
            api_id: 12345,
            device_model: "dev".into(),
            system_version: "sys".into(),
            app_version: "1.0".into(),
            system_lang_code: "en".into(),
            lang_pack: "".into(),
            lang_code: "en".into(),
            proxy: proxy.then(|| {
                t::InputClientProxy {
                    address: "127.0.0.1".into(),
                    port: 1080,
                }
                .into()
            }),
            params,
            query: Raw(query),
        }
        .to_bytes()
    }

    fn layer(l: i32, query: Vec<u8>) -> Vec<u8> {
        f::InvokeWithLayer {
            layer: l,
            query: Raw(query),
        }
        .to_bytes()
    }

    fn without_updates(query: Vec<u8>) -> Vec<u8> {
        f::InvokeWithoutUpdates { query: Raw(query) }.to_bytes()
    }

    fn after_msg(query: Vec<u8>) -> Vec<u8> {
        f::InvokeAfterMsg {
            msg_id: 1234,
            query: Raw(query),
        }
        .to_bytes()
    }

    fn after_msgs(query: Vec<u8>) -> Vec<u8> {
        f::InvokeAfterMsgs {
            msg_ids: vec![1, 2, 3],
            query: Raw(query),
        }
        .to_bytes()
    }

    fn gz(query: Vec<u8>) -> Vec<u8> {
        message::gzip_packed(&query, Compression::fast())
    }

    #[test]
    fn unwrapped_request_is_borrowed_untouched() {
        let q = query();
        let p = peel(&q, LIMIT).unwrap();
        assert_eq!(&*p.query, &q[..]);
        assert!(matches!(p.query, Cow::Borrowed(_)));
        assert_eq!(p.layer, None);
        assert!(p.init.is_none());
    }

    #[test]
    fn grammers_first_request() {
        let body = layer(230, init(query(), false, None));
        let p = peel(&body, LIMIT).unwrap();
        assert_eq!(&*p.query, &query()[..]);
        assert_eq!(p.layer, Some(230));
        let i = p.init.unwrap();
        assert_eq!(i.api_id, 12345);
        assert_eq!(i.device_model, "dev");
        assert_eq!(i.lang_code, "en");
    }

    #[test]
    fn telethon_first_request_and_every_order() {
        let q = query();
        let cases = [
            layer(229, without_updates(init(q.clone(), false, None))),
            without_updates(layer(229, init(q.clone(), false, None))),
            after_msg(without_updates(layer(
                229,
                after_msgs(init(q.clone(), true, None)),
            ))),
            gz(layer(
                229,
                gz(without_updates(init(q.clone(), false, None))),
            )),
            without_updates(without_updates(after_msg(gz(layer(229, q.clone()))))),
        ];
        for (i, body) in cases.iter().enumerate() {
            let p = peel(body, LIMIT).unwrap_or_else(|e| panic!("case {i}: {e}"));
            assert_eq!(&*p.query, &q[..], "case {i}");
            assert_eq!(p.layer, Some(229), "case {i}");
        }
    }

    #[test]
    fn init_connection_optional_fields() {
        let params: tl::enums::Jsonvalue = t::JsonObject {
            value: vec![
                t::JsonObjectValue {
                    key: "tz_offset".into(),
                    value: t::JsonNumber { value: 3600.0 }.into(),
                }
                .into(),
                t::JsonObjectValue {
                    key: "list".into(),
                    value: t::JsonArray {
                        value: vec![
                            tl::enums::Jsonvalue::JsonNull,
                            t::JsonBool { value: true }.into(),
                            t::JsonString {
                                value: "x".repeat(300),
                            }
                            .into(),
                        ],
                    }
                    .into(),
                }
                .into(),
            ],
        }
        .into();
        let body = init(query(), true, Some(params.clone()));
        let p = peel(&body, LIMIT).unwrap();
        assert_eq!(&*p.query, &query()[..]);
        let i = p.init.unwrap();
        assert_eq!(i.params, Some(params));
        assert!(matches!(
            i.proxy,
            Some(tl::enums::InputClientProxy::Proxy(ref x)) if x.port == 1080
        ));
    }

    #[test]
    fn deep_json_is_refused_not_a_stack_overflow() {
        let mut v: tl::enums::Jsonvalue = tl::enums::Jsonvalue::JsonNull;
        for _ in 0..MAX_JSON_DEPTH + 5 {
            v = t::JsonArray { value: vec![v] }.into();
        }
        let body = init(query(), false, Some(v));
        assert!(matches!(peel(&body, LIMIT), Err(Error::TooDeep { .. })));

        // A hostile, far deeper nesting built by hand.
        let mut body = INIT_CONNECTION.to_le_bytes().to_vec();
        body.extend_from_slice(&2u32.to_le_bytes());
        body.extend_from_slice(&1i32.to_le_bytes());
        for _ in 0..6 {
            body.extend_from_slice(&[0, 0, 0, 0]);
        }
        for _ in 0..200_000 {
            body.extend_from_slice(&JSON_ARRAY.to_le_bytes());
            body.extend_from_slice(&mid::VECTOR.to_le_bytes());
            body.extend_from_slice(&1u32.to_le_bytes());
        }
        assert!(peel(&body, LIMIT).is_err());
    }

    #[test]
    fn truncated_wrappers_are_errors() {
        let body = layer(230, init(query(), true, None));
        // Cuts inside the layer, inside initConnection's flags, api_id and
        // strings: each leaves a field half-read.
        for cut in [6, 14, 18, 24, 40] {
            assert!(peel(&body[..cut], LIMIT).is_err(), "cut {cut}");
        }
        let body = after_msgs(query());
        assert!(peel(&body[..12], LIMIT).is_err());
    }

    #[test]
    fn a_proxy_of_the_wrong_type_is_refused() {
        let mut body = init(query(), true, None);
        // The proxy's constructor follows flags, api_id and six 4-byte strings.
        let at = 4 + 4 + 4 + 6 * 4;
        assert_eq!(&body[at..at + 4], &INPUT_CLIENT_PROXY.to_le_bytes());
        body[at] ^= 1;
        assert!(matches!(
            peel(&body, LIMIT),
            Err(Error::Malformed {
                what: "initConnection",
                ..
            })
        ));
    }

    #[test]
    fn short_remainders_are_returned_for_the_caller() {
        let body = layer(230, vec![1, 2]);
        let p = peel(&body, LIMIT).unwrap();
        assert_eq!(&*p.query, &[1, 2]);
        assert_eq!(p.layer, Some(230));
        let body = without_updates(vec![]);
        assert!(peel(&body, LIMIT).unwrap().query.is_empty());
    }

    #[test]
    fn gzip_limits_apply_inside_wrappers() {
        let body = layer(1, gz(vec![0; 4096]));
        assert!(matches!(
            peel(&body, 1000),
            Err(Error::GzipTooLarge { limit: 1000 })
        ));
    }

    #[test]
    fn wrapper_depth_is_bounded() {
        let mut body = query();
        for _ in 0..MAX_DEPTH + 1 {
            body = without_updates(body);
        }
        assert!(matches!(peel(&body, LIMIT), Err(Error::TooDeep { .. })));
        let mut body = query();
        for _ in 0..MAX_DEPTH - 1 {
            body = without_updates(body);
        }
        assert_eq!(&*peel(&body, LIMIT).unwrap().query, &query()[..]);
    }
}
