//! users.getUsers and users.getFullUser.

use grammers_tl_types as tl;

use super::Call;
use crate::error::RpcErr;
use crate::tl::users;
use crate::world::User;

/// Resolves an InputUser the way Telegram does: self, or id plus the right
/// access hash.
pub fn resolve<'w>(call: &Call<'w>, input: &tl::enums::InputUser) -> Result<&'w User, RpcErr> {
    let me = call.me()?;
    let invalid = || RpcErr::bad_request("USER_ID_INVALID");
    let user = match input {
        tl::enums::InputUser::UserSelf => call.world.user(me),
        tl::enums::InputUser::User(u) => call.world.user(u.user_id).filter(|w| w.access_hash == u.access_hash),
        tl::enums::InputUser::FromMessage(u) => call.world.user(u.user_id),
        tl::enums::InputUser::Empty => None,
    };
    user.ok_or_else(invalid)
}

/// Unknown users are left out of the answer, as Telegram does.
pub fn get_users(call: &Call, req: tl::functions::users::GetUsers) -> Result<Vec<tl::enums::User>, RpcErr> {
    call.me()?;
    Ok(req.id.iter().filter_map(|i| resolve(call, i).ok()).map(|u| users::user(call.world, u)).collect())
}

pub fn get_full_user(
    call: &Call,
    req: tl::functions::users::GetFullUser,
) -> Result<tl::enums::users::UserFull, RpcErr> {
    let user = resolve(call, &req.id)?;
    Ok(users::user_full(call.world, user))
}
