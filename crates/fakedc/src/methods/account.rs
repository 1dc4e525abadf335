//! The account's own data: sessions, web sessions, profile photos, stories.

use grammers_tl_types as tl;

use super::Call;
use super::{peers, users};
use crate::error::RpcErr;
use crate::tl::account;
use crate::world::Peer;

pub fn get_authorizations(call: &Call, _: tl::functions::account::GetAuthorizations) -> Result<tl::enums::account::Authorizations, RpcErr> {
    call.me()?;
    Ok(tl::types::account::Authorizations {
        authorization_ttl_days: 180,
        authorizations: call.world.authorizations.iter().map(account::authorization).collect(),
    }
    .into())
}

pub fn get_web_authorizations(
    call: &Call,
    _: tl::functions::account::GetWebAuthorizations,
) -> Result<tl::enums::account::WebAuthorizations, RpcErr> {
    call.me()?;
    let w = call.world;
    let auths = &w.web_authorizations;
    Ok(tl::types::account::WebAuthorizations {
        authorizations: auths.iter().map(account::web_authorization).collect(),
        users: auths.iter().filter_map(|a| w.user(a.bot_id)).map(|u| crate::tl::users::user(w, u)).collect(),
    }
    .into())
}

/// Only the account's own photos exist in the world; others have none.
/// Paging: `offset` skips, `max_id` (when set) keeps photos with smaller ids.
pub fn get_user_photos(call: &Call, req: tl::functions::photos::GetUserPhotos) -> Result<tl::enums::photos::Photos, RpcErr> {
    let me = call.me()?;
    let user = users::resolve(call, &req.user_id)?;
    let all: Vec<_> = if user.id == me { call.world.profile_photos.iter().collect() } else { Vec::new() };
    let filtered: Vec<_> = all.iter().filter(|p| req.max_id == 0 || p.id < req.max_id).collect();
    let start = (req.offset.max(0) as usize).min(filtered.len());
    let end = (start + req.limit.clamp(0, 100) as usize).min(filtered.len());
    let shaper = call.shaper();
    let photos: Vec<_> = filtered[start..end].iter().map(|p| shaper.photo(p)).collect();
    let users = vec![crate::tl::users::user(call.world, user)];
    if photos.len() == all.len() {
        Ok(tl::types::photos::Photos { photos, users }.into())
    } else {
        Ok(tl::types::photos::PhotosSlice { count: all.len() as i32, photos, users }.into())
    }
}

/// Newest first; offset_id keeps stories with smaller ids.
pub fn get_stories_archive(
    call: &Call,
    req: tl::functions::stories::GetStoriesArchive,
) -> Result<tl::enums::stories::Stories, RpcErr> {
    let me = call.me()?;
    if peers::input_peer(call, &req.peer)? != Peer::User(me) {
        return Err(RpcErr::bad_request("PEER_ID_INVALID"));
    }
    let all = &call.world.stories;
    let page: Vec<_> = all
        .iter()
        .filter(|s| req.offset_id == 0 || s.id < req.offset_id)
        .take(req.limit.clamp(0, 100) as usize)
        .collect();
    let shaper = call.shaper();
    let self_user = crate::tl::users::user(call.world, call.world.self_user());
    Ok(tl::types::stories::Stories {
        count: all.len() as i32,
        stories: page.iter().map(|s| shaper.story(s)).collect(),
        pinned_to_top: None,
        chats: vec![],
        users: vec![self_user],
    }
    .into())
}
