//! Telegram methods, one module per area, and the table that routes a
//! constructor id to its handler. Handlers are plain synchronous functions
//! of (call, request) -> result: the world is read under a lock that is
//! never held across an await, and anything slow (latency, bandwidth) is
//! applied by the service around them.

mod account;
pub mod auth;
mod config;
mod contacts;
mod dialogs;
mod files;
pub mod history;
mod peers;
mod takeout;
mod users;

use grammers_tl_types as tl;
use mtproto_server::CallContext;

use crate::dc::DcState;
use crate::error::RpcErr;
use crate::takeout::TakeoutRecord;
use crate::tl::{FileRefOf, Shaper};
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
    /// Issues file references for the media this answer carries.
    pub file_reference: &'a (dyn Fn(FileRefOf) -> Vec<u8> + Sync),
}

impl Call<'_> {
    pub fn shaper(&self) -> Shaper<'_> {
        Shaper { world: self.world, file_reference: self.file_reference }
    }

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
            f::account::GetAuthorizations => account::get_authorizations,
            f::account::GetWebAuthorizations => account::get_web_authorizations,
            f::photos::GetUserPhotos => account::get_user_photos,
            f::stories::GetStoriesArchive => account::get_stories_archive,
            f::contacts::GetContacts => contacts::get_contacts,
            f::contacts::GetSaved => contacts::get_saved,
            f::contacts::GetTopPeers => contacts::get_top_peers,
            f::messages::GetSplitRanges => history::get_split_ranges,
            f::messages::GetHistory => history::get_history,
            f::messages::Search => history::search,
            f::messages::GetMessages => history::get_messages,
            f::channels::GetMessages => history::get_channel_messages,
            f::messages::GetDialogs => dialogs::get_dialogs,
            f::channels::GetLeftChannels => dialogs::get_left_channels,
            f::messages::GetForumTopics => dialogs::get_forum_topics,
            f::upload::GetFile => files::get_file,
            f::auth::SendCode => auth::send_code,
            f::auth::SignIn => auth::sign_in,
            f::account::GetPassword => auth::get_password,
            f::auth::CheckPassword => auth::check_password,
            f::auth::ExportAuthorization => auth::export_authorization,
            f::auth::ImportAuthorization => auth::import_authorization,
            f::auth::LogOut => auth::log_out,
        }))
    };
    run().transpose()
}
