//! End-to-end: the server against grammers-mtproto's real client machinery
//! (and a hand-built client for what grammers hides), over loopback TCP.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use grammers_tl_types::{self as tl, Deserializable, Serializable};
use mtproto_server::message::{self, id};
use mtproto_server::transport::Kind;
use mtproto_server::{AuthKey, MAX_CLIENT_READ, ServerConfig, crypto};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Pre-serialized bytes as a TL query (grammers' generic wrappers want a
/// Serializable).
struct Raw(Vec<u8>);
impl Serializable for Raw {
    fn serialize(&self, buf: &mut impl Extend<u8>) {
        buf.extend(self.0.iter().copied());
    }
}

fn init_connection(query: Vec<u8>) -> tl::functions::InitConnection<Raw> {
    tl::functions::InitConnection {
        api_id: 1,
        device_model: "test".into(),
        system_version: "linux".into(),
        app_version: "0.0".into(),
        system_lang_code: "en".into(),
        lang_pack: "".into(),
        lang_code: "en".into(),
        proxy: None,
        params: None,
        query: Raw(query),
    }
}

#[tokio::test]
async fn request_gets_its_answer() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let body = echo(1, 2, 40);
    assert_eq!(c.invoke(body.clone()).await.ok(), body);
}

#[tokio::test]
async fn big_answer_arrives_gzip_packed_and_raw_stays_raw() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let n = 300_000;

    let before = c.received.load(std::sync::atomic::Ordering::Relaxed);
    let got = c.invoke(req_i32(method::BIG, n as i32)).await.ok();
    assert_eq!(got, big_result(method::BIG, n));
    let wire = c.received.load(std::sync::atomic::Ordering::Relaxed) - before;
    // grammers inflated it; on the wire it was a fraction of its size.
    assert!(wire < n / 20, "{wire} bytes on the wire for {n}");

    let before = c.received.load(std::sync::atomic::Ordering::Relaxed);
    let got = c.invoke(req_i32(method::BIG_RAW, n as i32)).await.ok();
    assert_eq!(got, big_result(method::BIG_RAW, n));
    let wire = c.received.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert!(wire > n, "ok_raw result was compressed ({wire} bytes)");
}

#[tokio::test]
async fn gzip_packed_on_the_wire() {
    // The same, seen from the raw client: rpc_result(gzip_packed(...)).
    let srv = TestServer::start().await;
    let mut c = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let id = c.send(&req_i32(method::BIG, 5000)).await;
    let m = c.recv_n(1).await.remove(0);
    let (req, inner) = message::parse_rpc_result(&m.body).unwrap();
    assert_eq!(req, id);
    assert_eq!(&inner[..4], &id::GZIP_PACKED.to_le_bytes());
    let mut r = message::Reader::new(&inner[4..]);
    let unpacked = message::gunzip(r.bytes("packed").unwrap(), 1 << 20).unwrap();
    assert_eq!(unpacked, big_result(method::BIG, 5000));

    // Below gzip_min (1024): not compressed.
    let id = c.send(&req_i32(method::BIG, 500)).await;
    let m = c.recv_n(1).await.remove(0);
    let (req, inner) = message::parse_rpc_result(&m.body).unwrap();
    assert_eq!(req, id);
    assert_eq!(inner, &big_result(method::BIG, 500)[..]);
}

