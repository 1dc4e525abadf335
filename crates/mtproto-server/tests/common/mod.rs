//! Shared test fixtures: a server with a small echo handler, a client built
//! from grammers-mtproto's own client machinery (its `Encrypted` MTP state
//! and its transports, driven over a tokio TcpStream the way
//! grammers-mtsender's `Sender` drives them), and a raw client that builds
//! messages by hand for what grammers hides (msg_ids, seq_nos, containers).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use grammers_crypto::DequeBuffer;
use grammers_mtproto::MsgId;
use grammers_mtproto::mtp::{self, Deserialization, Encrypted, Mtp};
use grammers_mtproto::transport::{self as gt, Transport};
use mtproto_server::message::{self, PlainHeader};
use mtproto_server::transport::{ClientCodec, Decoded, Kind};
use mtproto_server::{AuthKey, CallContext, Handler, KeyRing, Reply, Server, ServerConfig, crypto};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

/// Failsafe for every wait: tests never depend on timing, but a bug must
/// fail a test rather than hang it.
pub const FAILSAFE: Duration = Duration::from_secs(30);

pub async fn within<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(FAILSAFE, f)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

// ---------------------------------------------------------------------------
// Test handler
// ---------------------------------------------------------------------------

/// Methods of the test handler (made-up constructor ids).
pub mod method {
    /// Echoes the whole body (constructor included) as the result.
    pub const ECHO: u32 = 0xec00_0001;
    /// `n:int` → a compressible result of ~n bytes, gzip allowed.
    pub const BIG: u32 = 0xec00_0002;
    /// Same, gzip not allowed (like a file part).
    pub const BIG_RAW: u32 = 0xec00_0003;
    /// `code:int message:string` → rpc_error.
    pub const ERROR: u32 = 0xec00_0004;
    /// Panics inside `call`, before returning a future.
    pub const PANIC_SYNC: u32 = 0xec00_0005;
    /// Panics inside the future, after an await.
    pub const PANIC_ASYNC: u32 = 0xec00_0006;
    /// Reply::Drop.
    pub const DROP: u32 = 0xec00_0007;
    /// Answers with what the CallContext said (see [`super::CtxSeen`]).
    pub const CTX: u32 = 0xec00_0008;
    /// `token:long`: waits until RELEASE with the same token arrives.
    pub const WAIT: u32 = 0xec00_0009;
    /// `token:long`: releases a WAIT.
    pub const RELEASE: u32 = 0xec00_000a;
    /// A result that is not 4-byte aligned (a handler bug).
    pub const UNALIGNED: u32 = 0xec00_000b;
}

#[derive(Default)]
pub struct TestHandler {
    gates: Mutex<HashMap<i64, Arc<Notify>>>,
}

impl TestHandler {
    fn gate(&self, token: i64) -> Arc<Notify> {
        self.gates.lock().unwrap().entry(token).or_default().clone()
    }
}

/// The compressible result BIG and BIG_RAW return: the constructor, then
/// `n` bytes of text.
pub fn big_result(ctor: u32, n: usize) -> Vec<u8> {
    let mut out = ctor.to_le_bytes().to_vec();
    out.extend((0..n).map(|i| b"mtproto server "[i % 15]));
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    out
}

fn arg_i64(body: &[u8]) -> i64 {
    i64::from_le_bytes(body[4..12].try_into().unwrap())
}

fn arg_i32(body: &[u8]) -> i32 {
    i32::from_le_bytes(body[4..8].try_into().unwrap())
}

