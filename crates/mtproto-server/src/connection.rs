//! One client connection: a reader task and a writer task.
//!
//! The reader decodes frames, decrypts them, answers service messages and
//! spawns one task per RPC. Request tasks and the reader send finished
//! messages to the writer over a channel; the writer assigns msg_ids and
//! seq_nos in sending order, encrypts straight into its output buffer and
//! writes everything that queued up in one go.
//!
//! Anything the server cannot make sense of (unknown key, bad msg_key,
//! broken framing, malformed service message) closes this connection with
//! a warning and nothing else: never a transport error, which would make
//! clients drop their pre-provisioned key.

use std::any::Any;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};

use flate2::Compression;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tracing::{debug, error, trace, warn};

use crate::crypto::{self, TO_CLIENT};
use crate::error::{Error, Result};
use crate::handler::{CallContext, Handler, Reply};
use crate::keyring::KeyEntry;
use crate::message::{self, Incoming, MsgIdGen, PlainHeader, SALT, SeqNo};
use crate::random;
use crate::server::{MAX_CLIENT_READ, Shared};
use crate::transport::{self, Codec, Decoded, Detected};
use crate::wrappers;

/// One generator for the whole process: msg_ids stay unique and increasing
/// even for a session that moves between listeners.
static MSG_IDS: MsgIdGen = MsgIdGen::new();
static NEXT_CONN_ID: AtomicU64 = AtomicU64::new(1);

/// Bound on what a gzip_packed request may inflate to. Clients never send
/// requests near 1 MiB uncompressed; this only stops zip bombs.
const GUNZIP_LIMIT: usize = 16 * 1024 * 1024;
/// How many gzip layers a message may nest (clients use one).
const MAX_GZIP_DEPTH: usize = 4;

/// Worst-case bytes a frame adds around a message body: transport (19 for
/// padded intermediate) + auth_key_id + msg_key + plaintext header + 27
/// padding, rounded up.
const FRAME_OVERHEAD: usize = 128;
/// Largest message body (rpc_result included) that still fits the
/// client's read buffer. A 1 MiB upload.file is 1 MiB + 28 bytes.
pub(crate) const MAX_MESSAGE_BODY: usize = MAX_CLIENT_READ - FRAME_OVERHEAD;

/// Messages at most this big may share a msg_container; bigger ones go in
/// frames of their own so a container never nears the frame limit.
const CONTAINER_ITEM_MAX: usize = 16 * 1024;
const CONTAINER_BODY_MAX: usize = 256 * 1024;
const CONTAINER_ITEMS_MAX: usize = 64;
/// How many queued messages the writer takes per wake-up.
const WRITE_BATCH: usize = 256;
/// Flush mid-batch past this many bytes rather than buffering more.
const FLUSH_AT: usize = 2 * 1024 * 1024;

const READ_CHUNK: usize = 64 * 1024;
/// Buffers that grew for a big frame are given back once idle.
const KEEP_CAPACITY: usize = 4 * 1024 * 1024;

/// A message body on its way to the client.
#[derive(Debug)]
enum Body {
    /// rpc_result header + `inner`, written by the writer so the result is
    /// never copied into a second buffer.
    RpcResult { req_msg_id: i64, inner: Vec<u8> },
    /// A top-level service message (pong, future_salts, ...).
    Raw(Vec<u8>),
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::RpcResult { inner, .. } => 12 + inner.len(),
            Body::Raw(b) => b.len(),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Body::RpcResult { req_msg_id, inner } => {
                out.extend_from_slice(&message::rpc_result_header(*req_msg_id));
                out.extend_from_slice(inner);
            }
            Body::Raw(b) => out.extend_from_slice(b),
        }
    }
}

#[derive(Debug)]
enum Outgoing {
    Message {
        key: Arc<KeyEntry>,
        session_id: i64,
        body: Body,
    },
    /// Reply::Drop: close without answering.
    Close,
}