#[tokio::test]
async fn rpc_error_arrives_as_error() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    assert_eq!(
        c.invoke(req_error(420, "FLOOD_WAIT_3")).await,
        Outcome::RpcError {
            code: 420,
            name: "FLOOD_WAIT_3".into()
        }
    );
    // The connection is still good.
    assert_eq!(c.invoke(echo(0, 0, 0)).await.ok(), echo(0, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_requests_from_eight_tasks() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let tasks: Vec<_> = (0..8u32)
        .map(|t| {
            let c = c.clone();
            tokio::spawn(async move {
                for i in 0..25u32 {
                    // Some over 512 bytes, which grammers sends gzip_packed.
                    let body = echo(t, i, if i % 5 == 0 { 3000 } else { i as usize * 7 });
                    assert_eq!(
                        c.invoke(body.clone()).await.ok(),
                        body,
                        "task {t} request {i}"
                    );
                }
            })
        })
        .collect();
    for t in tasks {
        within("task", t).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_connections_at_once() {
    let srv = TestServer::start().await;
    let mut tasks = Vec::new();
    for t in 0..8u32 {
        let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
        tasks.push(tokio::spawn(async move {
            let futs: Vec<_> = (0..25u32).map(|i| c.invoke(echo(t, i, 100))).collect();
            for (i, f) in futs.into_iter().enumerate() {
                assert_eq!(f.await.ok(), echo(t, i as u32, 100));
            }
        }));
    }
    for t in tasks {
        within("connection task", t).await.unwrap();
    }
}

#[tokio::test]
async fn requests_on_one_connection_run_concurrently() {
    // WAIT only finishes once RELEASE ran. WAIT is sent first, in its own
    // frame, so the server reads it first: if requests ran one after the
    // other on a connection, RELEASE would never start.
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let wait = raw.send(&req_i64(method::WAIT, 77)).await;
    let release = raw.send(&req_i64(method::RELEASE, 77)).await;
    let got = raw.recv_n(2).await;
    let answered: Vec<i64> = got
        .iter()
        .map(|m| message::parse_rpc_result(&m.body).unwrap().0)
        .collect();
    // RELEASE is answered first: WAIT was blocked until it ran.
    assert_eq!(answered, vec![release, wait]);
}

#[tokio::test]
async fn bad_connections_close_alone() {
    let srv = TestServer::start().await;
    let good = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    assert_eq!(good.invoke(echo(9, 0, 0)).await.ok(), echo(9, 0, 0));

    // 1. Garbage bytes.
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    s.write_all(&[0x55; 64]).await.unwrap();
    assert_eq!(closed_by_server(&mut s).await, 0, "garbage");

    // 2a. A truncated frame, then EOF.
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let mid = raw.msg_id();
    let plain = raw.plaintext(mid, &echo(1, 1, 8));
    let frame = raw.frame(&plain);
    raw.send_raw(&frame[..frame.len() / 2]).await;
    raw.stream.shutdown().await.unwrap();
    assert_eq!(
        closed_by_server(&mut raw.stream).await,
        0,
        "truncated frame"
    );

    // 2b. A well-framed but truncated encrypted payload (not 24 + 16k).
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let mut payload = crypto::encrypt_from_client(&srv.key, &plain);
    payload.truncate(payload.len() - 4);
    let mut f = Vec::new();
    mtproto_server::transport::ClientCodec::new(Kind::Full).encode(&payload, &mut f);
    raw.send_raw(&f).await;
    assert_eq!(
        closed_by_server(&mut raw.stream).await,
        0,
        "truncated payload"
    );

    // 3. A key the server does not know: closed, and no -404.
    let stranger = AuthKey::generate();
    let mut raw = RawClient::connect(srv.addr, &stranger, Kind::Full).await;
    raw.send(&echo(1, 1, 0)).await;
    assert_eq!(closed_by_server(&mut raw.stream).await, 0, "unknown key");

    // 3b. auth_key_id 0 (a key exchange attempt).
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    let mut plain_msg = vec![0u8; 8];
    plain_msg.extend((1i64 << 40).to_le_bytes());
    plain_msg.extend(20i32.to_le_bytes());
    plain_msg.extend([0u8; 20]);
    let mut f = Vec::new();
    mtproto_server::transport::ClientCodec::new(Kind::Full).encode(&plain_msg, &mut f);
    s.write_all(&f).await.unwrap();
    assert_eq!(closed_by_server(&mut s).await, 0, "plain message");

    // 4. A bad msg_key (one flipped ciphertext bit).
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let mut payload = crypto::encrypt_from_client(&srv.key, &plain);
    let n = payload.len();
    payload[n - 1] ^= 1;
    let mut f = Vec::new();
    mtproto_server::transport::ClientCodec::new(Kind::Full).encode(&payload, &mut f);
    raw.send_raw(&f).await;
    assert_eq!(closed_by_server(&mut raw.stream).await, 0, "bad msg_key");

    // 5. A bad crc.
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let mut f = raw.frame(&plain);
    let n = f.len();
    f[n - 2] ^= 0xff;
    raw.send_raw(&f).await;
    assert_eq!(closed_by_server(&mut raw.stream).await, 0, "bad crc");

    // The good client, on its own connection, is still served.
    for i in 0..5 {
        assert_eq!(good.invoke(echo(9, i, 10)).await.ok(), echo(9, i, 10));
    }
}

#[tokio::test]
async fn oversized_client_frame_closes_the_connection() {
    let config = ServerConfig {
        max_frame: 4096,
        ..ServerConfig::new(2)
    };
    let srv = TestServer::start_with(config, AuthKey::generate()).await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Intermediate).await;
    // Only the header of a 1 MiB frame: its length alone condemns it.
    let mut f = vec![0xee; 4];
    f.extend((1u32 << 20).to_le_bytes());
    raw.send_raw(&f).await;
    assert_eq!(closed_by_server(&mut raw.stream).await, 0);

    // A frame under the limit on another connection is fine.
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Intermediate).await;
    raw.send(&echo(1, 1, 1000)).await;
    let m = raw.recv_n(1).await.remove(0);
    assert_eq!(
        message::parse_rpc_result(&m.body).unwrap().1,
        &echo(1, 1, 1000)[..]
    );
}

#[tokio::test]
async fn intermediate_transport_end_to_end() {
    let key = key_safe_for_grammers_abridged();
    let srv = TestServer::start_with(ServerConfig::new(2), key).await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Intermediate).await;
    for i in 0..20 {
        let body = echo(3, i, i as usize * 97);
        assert_eq!(c.invoke(body.clone()).await.ok(), body);
    }
    assert_eq!(
        c.invoke(req_i32(method::BIG, 200_000)).await.ok(),
        big_result(method::BIG, 200_000)
    );
    assert_eq!(
        c.invoke(req_i32(method::BIG_RAW, 200_000)).await.ok(),
        big_result(method::BIG_RAW, 200_000)
    );
}

