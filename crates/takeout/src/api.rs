//! The one narrow door between the engine and Telegram: send a serialized
//! request, get the serialized answer or an error. Everything the engine
//! knows about the network goes through here, so it can be tested without
//! one, and the grammers client lives in another crate
//! (`takeout-telegram`).

use std::fmt;
use std::future::Future;

use grammers_tl_types as tl;

/// What can go wrong with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// Telegram answered rpc_error. `name` is without a trailing number,
    /// which is in `value` (FLOOD_WAIT_30: name FLOOD_WAIT, value 30).
    Rpc { code: i32, name: String, value: Option<u32> },
    /// The connection broke before an answer came (the request may or may
    /// not have run; retrying a read is safe).
    Network(String),
    /// The answer did not parse as the request's result type.
    Decode(String),
}

impl ApiError {
    pub fn is(&self, name: &str) -> bool {
        matches!(self, ApiError::Rpc { name: n, .. } if n == name)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Rpc { code, name, value: Some(v) } => write!(f, "Telegram answered {code} {name}_{v}"),
            ApiError::Rpc { code, name, value: None } => write!(f, "Telegram answered {code} {name}"),
            ApiError::Network(e) => write!(f, "connection problem: {e}"),
            ApiError::Decode(e) => write!(f, "could not read Telegram's answer: {e}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// A connection to Telegram (or fakedc) for one signed-in account.
pub trait Api: Send + Sync + 'static {
    /// Sends `body` (a serialized TL function) to the home data centre.
    fn invoke_raw(&self, body: Vec<u8>) -> impl Future<Output = Result<Vec<u8>, ApiError>> + Send;
    /// Sends `body` to data centre `dc` (files live on their own dc).
    fn invoke_raw_in_dc(&self, dc: i32, body: Vec<u8>) -> impl Future<Output = Result<Vec<u8>, ApiError>> + Send;
}

/// Typed convenience over [`Api::invoke_raw`].
pub async fn invoke<A: Api, R: tl::RemoteCall>(api: &A, request: &R) -> Result<R::Return, ApiError> {
    let bytes = api.invoke_raw(tl::Serializable::to_bytes(request)).await?;
    <R::Return as tl::Deserializable>::from_bytes(&bytes).map_err(|e| ApiError::Decode(e.to_string()))
}