/// Aborts the task when dropped, so aborting a connection task also stops
/// its writer.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves one accepted connection until it closes.
pub(crate) async fn serve<H: Handler>(shared: Arc<Shared<H>>, stream: TcpStream, peer: SocketAddr) {
    let conn_id = NEXT_CONN_ID.fetch_add(1, Ordering::Relaxed);
    debug!(conn_id, %peer, "connection accepted");
    let (rd, wr) = stream.into_split();
    let mut reader = Reader {
        shared,
        conn_id,
        peer,
        rd,
        buf: Vec::with_capacity(READ_CHUNK),
        start: 0,
        key: None,
        sessions: Vec::new(),
        tasks: JoinSet::new(),
        tx: None,
    };
    match reader.run(wr).await {
        Ok(()) => debug!(conn_id, %peer, "connection closed"),
        // Clients reset connections as a matter of course.
        Err(Error::Io(e)) => debug!(conn_id, %peer, error = %e, "connection failed"),
        Err(e) => warn!(conn_id, %peer, error = %e, "closing connection"),
    }
}

struct Reader<H> {
    shared: Arc<Shared<H>>,
    conn_id: u64,
    peer: SocketAddr,
    rd: OwnedReadHalf,
    /// Received bytes; `buf[start..]` is not processed yet.
    buf: Vec<u8>,
    start: usize,
    /// The key of the last message, to skip the ring lookup next time.
    key: Option<Arc<KeyEntry>>,
    /// Sessions seen here, for destroy_session's answer.
    sessions: Vec<i64>,
    /// Running requests; dropping the set aborts them.
    tasks: JoinSet<()>,
    tx: Option<mpsc::UnboundedSender<Outgoing>>,
}

impl<H: Handler> Reader<H> {
    async fn run(&mut self, wr: OwnedWriteHalf) -> Result<()> {
        let (kind, tag_len) = loop {
            match transport::detect(&self.buf) {
                Detected::Found { kind, tag_len } => break (kind, tag_len),
                Detected::NeedMore => {
                    if !self.read_more(None).await? {
                        return Ok(());
                    }
                }
            }
        };
        trace!(conn_id = self.conn_id, ?kind, "transport detected");
        self.start = tag_len;
        let mut codec = Codec::new(kind, self.shared.config.max_frame);

        let (tx, rx) = mpsc::unbounded_channel();
        self.tx = Some(tx);
        let mut writer = AbortOnDrop(tokio::spawn(write_loop(
            wr,
            rx,
            Codec::new(kind, self.shared.config.max_frame),
            self.conn_id,
        )));

        loop {
            let frame_len = loop {
                match codec.decode(&self.buf[self.start..])? {
                    Decoded::NeedMore { frame_len } => break frame_len,
                    Decoded::Frame { payload, consumed } => {
                        let range = self.start + payload.start..self.start + payload.end;
                        // Take the buffer out so the frame can be borrowed
                        // mutably (decrypted in place) next to `self`.
                        let mut buf = std::mem::take(&mut self.buf);
                        let res = self.on_frame(&mut buf[range]);
                        self.buf = buf;
                        res?;
                        self.start += consumed;
                    }
                }
            };
            self.compact();
            while self.tasks.try_join_next().is_some() {}

            tokio::select! {
                more = self.read_more(frame_len) => {
                    if !more? {
                        if self.buf.len() > self.start {
                            debug!(
                                conn_id = self.conn_id,
                                pending = self.buf.len() - self.start,
                                "client closed the connection mid-frame"
                            );
                        }
                        return Ok(());
                    }
                }
                _ = &mut writer.0 => {
                    // The writer stopped: Reply::Drop or a failed write.
                    return Ok(());
                }
            }
        }
    }

    /// Reads whatever is available; false on EOF. `frame_len` (the frame
    /// being received, when known) sizes the buffer in one step.
    async fn read_more(&mut self, frame_len: Option<usize>) -> Result<bool> {
        let want = frame_len
            .map(|f| (self.start + f).saturating_sub(self.buf.len()))
            .unwrap_or(0)
            .max(READ_CHUNK);
        self.buf.reserve(want);
        Ok(self.rd.read_buf(&mut self.buf).await? != 0)
    }

    fn compact(&mut self) {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            if self.buf.capacity() > KEEP_CAPACITY {
                self.buf = Vec::with_capacity(READ_CHUNK);
            }
        } else if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    fn on_frame(&mut self, payload: &mut [u8]) -> Result<()> {
        let id = crypto::auth_key_id(payload)
            .ok_or(Error::BadCiphertextLength { len: payload.len() })?;
        if id == 0 {
            return Err(Error::PlainMessage);
        }
        let key = match &self.key {
            Some(k) if k.key().id() == id => k.clone(),
            _ => {
                let k = self
                    .shared
                    .keys
                    .get(id)
                    .ok_or(Error::UnknownAuthKey { id })?;
                self.key = Some(k.clone());
                k
            }
        };
        let plain = crypto::decrypt_from_client(key.key(), payload)?;
        let (header, body) = message::parse_plaintext(plain)?;
        if !self.sessions.contains(&header.session_id) && self.sessions.len() < 16 {
            self.sessions.push(header.session_id);
        }
        self.on_message(&key, header.session_id, header.msg_id, body, false, 0)
    }