#[tokio::test]
async fn abridged_transport_end_to_end() {
    let key = key_safe_for_grammers_abridged();
    let srv = TestServer::start_with(ServerConfig::new(2), key).await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Abridged).await;
    // Short (one-byte length) and long (four-byte length) frames.
    for i in 0..20 {
        let body = echo(4, i, i as usize * 61);
        assert_eq!(c.invoke(body.clone()).await.ok(), body);
    }
    assert_eq!(
        c.invoke(req_i32(method::BIG_RAW, 100_000)).await.ok(),
        big_result(method::BIG_RAW, 100_000)
    );
}

#[tokio::test]
async fn padded_intermediate_end_to_end() {
    // grammers has no padded transport; the raw client speaks it.
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::PaddedIntermediate).await;
    for i in 0..10 {
        let id = raw.send(&echo(5, i, i as usize * 13)).await;
        let m = raw.recv_n(1).await.remove(0);
        let (req, inner) = message::parse_rpc_result(&m.body).unwrap();
        assert_eq!(req, id);
        assert_eq!(inner, &echo(5, i, i as usize * 13)[..]);
    }
}

#[tokio::test]
async fn wrappers_are_peeled_and_the_layer_remembered_per_key() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    // Telethon's first request shape.
    let first = tl::functions::InvokeWithLayer {
        layer: 229,
        query: tl::functions::InvokeWithoutUpdates {
            query: init_connection(req(method::CTX)),
        },
    }
    .to_bytes();
    let seen = CtxSeen::parse(&c.invoke(first).await.ok());
    assert_eq!(seen.layer, Some(229));
    assert_eq!(seen.dc_id, 2);
    assert_eq!(seen.auth_key_id, srv.key.id());
    assert_eq!(srv.keys.layer(srv.key.id()), Some(229));

    // Later requests, and a new connection that skips initConnection (as
    // Telethon does after a reconnect), still see the layer.
    let plain = CtxSeen::parse(&c.invoke(req(method::CTX)).await.ok());
    assert_eq!(plain.layer, Some(229));
    assert_eq!(plain.conn_id, seen.conn_id);

    let c2 = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let other = CtxSeen::parse(&c2.invoke(req(method::CTX)).await.ok());
    assert_eq!(other.layer, Some(229));
    assert_ne!(other.conn_id, seen.conn_id);
    assert_ne!(other.session_id, seen.session_id);

    // A wrapped echo reaches the handler as the bare method.
    let inner = echo(7, 7, 2000);
    let wrapped = tl::functions::InvokeWithLayer {
        layer: 230,
        query: init_connection(
            tl::functions::InvokeAfterMsg {
                msg_id: 1,
                query: Raw(inner.clone()),
            }
            .to_bytes(),
        ),
    }
    .to_bytes();
    assert_eq!(c2.invoke(wrapped).await.ok(), inner);
    assert_eq!(srv.keys.layer(srv.key.id()), Some(230));
}

