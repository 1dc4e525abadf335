//! Contacts: the contact list, the saved phone contacts (takeout only) and
//! the frequent contacts (top peers).

use grammers_tl_types as tl;

use super::Call;
use crate::error::RpcErr;

pub fn get_contacts(call: &Call, _: tl::functions::contacts::GetContacts) -> Result<tl::enums::contacts::Contacts, RpcErr> {
    call.me()?;
    let w = call.world;
    let contacts: Vec<_> = w.users.iter().filter(|u| u.contact).collect();
    Ok(tl::types::contacts::Contacts {
        contacts: contacts.iter().map(|u| tl::types::Contact { user_id: u.id, mutual: u.mutual_contact }.into()).collect(),
        saved_count: w.saved_contacts.len() as i32,
        users: contacts.iter().map(|u| crate::tl::users::user(w, u)).collect(),
    }
    .into())
}

pub fn get_saved(call: &Call, _: tl::functions::contacts::GetSaved) -> Result<Vec<tl::enums::SavedContact>, RpcErr> {
    call.me()?;
    let t = call.takeout.as_ref().ok_or_else(|| RpcErr::new(403, "TAKEOUT_REQUIRED"))?;
    if !t.flags.contacts {
        return Err(RpcErr::new(403, "TAKEOUT_CONTACTS_REQUIRED"));
    }
    Ok(call.world.saved_contacts.iter().map(crate::tl::account::saved_contact).collect())
}

/// Only the categories the request asks for, as Telegram answers.
pub fn get_top_peers(call: &Call, req: tl::functions::contacts::GetTopPeers) -> Result<tl::enums::contacts::TopPeers, RpcErr> {
    use crate::world::TopPeerCategory as C;
    call.me()?;
    let wanted = |c: C| match c {
        C::Correspondents => req.correspondents,
        C::Groups => req.groups,
        C::Channels => req.channels,
        C::BotsInline => req.bots_inline,
    };
    let top: Vec<_> = call.world.top_peers.iter().filter(|t| wanted(t.category)).cloned().collect();
    Ok(crate::tl::account::top_peers(call.world, &top))
}