    fn on_message(
        &mut self,
        key: &Arc<KeyEntry>,
        session_id: i64,
        msg_id: i64,
        body: &[u8],
        in_container: bool,
        gzip_depth: usize,
    ) -> Result<()> {
        match message::classify(body)? {
            Incoming::Rpc(request) => self.dispatch(key, session_id, msg_id, request),
            incoming @ (Incoming::Ping { .. }
            | Incoming::PingDelayDisconnect { .. }
            | Incoming::GetFutureSalts { .. }
            | Incoming::DestroySession { .. }
            | Incoming::RpcDropAnswer { .. }) => {
                let answer = self.service_answer(msg_id, &incoming);
                self.send(key, session_id, answer);
                Ok(())
            }
            Incoming::MsgsAck { count } => {
                trace!(conn_id = self.conn_id, count, "msgs_ack");
                Ok(())
            }
            Incoming::Ignored { constructor } => {
                debug!(
                    conn_id = self.conn_id,
                    constructor = format_args!("{constructor:#010x}"),
                    "ignoring service message"
                );
                Ok(())
            }
            Incoming::Container(items) => {
                if in_container {
                    return Err(Error::NestedContainer);
                }
                for m in items {
                    self.on_message(key, session_id, m.msg_id, m.body, true, gzip_depth)?;
                }
                Ok(())
            }
            Incoming::GzipPacked(packed) => {
                if gzip_depth >= MAX_GZIP_DEPTH {
                    return Err(Error::TooDeep {
                        what: "gzip_packed",
                        limit: MAX_GZIP_DEPTH,
                    });
                }
                let inflated = message::gunzip(packed, GUNZIP_LIMIT)?;
                self.on_message(
                    key,
                    session_id,
                    msg_id,
                    &inflated,
                    in_container,
                    gzip_depth + 1,
                )
            }
        }
    }

    /// The answer to a service function, in the form clients expect when it
    /// arrives unwrapped.
    fn service_answer(&mut self, msg_id: i64, incoming: &Incoming<'_>) -> Body {
        match *incoming {
            // A top-level pong: grammers matches it to the ping by msg_id,
            // and pings are never wrapped in an rpc_result.
            Incoming::Ping { ping_id } | Incoming::PingDelayDisconnect { ping_id, .. } => {
                Body::Raw(message::pong(msg_id, ping_id))
            }
            // Top-level too: grammers holds every request until a bare
            // future_salts arrives (inside an rpc_result it waits forever).
            Incoming::GetFutureSalts { num } => {
                Body::Raw(message::future_salts(msg_id, unix_now(), num))
            }
            Incoming::DestroySession { session_id: target } => {
                Body::Raw(if self.sessions.contains(&target) {
                    self.sessions.retain(|&s| s != target);
                    message::destroy_session_ok(target)
                } else {
                    message::destroy_session_none(target)
                })
            }
            // Answers go out as soon as they are ready and nothing is kept
            // to drop, so the server never knows the request any more.
            _ => Body::RpcResult {
                req_msg_id: msg_id,
                inner: message::rpc_answer_unknown(),
            },
        }
    }