impl Handler for TestHandler {
    fn call(
        &self,
        ctx: CallContext,
        body: Vec<u8>,
    ) -> impl std::future::Future<Output = Reply> + Send {
        let ctor = u32::from_le_bytes(body[..4].try_into().unwrap());
        if ctor == method::PANIC_SYNC {
            panic!("test handler: synchronous panic");
        }
        let gate = match ctor {
            method::WAIT | method::RELEASE => Some(self.gate(arg_i64(&body))),
            _ => None,
        };
        async move {
            match ctor {
                method::ECHO => Reply::ok(body),
                method::BIG => Reply::ok(big_result(ctor, arg_i32(&body) as usize)),
                method::BIG_RAW => Reply::ok_raw(big_result(ctor, arg_i32(&body) as usize)),
                method::ERROR => {
                    let mut r = message::Reader::new(&body[4..]);
                    let code = r.i32("code").unwrap();
                    let msg = String::from_utf8(r.bytes("msg").unwrap().to_vec()).unwrap();
                    Reply::error(code, msg)
                }
                method::PANIC_ASYNC => {
                    tokio::task::yield_now().await;
                    panic!("test handler: asynchronous panic");
                }
                method::DROP => Reply::Drop,
                method::UNALIGNED => Reply::ok_raw(vec![1, 2, 3, 4, 5]),
                method::CTX => Reply::ok(CtxSeen::from_ctx(&ctx).to_bytes()),
                method::WAIT => {
                    gate.unwrap().notified().await;
                    Reply::ok(body)
                }
                method::RELEASE => {
                    // notify_one stores a permit if WAIT is not waiting yet.
                    gate.unwrap().notify_one();
                    Reply::ok(body)
                }
                _ => Reply::error(400, "METHOD_UNKNOWN"),
            }
        }
    }
}

/// What the handler saw in its CallContext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtxSeen {
    pub dc_id: i32,
    pub layer: Option<i32>,
    pub auth_key_id: u64,
    pub session_id: i64,
    pub msg_id: i64,
    pub conn_id: u64,
}

impl CtxSeen {
    fn from_ctx(c: &CallContext) -> Self {
        Self {
            dc_id: c.dc_id,
            layer: c.layer,
            auth_key_id: c.auth_key_id,
            session_id: c.session_id,
            msg_id: c.msg_id,
            conn_id: c.conn_id,
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = method::CTX.to_le_bytes().to_vec();
        out.extend(self.dc_id.to_le_bytes());
        out.extend(self.layer.unwrap_or(-1).to_le_bytes());
        out.extend(self.auth_key_id.to_le_bytes());
        out.extend(self.session_id.to_le_bytes());
        out.extend(self.msg_id.to_le_bytes());
        out.extend(self.conn_id.to_le_bytes());
        out
    }

    pub fn parse(b: &[u8]) -> Self {
        let i32_at = |o: usize| i32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        let i64_at = |o: usize| i64::from_le_bytes(b[o..o + 8].try_into().unwrap());
        assert_eq!(&b[..4], &method::CTX.to_le_bytes());
        let layer = i32_at(8);
        Self {
            dc_id: i32_at(4),
            layer: (layer != -1).then_some(layer),
            auth_key_id: i64_at(12) as u64,
            session_id: i64_at(20),
            msg_id: i64_at(28),
            conn_id: i64_at(36) as u64,
        }
    }
}

pub fn req(ctor: u32) -> Vec<u8> {
    ctor.to_le_bytes().to_vec()
}

pub fn req_i32(ctor: u32, v: i32) -> Vec<u8> {
    let mut b = req(ctor);
    b.extend(v.to_le_bytes());
    b
}

pub fn req_i64(ctor: u32, v: i64) -> Vec<u8> {
    let mut b = req(ctor);
    b.extend(v.to_le_bytes());
    b
}

pub fn req_error(code: i32, msg: &str) -> Vec<u8> {
    let mut b = req_i32(method::ERROR, code);
    message::put_bytes(&mut b, msg.as_bytes());
    b
}

/// An echo request whose body is unique to (task, i).
pub fn echo(task: u32, i: u32, extra: usize) -> Vec<u8> {
    let mut b = req(method::ECHO);
    b.extend(task.to_le_bytes());
    b.extend(i.to_le_bytes());
    b.extend((0..extra).map(|j| (j as u32 ^ task ^ i) as u8));
    while !b.len().is_multiple_of(4) {
        b.push(0);
    }
    b
}

// ---------------------------------------------------------------------------
// Server fixture
// ---------------------------------------------------------------------------

pub struct TestServer {
    pub addr: SocketAddr,
    pub key: AuthKey,
    pub keys: Arc<KeyRing>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::new(2), AuthKey::generate()).await
    }

    pub async fn start_with(config: ServerConfig, key: AuthKey) -> Self {
        let keys = Arc::new(KeyRing::new());
        keys.insert(key.clone());
        let server = Server::bind(
            "127.0.0.1:0".parse().unwrap(),
            config,
            keys.clone(),
            Arc::new(TestHandler::default()),
        )
        .await
        .unwrap();
        let addr = server.local_addr();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            key,
            keys,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server and waits for `run` to return.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            within("server shutdown", t).await.unwrap();
        }
    }
}