#[tokio::test]
async fn ctx_carries_the_request_msg_id() {
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let id = raw.send(&req(method::CTX)).await;
    let m = raw.recv_n(1).await.remove(0);
    let seen = CtxSeen::parse(message::parse_rpc_result(&m.body).unwrap().1);
    assert_eq!(seen.msg_id, id);
    assert_eq!(seen.session_id, raw.session_id);
    assert_eq!(seen.layer, None);
}

#[tokio::test]
async fn ping_and_ping_delay_disconnect_get_top_level_pongs() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    // grammers reports a top-level pong as the ping's result.
    let got = c
        .invoke(tl::functions::Ping { ping_id: 4242 }.to_bytes())
        .await
        .ok();
    let tl::enums::Pong::Pong(p) = tl::enums::Pong::from_bytes(&got).unwrap();
    assert_eq!(p.ping_id, 4242);
    let got = c
        .invoke(
            tl::functions::PingDelayDisconnect {
                ping_id: 99,
                disconnect_delay: 75,
            }
            .to_bytes(),
        )
        .await
        .ok();
    let tl::enums::Pong::Pong(p) = tl::enums::Pong::from_bytes(&got).unwrap();
    assert_eq!(p.ping_id, 99);

    // And on the wire it is not inside an rpc_result.
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let id = raw.send(&message::ping(5)).await;
    let m = raw.recv_n(1).await.remove(0);
    assert_eq!(m.body, message::pong(id, 5));
}

#[tokio::test]
async fn get_future_salts_gets_top_level_future_salts_with_salt_zero() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let got = c
        .invoke(tl::functions::GetFutureSalts { num: 3 }.to_bytes())
        .await
        .ok();
    let tl::enums::FutureSalts::Salts(s) = tl::enums::FutureSalts::from_bytes(&got).unwrap();
    assert_eq!(s.salts.0.len(), 3);
    assert!(s.salts.0.iter().all(|x| x.salt == 0));
    // grammers adopted them and keeps working.
    assert_eq!(c.invoke(echo(1, 1, 1)).await.ok(), echo(1, 1, 1));

    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let id = raw
        .send(&tl::functions::GetFutureSalts { num: 2 }.to_bytes())
        .await;
    let m = raw.recv_n(1).await.remove(0);
    assert_eq!(&m.body[..4], &id::FUTURE_SALTS.to_le_bytes());
    assert_eq!(&m.body[4..12], &id.to_le_bytes());
}

#[tokio::test]
async fn panicking_handler_answers_500_internal() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let internal = Outcome::RpcError {
        code: 500,
        name: "INTERNAL".into(),
    };
    assert_eq!(c.invoke(req(method::PANIC_SYNC)).await, internal);
    assert_eq!(c.invoke(req(method::PANIC_ASYNC)).await, internal);
    // A result that would corrupt the stream is refused the same way.
    assert_eq!(c.invoke(req(method::UNALIGNED)).await, internal);
    assert_eq!(c.invoke(echo(1, 2, 3)).await.ok(), echo(1, 2, 3));
}

