//! The boundary between the protocol and the business side.

use std::future::Future;
use std::net::SocketAddr;

/// What the server knows about one decoded RPC when it calls the handler.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// The listener's dc ([`crate::ServerConfig::dc_id`]).
    pub dc_id: i32,
    /// Unique per accepted TCP connection (per server process).
    pub conn_id: u64,
    pub auth_key_id: u64,
    pub session_id: i64,
    /// The client's msg_id of this request.
    pub msg_id: i64,
    /// From invokeWithLayer, remembered per key.
    pub layer: Option<i32>,
    pub peer_addr: SocketAddr,
}

/// The handler's answer to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// A serialized TL result (constructor id included). `gzip` lets the
    /// server wrap it in gzip_packed when it is at least
    /// [`crate::ServerConfig::gzip_min`] bytes (Telegram compresses large
    /// answers; file parts are incompressible, so the handler passes false
    /// for them).
    Result { body: Vec<u8>, gzip: bool },
    /// rpc_error{code, message}
    Error { code: i32, message: String },
    /// Close this connection without answering (fault injection: "drop").
    Drop,
}

impl Reply {
    /// A result the server may compress.
    pub fn ok(body: Vec<u8>) -> Self {
        Reply::Result { body, gzip: true }
    }

    /// A result sent as is (incompressible data such as file parts).
    pub fn ok_raw(body: Vec<u8>) -> Self {
        Reply::Result { body, gzip: false }
    }

    pub fn error(code: i32, message: impl Into<String>) -> Self {
        Reply::Error {
            code,
            message: message.into(),
        }
    }
}

/// The business side.
///
/// `body` is the request with protocol wrappers already peeled
/// (invokeWithLayer, initConnection, invokeWithoutUpdates, invokeAfterMsg,
/// invokeAfterMsgs, gzip_packed, at any depth); it starts with the method's
/// constructor id. Called concurrently: one task per request. A panic in
/// `call` or in its future is answered with rpc_error 500 INTERNAL and does
/// not affect other requests.
pub trait Handler: Send + Sync + 'static {
    fn call(&self, ctx: CallContext, body: Vec<u8>) -> impl Future<Output = Reply> + Send;
}
