//! Telegram methods, one module per area, and the table that routes a
//! constructor id to its handler. Handlers are plain synchronous functions
//! of (call, request) -> result: the world is read under a lock that is
//! never held across an await, and anything slow (latency, bandwidth) is
//! applied by the service around them.

mod config;
mod takeout;
mod users;

use grammers_tl_types as tl;
use mtproto_server::CallContext;

use crate::dc::DcState;
use crate::error::RpcErr;
use crate::takeout::TakeoutRecord;
use crate::world::World;

/// Everything a handler may look at for one request.
pub struct Call<'a> {
    pub dc: &'a DcState,
    pub world: &'a World,
    pub ctx: &'a CallContext,
    /// The signed-in user of this auth key, if any.
    pub user_id: Option<i64>,
    /// Set when the request came wrapped in invokeWithTakeout (already validated).
    pub takeout: Option<TakeoutRecord>,
    /// Set when the request came wrapped in invokeWithMessagesRange: (min_id, max_id).
    pub range: Option<(i32, i32)>,
}

impl Call<'_> {
    /// The signed-in user, or the error Telegram gives an unauthorized key.
    pub fn me(&self) -> Result<i64, RpcErr> {
        self.user_id.ok_or_else(|| RpcErr::new(401, "AUTH_KEY_UNREGISTERED"))
    }
}

macro_rules! routes {
    ($call:ident, $id:ident, $body:ident, { $($ty:ty => $handler:path,)* }) => {
        match $id {
            $(
                <$ty as tl::Identifiable>::CONSTRUCTOR_ID => {
                    // Function types deserialize without reading their own id.
                    let req = <$ty as tl::Deserializable>::from_bytes(&$body[4..])?;
                    let ret: <$ty as tl::RemoteCall>::Return = $handler($call, req)?;
                    Some(tl::Serializable::to_bytes(&ret))
                }
            )*
            _ => None,
        }
    };
}

/// Routes one unwrapped request. `None` means fakedc has no handler for
/// this constructor id (the service answers it with a clear error).
pub fn dispatch(call: &Call, id: u32, body: &[u8]) -> Option<Result<Vec<u8>, RpcErr>> {
    use tl::functions as f;
    let run = || -> Result<Option<Vec<u8>>, RpcErr> {
        Ok(routes!(call, id, body, {
            f::help::GetConfig => config::get_config,
            f::help::GetNearestDc => config::get_nearest_dc,
            f::updates::GetState => config::get_state,
            f::updates::GetDifference => config::get_difference,
            f::users::GetUsers => users::get_users,
            f::users::GetFullUser => users::get_full_user,
            f::account::InitTakeoutSession => takeout::init_takeout_session,
            f::account::FinishTakeoutSession => takeout::finish_takeout_session,
        }))
    };
    run().transpose()
}