#[tokio::test]
async fn short_bodies_are_input_method_invalid() {
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let invalid = Outcome::RpcError {
        code: 400,
        name: "INPUT_METHOD_INVALID".into(),
    };
    assert_eq!(c.invoke(vec![]).await, invalid);
    // Also when only wrappers were there.
    let wrapped = tl::functions::InvokeWithLayer {
        layer: 230,
        query: Raw(vec![]),
    }
    .to_bytes();
    assert_eq!(c.invoke(wrapped).await, invalid);
    // A truncated wrapper is an error for that request only.
    let mut broken = tl::functions::InvokeWithLayer {
        layer: 230,
        query: init_connection(req(method::ECHO)),
    }
    .to_bytes();
    broken.truncate(20);
    assert_eq!(
        c.invoke(broken).await,
        Outcome::RpcError {
            code: 400,
            name: "INPUT_FETCH_FAIL".into()
        }
    );
    assert_eq!(c.invoke(echo(0, 1, 0)).await.ok(), echo(0, 1, 0));
}

#[tokio::test]
async fn reply_drop_closes_only_that_connection() {
    let srv = TestServer::start().await;
    let other = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    // grammers sees the drop as a closed connection.
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    assert!(matches!(
        c.invoke(req(method::DROP)).await,
        Outcome::Closed(_)
    ));

    // A request still running on the dropped connection is dropped with it:
    // WAIT (read first, so running) never answers, nothing else arrives.
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    raw.send(&req_i64(method::WAIT, 5)).await;
    raw.send(&req(method::DROP)).await;
    assert!(raw.recv().await.is_none());

    assert_eq!(other.invoke(echo(2, 2, 2)).await.ok(), echo(2, 2, 2));
}

#[tokio::test]
async fn acks_of_unknown_ids_and_ignored_service_messages_are_harmless() {
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    raw.send(&message::msgs_ack(&[1, 2, 3, i64::MAX])).await;
    raw.send(
        &tl::enums::MsgsStateReq::Req(tl::types::MsgsStateReq { msg_ids: vec![8] }).to_bytes(),
    )
    .await;
    let ids = raw
        .send_container(&[message::msgs_ack(&[42]), echo(1, 0, 0)])
        .await;
    let m = raw.recv_n(1).await.remove(0);
    let (req, inner) = message::parse_rpc_result(&m.body).unwrap();
    assert_eq!(req, ids[1]);
    assert_eq!(inner, &echo(1, 0, 0)[..]);
}

#[tokio::test]
async fn destroy_session_and_rpc_drop_answer() {
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let own = raw.session_id;
    raw.send(
        &tl::functions::DestroySession {
            session_id: own ^ 1,
        }
        .to_bytes(),
    )
    .await;
    let m = raw.recv_n(1).await.remove(0);
    assert_eq!(m.body, message::destroy_session_none(own ^ 1));
    raw.send(&tl::functions::DestroySession { session_id: own }.to_bytes())
        .await;
    let m = raw.recv_n(1).await.remove(0);
    assert_eq!(m.body, message::destroy_session_ok(own));

    let id = raw
        .send(&tl::functions::RpcDropAnswer { req_msg_id: 12345 }.to_bytes())
        .await;
    let m = raw.recv_n(1).await.remove(0);
    assert_eq!(
        m.body,
        message::rpc_result(id, &message::rpc_answer_unknown())
    );
}

