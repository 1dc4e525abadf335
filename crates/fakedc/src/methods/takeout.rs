//! account.initTakeoutSession and account.finishTakeoutSession.

use grammers_tl_types as tl;

use super::Call;
use crate::error::RpcErr;
use crate::takeout::TakeoutFlags;

pub fn init_takeout_session(
    call: &Call,
    req: tl::functions::account::InitTakeoutSession,
) -> Result<tl::enums::account::Takeout, RpcErr> {
    let me = call.me()?;
    if call.world.user(me).is_some_and(|u| u.bot) {
        return Err(RpcErr::new(403, "BOT_METHOD_INVALID"));
    }
    let flags = TakeoutFlags {
        contacts: req.contacts,
        message_users: req.message_users,
        message_chats: req.message_chats,
        message_megagroups: req.message_megagroups,
        message_channels: req.message_channels,
        files: req.files,
        file_max_size: req.file_max_size,
    };
    let id = call.dc.takeouts.init(flags, &call.dc.clock)?;
    tracing::info!(takeout_id = id, ?flags, "takeout session started");
    Ok(tl::types::account::Takeout { id }.into())
}

/// Must come wrapped in invokeWithTakeout: the wrapper names the session.
pub fn finish_takeout_session(
    call: &Call,
    req: tl::functions::account::FinishTakeoutSession,
) -> Result<bool, RpcErr> {
    call.me()?;
    let takeout = call.takeout.as_ref().ok_or_else(|| RpcErr::new(403, "TAKEOUT_REQUIRED"))?;
    call.dc.takeouts.finish(takeout.id, req.success)?;
    Ok(true)
}