/// A key whose auth_key_id, read as the first i32 of a frame payload, is
/// not negative: grammers' Abridged (and Intermediate) `unpack` treat a
/// negative first word of a short frame as a transport error code.
pub fn key_safe_for_grammers_abridged() -> AuthKey {
    loop {
        let k = AuthKey::generate();
        if k.id() & 0x8000_0000 == 0 {
            return k;
        }
    }
}

// ---------------------------------------------------------------------------
// grammers client
// ---------------------------------------------------------------------------

/// How a request ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok(Vec<u8>),
    RpcError {
        code: i32,
        name: String,
    },
    /// The connection closed (or failed) before an answer.
    Closed(String),
    /// grammers could not make sense of the answer.
    Failure(String),
    BadMessage(i32),
}

impl Outcome {
    #[track_caller]
    pub fn ok(self) -> Vec<u8> {
        match self {
            Outcome::Ok(b) => b,
            other => panic!("expected a result, got {other:?}"),
        }
    }
}

enum Cmd {
    Invoke(Vec<u8>, oneshot::Sender<Outcome>),
}

/// A connection driven by grammers-mtproto's `Encrypted` and a grammers
/// transport. Cheap to clone; requests from clones are pipelined over the
/// one connection and may share containers, as grammers does.
#[derive(Clone)]
pub struct GrammersClient {
    tx: mpsc::UnboundedSender<Cmd>,
    /// Bytes read from the socket so far.
    pub received: Arc<AtomicUsize>,
}

#[derive(Clone, Copy, Debug)]
pub enum GT {
    Full,
    Intermediate,
    Abridged,
}

impl GrammersClient {
    pub async fn connect(addr: SocketAddr, key: &AuthKey, transport: GT) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let mtp = Encrypted::build().finish(*key.bytes());
        let (tx, rx) = mpsc::unbounded_channel();
        let received = Arc::new(AtomicUsize::new(0));
        let r = received.clone();
        match transport {
            GT::Full => tokio::spawn(drive(stream, gt::Full::new(), mtp, rx, r, false)),
            GT::Intermediate => {
                tokio::spawn(drive(stream, gt::Intermediate::new(), mtp, rx, r, true))
            }
            GT::Abridged => tokio::spawn(drive(stream, gt::Abridged::new(), mtp, rx, r, false)),
        };
        Self { tx, received }
    }

    pub async fn invoke(&self, body: Vec<u8>) -> Outcome {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Cmd::Invoke(body, tx)).is_err() {
            return Outcome::Closed("client driver gone".into());
        }
        within("grammers invoke", rx)
            .await
            .unwrap_or_else(|_| Outcome::Closed("driver dropped the request".into()))
    }
}

/// grammers' Intermediate `unpack` only checks `buffer.len() >= len`, not
/// `>= 4 + len`, so it can hand out a frame three bytes short. Only call
/// it on complete frames.
fn intermediate_complete(buf: &[u8]) -> bool {
    buf.len() >= 4 && buf.len() - 4 >= u32::from_le_bytes(buf[..4].try_into().unwrap()) as usize
}

const LEADING: usize = mtp::MAX_TRANSPORT_HEADER_LEN
    + mtp::ENCRYPTED_PACKET_HEADER_LEN
    + mtp::PLAIN_PACKET_HEADER_LEN
    + mtp::MESSAGE_CONTAINER_HEADER_LEN;