#[tokio::test]
async fn server_msg_ids_seq_nos_and_session() {
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    // A container of requests: answers come back, likely batched into
    // containers of their own.
    let bodies: Vec<Vec<u8>> = (0..40).map(|i| echo(8, i, 16)).collect();
    let mut sent = raw.send_container(&bodies).await;
    sent.push(raw.send(&message::ping(1)).await);
    let got = raw.recv_n(41).await;

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut seen_ids = HashSet::new();
    let mut last_top = 0i64;
    let mut last_content_seq = -1;
    let mut answered = HashSet::new();
    for m in &got {
        assert_eq!(m.session_id, raw.session_id, "session echoed");
        assert_eq!(m.salt, 0);
        assert_eq!(m.msg_id & 3, 1, "server msg_id ≡ 1 mod 4");
        assert!(((m.msg_id >> 32) - now).abs() < 30, "msg_id time is now");
        assert!(seen_ids.insert(m.msg_id), "msg_id repeated");
        // Content-related (rpc_result, pong): odd, each 2 above the last.
        assert_eq!(m.seq_no & 1, 1);
        assert!(m.seq_no > last_content_seq);
        last_content_seq = m.seq_no;
        let top = match m.container {
            Some((cid, cseq)) => {
                assert_eq!(cid & 3, 1);
                assert!(cid > m.msg_id, "container id above its messages");
                assert_eq!(cseq & 1, 0, "container seq_no even");
                assert!(cseq > m.seq_no, "container seq_no after its messages'");
                cid
            }
            None => m.msg_id,
        };
        assert!(top >= last_top, "frames in increasing msg_id order");
        last_top = top;
        let req = if m.body[..4] == id::PONG.to_le_bytes() {
            i64::from_le_bytes(m.body[4..12].try_into().unwrap())
        } else {
            message::parse_rpc_result(&m.body).unwrap().0
        };
        answered.insert(req);
    }
    assert_eq!(answered, sent.into_iter().collect::<HashSet<_>>());
    // seq_nos count every content message: 41 of them, 1..=81.
    assert_eq!(last_content_seq, 81);
}

#[tokio::test]
async fn one_mib_file_part_fits_one_frame_and_bigger_is_refused() {
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    // An upload.file carrying 1 MiB: 4 + 4 + 4 + (4 + 1 MiB) bytes.
    let n = 1024 * 1024 + 12;
    let id = raw.send(&req_i32(method::BIG_RAW, n as i32)).await;
    let m = raw.recv_n(1).await.remove(0);
    assert!(
        m.frame_len < MAX_CLIENT_READ,
        "frame of {} bytes",
        m.frame_len
    );
    let (req, inner) = message::parse_rpc_result(&m.body).unwrap();
    assert_eq!(req, id);
    assert_eq!(inner.len(), 4 + n);

    let id = raw.send(&req_i32(method::BIG_RAW, 2 * 1024 * 1024)).await;
    let m = raw.recv_n(1).await.remove(0);
    let (req, inner) = message::parse_rpc_result(&m.body).unwrap();
    assert_eq!(req, id);
    assert_eq!(
        message::parse_rpc_error(inner).unwrap(),
        (500, "RESULT_TOO_LARGE".to_string())
    );
}

#[tokio::test]
async fn gzip_packed_requests_and_containers_from_the_raw_client() {
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Abridged).await;
    let body = echo(6, 6, 5000);
    let packed = message::gzip_packed(&body, flate2::Compression::best());
    let ids = raw.send_container(&[packed, message::ping(3)]).await;
    let got = raw.recv_n(2).await;
    let mut answers: Vec<(i64, Vec<u8>)> = got
        .iter()
        .map(|m| {
            if m.body[..4] == id::PONG.to_le_bytes() {
                (
                    i64::from_le_bytes(m.body[4..12].try_into().unwrap()),
                    m.body.clone(),
                )
            } else {
                let (r, inner) = message::parse_rpc_result(&m.body).unwrap();
                let mut rd = message::Reader::new(&inner[4..]);
                assert_eq!(&inner[..4], &id::GZIP_PACKED.to_le_bytes());
                (r, message::gunzip(rd.bytes("p").unwrap(), 1 << 20).unwrap())
            }
        })
        .collect();
    answers.sort();
    let mut expected = vec![(ids[0], body), (ids[1], message::pong(ids[1], 3))];
    expected.sort();
    assert_eq!(answers, expected);

    // A nested container is malformed: the connection closes.
    let inner = message::msg_container(&[(raw.msg_id(), 1, &echo(0, 0, 0)[..])]);
    raw.send_container(&[inner]).await;
    assert!(raw.recv().await.is_none());
}

#[tokio::test]
async fn shutdown_closes_the_listener_and_connections() {
    let mut srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    // WAIT is read before the echo, so once the echo is answered WAIT is
    // running in its task.
    raw.send(&req_i64(method::WAIT, 1)).await;
    let id = raw.send(&echo(1, 1, 1)).await;
    let m = raw.recv_n(1).await.remove(0);
    assert_eq!(message::parse_rpc_result(&m.body).unwrap().0, id);

    srv.stop().await;
    // The connection is closed and the running request dropped.
    assert!(raw.recv().await.is_none());
    assert!(TcpStream::connect(srv.addr).await.is_err());
}