    /// Peels the request and starts its task.
    fn dispatch(
        &mut self,
        key: &Arc<KeyEntry>,
        session_id: i64,
        msg_id: i64,
        request: &[u8],
    ) -> Result<()> {
        let peeled = match wrappers::peel(request, GUNZIP_LIMIT) {
            Ok(p) => p,
            Err(e) => {
                // The message itself was sound; only this request is bad,
                // so it gets an error and the connection lives on.
                warn!(conn_id = self.conn_id, msg_id, error = %e, "unparseable request wrappers");
                self.send_error(key, session_id, msg_id, 400, "INPUT_FETCH_FAIL");
                return Ok(());
            }
        };
        if let Some(layer) = peeled.layer {
            key.set_layer(layer);
        }
        if let Some(init) = &peeled.init {
            debug!(
                conn_id = self.conn_id,
                api_id = init.api_id,
                app = %init.app_version,
                device = %init.device_model,
                layer = ?peeled.layer,
                "initConnection"
            );
        }
        if peeled.query.len() < 4 {
            self.send_error(key, session_id, msg_id, 400, "INPUT_METHOD_INVALID");
            return Ok(());
        }
        // A service function behind wrappers (Telethon with
        // receive_updates=False sends invokeWithoutUpdates(ping)) is an
        // ordinary RPC: its answer comes back in an rpc_result.
        match message::classify(&peeled.query) {
            Ok(
                incoming @ (Incoming::Ping { .. }
                | Incoming::PingDelayDisconnect { .. }
                | Incoming::GetFutureSalts { .. }
                | Incoming::DestroySession { .. }
                | Incoming::RpcDropAnswer { .. }),
            ) => {
                let answer = match self.service_answer(msg_id, &incoming) {
                    Body::Raw(inner) => Body::RpcResult {
                        req_msg_id: msg_id,
                        inner,
                    },
                    wrapped => wrapped,
                };
                self.send(key, session_id, answer);
                return Ok(());
            }
            Ok(_) => {}
            Err(e) => {
                warn!(conn_id = self.conn_id, msg_id, error = %e, "malformed wrapped service function");
                self.send_error(key, session_id, msg_id, 400, "INPUT_FETCH_FAIL");
                return Ok(());
            }
        }
        let ctx = CallContext {
            dc_id: self.shared.config.dc_id,
            conn_id: self.conn_id,
            auth_key_id: key.key().id(),
            session_id,
            msg_id,
            layer: peeled.layer.or_else(|| key.layer()),
            peer_addr: self.peer,
        };
        let body = peeled.query.into_owned();
        let Some(tx) = self.tx.clone() else {
            return Ok(());
        };
        let handler = self.shared.handler.clone();
        let gzip_min = self.shared.config.gzip_min;
        let key = key.clone();
        let conn_id = self.conn_id;
        self.tasks.spawn(async move {
            let reply = call_guarded(&*handler, ctx, body).await;
            let body = match reply {
                Reply::Result { body, gzip } => result_body(body, gzip, gzip_min),
                Reply::Error { code, message } => message::rpc_error(code, &message),
                Reply::Drop => {
                    debug!(conn_id, msg_id, "handler dropped the connection");
                    let _ = tx.send(Outgoing::Close);
                    return;
                }
            };
            let body = if body.len() + 12 > MAX_MESSAGE_BODY {
                error!(
                    conn_id,
                    msg_id,
                    len = body.len(),
                    "result too large for one frame; answering 500 RESULT_TOO_LARGE"
                );
                message::rpc_error(500, "RESULT_TOO_LARGE")
            } else if !body.len().is_multiple_of(4) {
                // Every TL object is 4-byte aligned; sending this one would
                // corrupt the client's view of the message.
                error!(
                    conn_id,
                    msg_id,
                    len = body.len(),
                    "result is not 4-byte aligned; answering 500 INTERNAL"
                );
                message::rpc_error(500, "INTERNAL")
            } else {
                body
            };
            let _ = tx.send(Outgoing::Message {
                key,
                session_id,
                body: Body::RpcResult {
                    req_msg_id: msg_id,
                    inner: body,
                },
            });
        });
        Ok(())
    }

    fn send(&self, key: &Arc<KeyEntry>, session_id: i64, body: Body) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Outgoing::Message {
                key: key.clone(),
                session_id,
                body,
            });
        }
    }

    fn send_error(&self, key: &Arc<KeyEntry>, session_id: i64, msg_id: i64, code: i32, msg: &str) {
        let inner = message::rpc_error(code, msg);
        self.send(
            key,
            session_id,
            Body::RpcResult {
                req_msg_id: msg_id,
                inner,
            },
        );
    }
}

/// The handler's reply, with a panic (in `call` or in its future) turned
/// into rpc_error 500 INTERNAL.
async fn call_guarded<H: Handler>(handler: &H, ctx: CallContext, body: Vec<u8>) -> Reply {
    let internal = |p: Box<dyn Any + Send>| {
        let what = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        error!(panic = %what, "handler panicked; answering 500 INTERNAL");
        Reply::error(500, "INTERNAL")
    };
    let fut = match catch_unwind(AssertUnwindSafe(|| handler.call(ctx, body))) {
        Ok(f) => f,
        Err(p) => return internal(p),
    };
    let fut = std::pin::pin!(fut);
    match (CatchUnwind { inner: fut }).await {
        Ok(reply) => reply,
        Err(p) => internal(p),
    }
}

