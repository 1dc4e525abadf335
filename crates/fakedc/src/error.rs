//! The error a method answers with: Telegram's rpc_error (code and name).

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcErr {
    pub code: i32,
    pub name: String,
}

impl RpcErr {
    pub fn new(code: i32, name: impl Into<String>) -> Self {
        RpcErr { code, name: name.into() }
    }
    pub fn bad_request(name: &str) -> Self {
        Self::new(400, name)
    }
    pub fn internal() -> Self {
        Self::new(500, "INTERNAL")
    }
}

impl fmt::Display for RpcErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// A request body that does not parse as the method it claims to be.
impl From<grammers_tl_types::deserialize::Error> for RpcErr {
    fn from(_: grammers_tl_types::deserialize::Error) -> Self {
        RpcErr::bad_request("INPUT_REQUEST_INVALID")
    }
}