async fn drive<T: Transport + Send + 'static>(
    stream: TcpStream,
    mut transport: T,
    mut mtp: Encrypted,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    received: Arc<AtomicUsize>,
    intermediate: bool,
) {
    let (mut rd, mut wr) = stream.into_split();
    let mut pending: HashMap<MsgId, oneshot::Sender<Outcome>> = HashMap::new();
    let mut read_buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let fail_all = |pending: &mut HashMap<MsgId, oneshot::Sender<Outcome>>, why: String| {
        for (_, tx) in pending.drain() {
            let _ = tx.send(Outcome::Closed(why.clone()));
        }
    };
    loop {
        tokio::select! {
            cmd = rx.recv() => {
                let Some(Cmd::Invoke(body, reply)) = cmd else { return };
                let mut batch = vec![(body, reply)];
                while let Ok(Cmd::Invoke(b, r)) = rx.try_recv() {
                    batch.push((b, r));
                }
                let mut buffer = DequeBuffer::with_capacity(1 << 16, LEADING);
                for (body, reply) in batch {
                    let id = match mtp.push(&mut buffer, &body) {
                        Some(id) => id,
                        None => {
                            // Container full: send it, start another.
                            if mtp.finalize(&mut buffer).is_some() {
                                transport.pack(&mut buffer);
                                if wr.write_all(buffer.as_ref()).await.is_err() {
                                    let _ = reply.send(Outcome::Closed("write failed".into()));
                                    fail_all(&mut pending, "write failed".into());
                                    return;
                                }
                            }
                            buffer = DequeBuffer::with_capacity(1 << 16, LEADING);
                            mtp.push(&mut buffer, &body).expect("fits an empty container")
                        }
                    };
                    pending.insert(id, reply);
                }
                if mtp.finalize(&mut buffer).is_some() {
                    transport.pack(&mut buffer);
                    if wr.write_all(buffer.as_ref()).await.is_err() {
                        fail_all(&mut pending, "write failed".into());
                        return;
                    }
                }
            }
            n = rd.read_buf(&mut read_buf) => {
                let n = match n {
                    Ok(0) => { fail_all(&mut pending, "connection closed".into()); return; }
                    Ok(n) => n,
                    Err(e) => { fail_all(&mut pending, format!("read error: {e}")); return; }
                };
                received.fetch_add(n, Ordering::Relaxed);
                loop {
                    if intermediate && !intermediate_complete(&read_buf) {
                        break;
                    }
                    let off = match transport.unpack(&mut read_buf[..]) {
                        Ok(off) => off,
                        Err(gt::Error::MissingBytes) => break,
                        Err(e) => { fail_all(&mut pending, format!("transport: {e}")); return; }
                    };
                    let results = match mtp.deserialize(&mut read_buf[off.data_range.clone()]) {
                        Ok(r) => r,
                        Err(e) => { fail_all(&mut pending, format!("mtp: {e}")); return; }
                    };
                    for r in results {
                        let (id, outcome) = match r {
                            Deserialization::RpcResult(r) => (r.msg_id, Outcome::Ok(r.body)),
                            Deserialization::RpcError(e) => (e.msg_id, Outcome::RpcError {
                                code: e.error.error_code,
                                name: e.error.error_message,
                            }),
                            Deserialization::Failure(f) => (f.msg_id, Outcome::Failure(f.error.to_string())),
                            Deserialization::BadMessage(b) => (b.msg_id, Outcome::BadMessage(b.code)),
                            Deserialization::Update(_) | Deserialization::OwnUpdate { .. } => continue,
                        };
                        if let Some(tx) = pending.remove(&id) {
                            let _ = tx.send(outcome);
                        }
                    }
                    read_buf.drain(..off.next_offset);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Raw client
// ---------------------------------------------------------------------------

/// One message as the raw client received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub salt: i64,
    pub session_id: i64,
    pub msg_id: i64,
    pub seq_no: i32,
    pub body: Vec<u8>,
    /// msg_id and seq_no of the container it came in, if any.
    pub container: Option<(i64, i32)>,
    /// Size of the transport frame that carried it.
    pub frame_len: usize,
}

/// A client that builds every message by hand with the crate's client-side
/// helpers, to check what grammers hides.
pub struct RawClient {
    pub stream: TcpStream,
    pub key: AuthKey,
    pub session_id: i64,
    codec: ClientCodec,
    buf: Vec<u8>,
    next_msg_id: i64,
    seq: i32,
}

impl RawClient {
    pub async fn connect(addr: SocketAddr, key: &AuthKey, kind: Kind) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        Self {
            stream,
            key: key.clone(),
            session_id: 0x5e55_1011 ^ now,
            codec: ClientCodec::new(kind),
            buf: Vec::new(),
            next_msg_id: now << 32,
            seq: 1,
        }
    }

    /// A fresh client msg_id (divisible by 4).
    pub fn msg_id(&mut self) -> i64 {
        self.next_msg_id += 4;
        self.next_msg_id
    }

    /// The plaintext of a message, unpadded.
    pub fn plaintext(&mut self, msg_id: i64, body: &[u8]) -> Vec<u8> {
        let seq_no = self.seq;
        self.seq += 2;
        message::plaintext(
            &PlainHeader {
                salt: 0,
                session_id: self.session_id,
                msg_id,
                seq_no,
            },
            body,
        )
    }

    /// Encrypts and frames a plaintext.
    pub fn frame(&mut self, plain: &[u8]) -> Vec<u8> {
        let payload = crypto::encrypt_from_client(&self.key, plain);
        let mut out = Vec::new();
        self.codec.encode(&payload, &mut out);
        out
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// Sends `body` as one message; returns its msg_id.
    pub async fn send(&mut self, body: &[u8]) -> i64 {
        let id = self.msg_id();
        let plain = self.plaintext(id, body);
        let f = self.frame(&plain);
        self.send_raw(&f).await;
        id
    }

    /// Sends several bodies in one msg_container; returns their msg_ids.
    pub async fn send_container(&mut self, bodies: &[Vec<u8>]) -> Vec<i64> {
        let ids: Vec<i64> = bodies.iter().map(|_| self.msg_id()).collect();
        let items: Vec<(i64, i32, &[u8])> = ids
            .iter()
            .zip(bodies)
            .map(|(&id, b)| {
                let s = self.seq;
                self.seq += 2;
                (id, s, &b[..])
            })
            .collect();
        let container = message::msg_container(&items);
        let cid = self.msg_id();
        // A container is not content-related: even seq_no.
        let plain = message::plaintext(
            &PlainHeader {
                salt: 0,
                session_id: self.session_id,
                msg_id: cid,
                seq_no: self.seq - 1,
            },
            &container,
        );
        let f = self.frame(&plain);
        self.send_raw(&f).await;
        ids
    }

    /// Reads the next frame and returns its messages (containers
    /// flattened). None when the server closed the connection.
    pub async fn recv(&mut self) -> Option<Vec<Received>> {
        within("raw recv", self.recv_inner()).await
    }

    async fn recv_inner(&mut self) -> Option<Vec<Received>> {
        loop {
            if let Decoded::Frame { payload, consumed } = self.codec.decode(&self.buf).unwrap() {
                let mut p = self.buf[payload].to_vec();
                self.buf.drain(..consumed);
                let plain =
                    crypto::decrypt_to_client(&self.key, &mut p).expect("server message opens");
                let (h, body) = message::parse_plaintext(plain).expect("server plaintext is valid");
                let mut out = Vec::new();
                if body.len() >= 4
                    && u32::from_le_bytes(body[..4].try_into().unwrap())
                        == message::id::MSG_CONTAINER
                {
                    for m in message::Container::parse(body).expect("valid container") {
                        out.push(Received {
                            salt: h.salt,
                            session_id: h.session_id,
                            msg_id: m.msg_id,
                            seq_no: m.seq_no,
                            body: m.body.to_vec(),
                            container: Some((h.msg_id, h.seq_no)),
                            frame_len: consumed,
                        });
                    }
                } else {
                    out.push(Received {
                        salt: h.salt,
                        session_id: h.session_id,
                        msg_id: h.msg_id,
                        seq_no: h.seq_no,
                        body: body.to_vec(),
                        container: None,
                        frame_len: consumed,
                    });
                }
                return Some(out);
            }
            let mut chunk = vec![0u8; 1 << 16];
            match self.stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Reads until `n` messages arrived.
    pub async fn recv_n(&mut self, n: usize) -> Vec<Received> {
        let mut all = Vec::new();
        while all.len() < n {
            all.extend(self.recv().await.expect("connection closed early"));
        }
        all
    }
}

/// Waits until the server closes `stream`; returns how many bytes it sent
/// before closing (the server must send nothing to a client it rejects).
pub async fn closed_by_server(stream: &mut TcpStream) -> usize {
    let mut total = 0;
    let mut buf = [0u8; 4096];
    within("server closing the connection", async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return total,
                Ok(n) => total += n,
            }
        }
    })
    .await
}