#[tokio::test]
async fn two_servers_share_a_key_ring() {
    // Two dcs, one ring: a key inserted once works on both, and each
    // reports its own dc.
    let keys = Arc::new(mtproto_server::KeyRing::new());
    let key = AuthKey::generate();
    keys.insert(key.clone());
    let mut addrs = Vec::new();
    for dc in [1, 4] {
        let s = mtproto_server::Server::bind(
            "127.0.0.1:0".parse().unwrap(),
            ServerConfig::new(dc),
            keys.clone(),
            Arc::new(TestHandler::default()),
        )
        .await
        .unwrap();
        addrs.push((dc, s.local_addr()));
        tokio::spawn(s.run(std::future::pending()));
    }
    for (dc, addr) in addrs {
        let c = GrammersClient::connect(addr, &key, GT::Full).await;
        assert_eq!(
            CtxSeen::parse(&c.invoke(req(method::CTX)).await.ok()).dc_id,
            dc
        );
    }
}

#[tokio::test]
async fn answers_queued_together_share_a_container() {
    // Pongs are queued by the reader in one go (no await in between), so
    // the writer finds them all at once: one frame, one container. The
    // test runtime is single-threaded, which makes that deterministic.
    let srv = TestServer::start().await;
    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let pings: Vec<Vec<u8>> = (0..10).map(message::ping).collect();
    let ids = raw.send_container(&pings).await;
    let frame = raw.recv().await.unwrap();
    assert_eq!(frame.len(), 10);
    let cid = frame[0].container.expect("in a container").0;
    for (i, m) in frame.iter().enumerate() {
        assert_eq!(m.container.unwrap().0, cid);
        assert_eq!(m.body, message::pong(ids[i], i as i64));
    }
}

#[tokio::test]
async fn wrapped_service_functions_are_answered_in_rpc_results() {
    // Telethon with receive_updates=False sends invokeWithoutUpdates(ping):
    // an ordinary RPC, answered by the server itself in an rpc_result.
    let srv = TestServer::start().await;
    let c = GrammersClient::connect(srv.addr, &srv.key, GT::Full).await;
    let got = c
        .invoke(
            tl::functions::InvokeWithoutUpdates {
                query: tl::functions::Ping { ping_id: 31 },
            }
            .to_bytes(),
        )
        .await
        .ok();
    let tl::enums::Pong::Pong(p) = tl::enums::Pong::from_bytes(&got).unwrap();
    assert_eq!(p.ping_id, 31);

    let mut raw = RawClient::connect(srv.addr, &srv.key, Kind::Full).await;
    let ping = tl::functions::InvokeWithoutUpdates {
        query: tl::functions::Ping { ping_id: 32 },
    }
    .to_bytes();
    let id = raw.send(&ping).await;
    let m = raw.recv_n(1).await.remove(0);
    assert_eq!(m.body, message::rpc_result(id, &message::pong(id, 32)));

    let salts = tl::functions::InvokeWithLayer {
        layer: 229,
        query: tl::functions::GetFutureSalts { num: 1 },
    }
    .to_bytes();
    let id = raw.send(&salts).await;
    let m = raw.recv_n(1).await.remove(0);
    let (req, inner) = message::parse_rpc_result(&m.body).unwrap();
    assert_eq!(req, id);
    let tl::enums::FutureSalts::Salts(s) = tl::enums::FutureSalts::from_bytes(inner).unwrap();
    assert_eq!((s.req_msg_id, s.salts.0.len()), (id, 1));

    // A truncated service function behind a wrapper is that request's error.
    let mut broken = ping.clone();
    broken.truncate(broken.len() - 4);
    let id = raw.send(&broken).await;
    let m = raw.recv_n(1).await.remove(0);
    let (req, inner) = message::parse_rpc_result(&m.body).unwrap();
    assert_eq!(req, id);
    assert_eq!(
        message::parse_rpc_error(inner).unwrap(),
        (400, "INPUT_FETCH_FAIL".to_string())
    );
}