/// Polls a future, catching a panic in any poll.
struct CatchUnwind<'a, F> {
    inner: Pin<&'a mut F>,
}

impl<F: Future> Future for CatchUnwind<'_, F> {
    type Output = std::result::Result<F::Output, Box<dyn Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.get_mut().inner;
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(p) => Poll::Ready(Err(p)),
        }
    }
}

/// Results larger than this are never compressed (TL bytes stop at 16 MiB,
/// and nothing this big can be sent anyway).
const GZIP_INPUT_MAX: usize = 8 * 1024 * 1024;

/// The result object as sent: gzip_packed when allowed, big enough, and
/// actually smaller.
fn result_body(body: Vec<u8>, gzip: bool, gzip_min: usize) -> Vec<u8> {
    if !gzip || body.len() < gzip_min || body.len() > GZIP_INPUT_MAX {
        return body;
    }
    let packed = message::gzip_packed(&body, Compression::fast());
    if packed.len() < body.len() {
        packed
    } else {
        body
    }
}

fn unix_now() -> i32 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i32)
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------

struct Writer {
    codec: Codec,
    out: Vec<u8>,
    /// seq_no state per session; a connection nearly always has one.
    seqs: Vec<(i64, SeqNo)>,
}

async fn write_loop(
    mut wr: OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
    codec: Codec,
    conn_id: u64,
) {
    let mut w = Writer {
        codec,
        out: Vec::with_capacity(READ_CHUNK),
        seqs: Vec::with_capacity(1),
    };
    let mut batch: Vec<Outgoing> = Vec::with_capacity(WRITE_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < WRITE_BATCH {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        let close = match w.encode_batch(&mut batch, &mut wr).await {
            Ok(close) => close,
            Err(e) => {
                debug!(conn_id, error = %e, "write failed");
                return;
            }
        };
        if !w.out.is_empty() {
            if let Err(e) = wr.write_all(&w.out).await {
                debug!(conn_id, error = %e, "write failed");
                return;
            }
            w.out.clear();
        }
        if w.out.capacity() > KEEP_CAPACITY {
            w.out = Vec::with_capacity(READ_CHUNK);
        }
        if close {
            return;
        }
    }
}

impl Writer {
    /// Encodes (and drains) `batch` into `self.out`, flushing to `wr` when
    /// the buffer gets big. Returns true if a Close was met.
    async fn encode_batch<W: AsyncWrite + Unpin>(
        &mut self,
        batch: &mut Vec<Outgoing>,
        wr: &mut W,
    ) -> std::io::Result<bool> {
        let mut close = false;
        let mut items = batch.drain(..);
        // A run of small messages for the same key and session becomes one
        // container.
        let mut group: Vec<(Arc<KeyEntry>, i64, Body)> = Vec::new();
        let mut group_bytes = 0;
        loop {
            let next = match items.next() {
                Some(Outgoing::Close) => {
                    close = true;
                    None
                }
                other => other,
            };
            let (key, session_id, body) = match next {
                Some(Outgoing::Message {
                    key,
                    session_id,
                    body,
                }) => (key, session_id, body),
                _ => {
                    self.flush_group(&mut group);
                    break;
                }
            };
            let fits_group = body.len() <= CONTAINER_ITEM_MAX
                && group.len() < CONTAINER_ITEMS_MAX
                && group_bytes + message::INNER_HEADER_LEN + body.len() <= CONTAINER_BODY_MAX
                && group
                    .first()
                    .is_none_or(|(k, s, _)| Arc::ptr_eq(k, &key) && *s == session_id);
            if !fits_group {
                self.flush_group(&mut group);
                group_bytes = 0;
            }
            if body.len() <= CONTAINER_ITEM_MAX {
                group_bytes += body.len() + message::INNER_HEADER_LEN;
                group.push((key, session_id, body));
            } else {
                self.single(&key, session_id, &body);
            }
            if self.out.len() >= FLUSH_AT {
                wr.write_all(&self.out).await?;
                self.out.clear();
            }
        }
        // Whatever followed a Close is not sent.
        drop(items);
        Ok(close)
    }

    fn seq(&mut self, session_id: i64) -> &mut SeqNo {
        let i = match self.seqs.iter().position(|(s, _)| *s == session_id) {
            Some(i) => i,
            None => {
                self.seqs.push((session_id, SeqNo::default()));
                self.seqs.len() - 1
            }
        };
        &mut self.seqs[i].1
    }

    fn flush_group(&mut self, group: &mut Vec<(Arc<KeyEntry>, i64, Body)>) {
        match group.len() {
            0 => {}
            1 => {
                let (key, session_id, body) = group.pop().unwrap();
                self.single(&key, session_id, &body);
            }
            _ => {
                let (key, session_id) = (group[0].0.clone(), group[0].1);
                self.container(&key, session_id, group);
                group.clear();
            }
        }
    }

    fn single(&mut self, key: &KeyEntry, session_id: i64, body: &Body) {
        let header = PlainHeader {
            salt: SALT,
            session_id,
            msg_id: MSG_IDS.next(),
            seq_no: self.seq(session_id).next(true),
        };
        let len = body.len();
        self.frame(key, &header, len, |out| body.write(out));
    }

    fn container(&mut self, key: &KeyEntry, session_id: i64, group: &[(Arc<KeyEntry>, i64, Body)]) {
        // Inner ids first, then the container's: as clients do, the
        // container gets the highest id of the lot.
        let seq = self.seq(session_id);
        let inner: Vec<(i64, i32)> = group
            .iter()
            .map(|_| (MSG_IDS.next(), seq.next(true)))
            .collect();
        let header = PlainHeader {
            salt: SALT,
            session_id,
            msg_id: MSG_IDS.next(),
            seq_no: seq.next(false),
        };
        let len = 8 + group
            .iter()
            .map(|(_, _, b)| message::INNER_HEADER_LEN + b.len())
            .sum::<usize>();
        self.frame(key, &header, len, |out| {
            message::put_u32(out, message::id::MSG_CONTAINER);
            message::put_i32(out, group.len() as i32);
            for ((_, _, body), &(msg_id, seq_no)) in group.iter().zip(&inner) {
                message::put_i64(out, msg_id);
                message::put_i32(out, seq_no);
                message::put_i32(out, body.len() as i32);
                body.write(out);
            }
        });
    }

    /// Appends one encrypted frame whose message body (`body_len` bytes)
    /// is written by `write_body`.
    fn frame(
        &mut self,
        key: &KeyEntry,
        header: &PlainHeader,
        body_len: usize,
        write_body: impl FnOnce(&mut Vec<u8>),
    ) {
        let plain_len = message::PLAIN_HEADER_LEN + body_len;
        let pad = crypto::padding_len(plain_len);
        let payload_len = crypto::HEADER_LEN + plain_len + pad;
        let out = &mut self.out;
        out.reserve(payload_len + 32);
        let frame_start = out.len();
        self.codec.encode_header(payload_len, out);
        let payload_start = out.len();
        out.resize(payload_start + crypto::HEADER_LEN, 0);
        message::put_plain_header(out, header, body_len);
        write_body(out);
        debug_assert_eq!(out.len(), payload_start + crypto::HEADER_LEN + plain_len);
        let pad_start = out.len();
        out.resize(pad_start + pad, 0);
        random::fill(&mut out[pad_start..]);
        crypto::seal_in_place(key.key(), TO_CLIENT, &mut out[payload_start..]);
        self.codec.encode_trailer(frame_start, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::AuthKey;
    use crate::keyring::KeyRing;
    use crate::transport::{ClientCodec, Kind};

    fn entry() -> Arc<KeyEntry> {
        let ring = KeyRing::new();
        let key = AuthKey::generate();
        let id = key.id();
        ring.insert(key);
        ring.get(id).unwrap()
    }

    fn msg(key: &Arc<KeyEntry>, session_id: i64, req: i64, len: usize) -> Outgoing {
        Outgoing::Message {
            key: key.clone(),
            session_id,
            body: Body::RpcResult {
                req_msg_id: req,
                inner: vec![req as u8; len],
            },
        }
    }

    /// (session_id, in a container, [(req_msg_id, result length)])
    type Frame = (i64, bool, Vec<(i64, usize)>);

    /// Decodes writer output into frames.
    fn frames(key: &Arc<KeyEntry>, mut wire: &[u8]) -> Vec<Frame> {
        let mut codec = ClientCodec::new(Kind::Full);
        let mut out = Vec::new();
        while !wire.is_empty() {
            let Decoded::Frame { payload, consumed } = codec.decode(wire).unwrap() else {
                panic!("partial frame")
            };
            assert!(consumed < MAX_CLIENT_READ);
            let mut p = wire[payload].to_vec();
            wire = &wire[consumed..];
            let plain = crypto::decrypt_to_client(key.key(), &mut p).unwrap();
            let (h, body) = message::parse_plaintext(plain).unwrap();
            let one = |b: &[u8]| {
                let (req, inner) = message::parse_rpc_result(b).unwrap();
                (req, inner.len())
            };
            match message::classify(body).unwrap() {
                Incoming::Container(items) => {
                    assert_eq!(h.seq_no % 2, 0);
                    out.push((h.session_id, true, items.map(|m| one(m.body)).collect()));
                }
                _ => {
                    assert_eq!(h.seq_no % 2, 1);
                    out.push((h.session_id, false, vec![one(body)]));
                }
            }
        }
        out
    }

    #[tokio::test]
    async fn batches_small_messages_into_containers_and_big_ones_alone() {
        let key = entry();
        let mut w = Writer {
            codec: Codec::new(Kind::Full, usize::MAX),
            out: Vec::new(),
            seqs: Vec::new(),
        };
        let big = CONTAINER_ITEM_MAX + 4;
        let mut batch = vec![
            msg(&key, 1, 1, 100),
            msg(&key, 1, 2, 100),
            msg(&key, 1, 3, big),
            msg(&key, 1, 4, 100),
            msg(&key, 2, 5, 100),
            msg(&key, 2, 6, 100),
            msg(&key, 2, 7, 100),
            Outgoing::Close,
            msg(&key, 2, 8, 100),
        ];
        let mut sink: Vec<u8> = Vec::new();
        let close = w.encode_batch(&mut batch, &mut sink).await.unwrap();
        assert!(close);
        assert!(batch.is_empty());
        sink.extend_from_slice(&w.out);
        assert_eq!(
            frames(&key, &sink),
            vec![
                (1, true, vec![(1, 100), (2, 100)]),
                (1, false, vec![(3, big)]),
                // A lone small message goes without a container.
                (1, false, vec![(4, 100)]),
                (2, true, vec![(5, 100), (6, 100), (7, 100)]),
                // Nothing after Close.
            ]
        );
    }

    #[tokio::test]
    async fn containers_respect_their_limits() {
        let key = entry();
        let mut w = Writer {
            codec: Codec::new(Kind::Full, usize::MAX),
            out: Vec::new(),
            seqs: Vec::new(),
        };
        let n = CONTAINER_ITEMS_MAX + 3;
        let mut batch: Vec<_> = (0..n as i64).map(|i| msg(&key, 1, i, 8)).collect();
        // And enough 16 KiB items to pass the container byte limit.
        let m = CONTAINER_BODY_MAX / CONTAINER_ITEM_MAX + 2;
        batch.extend((0..m as i64).map(|i| msg(&key, 1, 1000 + i, CONTAINER_ITEM_MAX)));
        let mut sink: Vec<u8> = Vec::new();
        assert!(!w.encode_batch(&mut batch, &mut sink).await.unwrap());
        sink.extend_from_slice(&w.out);
        let f = frames(&key, &sink);
        let sizes: Vec<usize> = f.iter().map(|(_, _, m)| m.len()).collect();
        assert_eq!(sizes[0], CONTAINER_ITEMS_MAX);
        assert!(f.iter().all(|(_, _, m)| m.len() <= CONTAINER_ITEMS_MAX));
        for (_, _, items) in &f {
            let bytes: usize = items.iter().map(|(_, l)| l + 12 + 16).sum();
            assert!(bytes <= CONTAINER_BODY_MAX + 64, "{bytes}");
        }
        // Everything arrives, in order.
        let order: Vec<i64> = f
            .iter()
            .flat_map(|(_, _, m)| m.iter().map(|x| x.0))
            .collect();
        let expected: Vec<i64> = (0..n as i64)
            .chain((0..m as i64).map(|i| 1000 + i))
            .collect();
        assert_eq!(order, expected);
    }
}
