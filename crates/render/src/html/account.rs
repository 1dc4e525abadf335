//! account.html: the account's own data as the HTML archive shows it
//! (personal information, profile pictures, stories, contacts, frequent
//! contacts, sessions, web sessions), from the same store items that
//! result.json is written from.

use grammers_tl_types as tl;
use tl::Deserializable;

use super::escape::{path_url, push};
use crate::files::{self, FileOut};
use crate::{Ctx, RenderError};
use takeout::store_files::{OWNER_PROFILE_PHOTOS, OWNER_STORIES, SLOT_FILE};

fn row(o: &mut String, name: &str, details: &str) {
    o.push_str("<div class=\"section\"><div><div class=\"name\">");
    push(o, name);
    o.push_str("</div><div class=\"details\">");
    push(o, details);
    o.push_str("</div></div></div>\n");
}

fn picture(o: &mut String, f: &FileOut, caption: &str) {
    o.push_str("<div class=\"section\"><div class=\"media\">");
    match f {
        FileOut::Path(p) => {
            let url = path_url(p);
            if p.ends_with(".mp4") {
                o.push_str(&format!("<video controls preload=\"none\" src=\"{url}\"></video>"));
            } else {
                o.push_str(&format!("<a href=\"{url}\"><img src=\"{url}\" loading=\"lazy\" alt=\"\"></a>"));
            }
        }
        FileOut::Note(n) => {
            o.push_str("<span class=\"media_note\">");
            push(o, n);
            o.push_str("</span>");
        }
    }
    o.push_str("<div class=\"details\">");
    push(o, caption);
    o.push_str("</div></div></div>\n");
}

/// The body of account.html; None when the store has none of this data.
pub fn body(ctx: &Ctx) -> Result<Option<String>, RenderError> {
    let mut o = String::new();
    let d = &ctx.dates;
    let items = |k: &str| ctx.store.items(k);
    if let Some((_, raw)) = items("personal_info")?.first() {
        if let Ok(tl::enums::users::UserFull::Full(full)) = tl::enums::users::UserFull::from_bytes(raw) {
            let tl::enums::UserFull::Full(uf) = &full.full_user;
            if let Some(tl::enums::User::User(u)) = full.users.iter().find(|u| matches!(u, tl::enums::User::User(x) if x.id == uf.id)) {
                o.push_str("<h3>Personal information</h3>\n");
                let name = format!("{} {}", u.first_name.as_deref().unwrap_or(""), u.last_name.as_deref().unwrap_or(""));
                row(&mut o, name.trim(), &crate::json::phone(u.phone.as_deref().unwrap_or("")));
                if let Some(un) = u.username.as_deref().filter(|x| !x.is_empty()) {
                    row(&mut o, &format!("@{un}"), "Username");
                }
                if let Some(bio) = uf.about.as_deref().filter(|x| !x.is_empty()) {
                    row(&mut o, bio, "Bio");
                }
            }
        }
    }
    let photos = items("profile_photo")?;
    if !photos.is_empty() {
        o.push_str("<h3>Profile pictures</h3>\n");
        for (_, raw) in &photos {
            let Ok(tl::enums::Photo::Photo(p)) = tl::enums::Photo::from_bytes(raw) else { continue };
            let f = files::resolve(ctx.store, OWNER_PROFILE_PHOTOS, p.id, SLOT_FILE, true)?;
            picture(&mut o, &f, &d.long(p.date as i64));
        }
    }
    let stories = items("story")?;
    if !stories.is_empty() {
        o.push_str("<h3>Stories</h3>\n");
        for (_, raw) in &stories {
            let Ok(tl::enums::StoryItem::Item(s)) = tl::enums::StoryItem::from_bytes(raw) else { continue };
            let f = files::resolve(ctx.store, OWNER_STORIES, s.id as i64, SLOT_FILE, true)?;
            let caption = s.caption.as_deref().unwrap_or("");
            picture(&mut o, &f, &format!("{} {caption}", d.long(s.date as i64)));
        }
    }
    let saved = items("saved_contact")?;
    if !saved.is_empty() {
        o.push_str("<h3>Contacts</h3>\n");
        let mut list: Vec<(String, String)> = saved
            .iter()
            .filter_map(|(_, raw)| match tl::enums::SavedContact::from_bytes(raw) {
                Ok(tl::enums::SavedContact::SavedPhoneContact(c)) => {
                    Some((format!("{} {}", c.first_name, c.last_name).trim().to_string(), crate::json::phone(&c.phone)))
                }
                _ => None,
            })
            .collect();
        list.sort_by_key(|(n, _)| n.to_lowercase());
        for (n, p) in &list {
            row(&mut o, n, p);
        }
    }
    let sessions = items("session")?;
    if !sessions.is_empty() {
        o.push_str("<h3>Sessions</h3>\n");
        for (_, raw) in &sessions {
            let Ok(tl::enums::Authorization::Authorization(a)) = tl::enums::Authorization::from_bytes(raw) else { continue };
            row(
                &mut o,
                &format!("{} {}", a.app_name, a.app_version),
                &format!("{}, {} {} · {} {} · last active {}", a.device_model, a.platform, a.system_version, a.ip, a.country, d.long(a.date_active as i64)),
            );
        }
    }
    let web = items("web_session")?;
    if !web.is_empty() {
        o.push_str("<h3>Web sessions</h3>\n");
        for (_, raw) in &web {
            let Ok(tl::enums::WebAuthorization::Authorization(a)) = tl::enums::WebAuthorization::from_bytes(raw) else { continue };
            row(&mut o, &a.domain, &format!("{}, {} · {} {} · last active {}", a.browser, a.platform, a.ip, a.region, d.long(a.date_active as i64)));
        }
    }
    Ok(if o.is_empty() { None } else { Some(o) })
}
