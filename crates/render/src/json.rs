//! result.json, written as Telegram Desktop writes it (export_output_json.cpp):
//! the same keys in the same order, the same layout, streamed message by
//! message so memory does not grow with the export.
//!
//! Telegram Desktop's quirks are kept where a reader could tell the
//! difference: the indentation of its nesting counter (reactions, poll
//! answers), an empty last text part after an entity reaching the end of a
//! non-ASCII text, "invoice_information" and requested_peer's "peers"
//! written as strings holding serialized JSON, inline keyboards as
//! "inline_bot_buttons" (callback data in "dataBase64"), file sizes written even
//! when 0, a self-destructing photo or document written as unavailable.
//!
//! Deliberate deviation (Telegram Desktop's output is not valid JSON there):
//! control characters other than \n, \r, \t are escaped as \u00XX, where
//! Telegram Desktop writes \xNN, which JSON parsers reject.
//!
//! Known differences left: phone numbers are written "+DIGITS";
//! Telegram Desktop groups them by the country patterns of the server's
//! help.getCountriesList ("+1 555 010 0000"), which the store does not
//! hold. Premium, Stars and TON gift actions and gift codes (whose prices
//! Telegram Desktop formats with its currency tables, and whose layer-230
//! fields are days, not months) are written as messages without an action.

use std::io::Write;

use grammers_tl_types as tl;
use tl::Deserializable;

use crate::jsonw::{self, Obj, ObjW, array, quoted};
use crate::message::{AVal, Fwd, Kind, Media, Msg};
use crate::text::{Extra, PartKind, TextPart};
use crate::{Ctx, RenderError, files};
use takeout::store_files::{OWNER_PROFILE_PHOTOS, OWNER_STORIES, SLOT_FILE, SLOT_THUMB};

pub const ABOUT_TELEGRAM: &str = "Here is the data you requested. Remember: Telegram is ad free, it doesn't use your data for ad targeting and doesn't sell it to others. Telegram only keeps the information it needs to function as a secure and feature-rich cloud service.\n\nCheck out Settings > Privacy & Security on Telegram's mobile apps for the relevant settings.";
pub const ABOUT_CONTACTS: &str = "If you allow access, your contacts are continuously synced with Telegram. Thanks to this, you can easily switch to Telegram and immediately connect with friends across all your devices. We use data about your contacts to let you know when they join Telegram, and to display them by the name you set for them in your phone.\n\nYou can disable contact syncing or delete your stored contacts in Settings > Privacy & Security on Telegram's mobile apps.";
pub const ABOUT_FREQUENT: &str = "This rating shows which people you are likelier to message frequently. Telegram uses this data to populate the 'People' box at the top of the Search section. This rating is also calculated for inline bots so that the app can suggest the bots you are most likely to use in the attachment menu (or when you start a new message with \"@\").\n\nTo delete this data, go to Settings > Privacy & Security and disable 'Suggest Frequent Contacts' (requires Telegram for iOS v.4.8.3 or Telegram for Android v.4.8.10 or higher).";
pub const ABOUT_SESSIONS: &str = "We store session info to display your connected devices in Settings > Privacy & Security > Active Sessions.";
pub const ABOUT_WEB_SESSIONS: &str = "We store this to display the websites where you logged in using authentication via Telegram. This information is shown in Settings > Privacy & Security > Active Sessions.";
pub const ABOUT_CHATS: &str = "This page lists all chats from this export.";
pub const ABOUT_LEFT_CHATS: &str = "Below are the supergroups and channels from this export that you've left or where you were banned.\n\nNote that when you leave a channel or supergroup you've created, you have the option to either delete it, or simply leave (in case you want to rejoin later, or keep the community alive despite not being a member).";

/// Telegram Desktop's phone formatting falls back to "+digits" for numbers
/// it has no pattern for; we always write that form.
pub fn phone(p: &str) -> String {
    if p.is_empty() { String::new() } else if p.starts_with('+') { p.to_string() } else { format!("+{p}") }
}

/// Writes result.json into `dir`; returns the number of messages written.
pub fn write(ctx: &Ctx, dir: &std::path::Path) -> Result<u64, RenderError> {
    let path = dir.join("result.json");
    let tmp = dir.join("result.json.part");
    let file = std::fs::File::create(&tmp).map_err(|e| RenderError::io(&tmp, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let n = write_to(ctx, dir, &mut w).map_err(|e| match e {
        WErr::Io(e) => RenderError::io(&tmp, e),
        WErr::R(e) => e,
    })?;
    w.flush().map_err(|e| RenderError::io(&tmp, e))?;
    drop(w);
    std::fs::rename(&tmp, &path).map_err(|e| RenderError::io(&path, e))?;
    Ok(n)
}

enum WErr {
    Io(std::io::Error),
    R(RenderError),
}
impl From<std::io::Error> for WErr {
    fn from(e: std::io::Error) -> Self {
        WErr::Io(e)
    }
}
impl From<RenderError> for WErr {
    fn from(e: RenderError) -> Self {
        WErr::R(e)
    }
}
impl From<takeout::store::StoreError> for WErr {
    fn from(e: takeout::store::StoreError) -> Self {
        WErr::R(e.into())
    }
}

/// Top-level member start: ",\n " + "key": (Telegram Desktop's prepareObjectItemStart).
fn member(out: &mut String, first: &mut bool, depth: usize, key: &str) {
    out.push_str(if *first { "\n" } else { ",\n" });
    *first = false;
    jsonw::indent(out, depth);
    jsonw::string(out, key);
    out.push_str(": ");
}

fn write_to(ctx: &Ctx, dir: &std::path::Path, w: &mut impl Write) -> Result<u64, WErr> {
    let mut s = String::new();
    let mut n = 0u64;
    if ctx.single_chat && ctx.chats.len() == 1 {
        n += write_chat(ctx, dir, w, &ctx.chats[0], 0, &mut s)?;
        return Ok(n);
    }
    let mut first = true;
    s.push('{');
    member(&mut s, &mut first, 1, "about");
    jsonw::string(&mut s, ABOUT_TELEGRAM);
    personal(ctx, &mut s, &mut first)?;
    userpics(ctx, &mut s, &mut first)?;
    stories(ctx, &mut s, &mut first)?;
    contacts(ctx, &mut s, &mut first)?;
    sessions(ctx, &mut s, &mut first)?;
    w.write_all(s.as_bytes())?;
    s.clear();
    for left in [false, true] {
        let list: Vec<_> = ctx.chats.iter().filter(|c| c.left == left).collect();
        if list.is_empty() {
            continue;
        }
        member(&mut s, &mut first, 1, if left { "left_chats" } else { "chats" });
        s.push('{');
        let mut f2 = true;
        member(&mut s, &mut f2, 2, "about");
        jsonw::string(&mut s, if left { ABOUT_LEFT_CHATS } else { ABOUT_CHATS });
        member(&mut s, &mut f2, 2, "list");
        s.push('[');
        for (i, c) in list.iter().enumerate() {
            s.push_str(if i == 0 { "\n" } else { ",\n" });
            jsonw::indent(&mut s, 3);
            w.write_all(s.as_bytes())?;
            s.clear();
            n += write_chat(ctx, dir, w, c, 3, &mut s)?;
        }
        s.push('\n');
        jsonw::indent(&mut s, 2);
        s.push(']');
        s.push('\n');
        jsonw::indent(&mut s, 1);
        s.push('}');
    }
    // Telegram Desktop ends the file with the closing brace, no newline.
    s.push_str("\n}");
    w.write_all(s.as_bytes())?;
    Ok(n)
}

fn write_chat(ctx: &Ctx, dir: &std::path::Path, w: &mut impl Write, c: &crate::peers::ChatEntry, depth: usize, s: &mut String) -> Result<u64, WErr> {
    s.clear();
    s.push('{');
    let mut first = true;
    if c.kind != "saved_messages" && c.kind != "replies" && c.kind != "verification_codes" {
        member(s, &mut first, depth + 1, "name");
        // A user's chat is named as Telegram Desktop names users (first and
        // last name; null for a deleted account), a group by its title.
        let name = match crate::peers::split_key(&c.peer) {
            Some(("user", id)) => ctx.peers.users.get(&id).map(|u| u.display.as_str()).unwrap_or(""),
            _ => c.name.as_str(),
        };
        s.push_str(&name_or_null(name));
    }
    member(s, &mut first, depth + 1, "type");
    jsonw::string(s, &c.kind);
    member(s, &mut first, depth + 1, "id");
    s.push_str(&crate::peers::split_key(&c.peer).map(|(_, id)| id).unwrap_or(0).to_string());
    member(s, &mut first, depth + 1, "messages");
    s.push('[');
    w.write_all(s.as_bytes())?;
    s.clear();
    let mut n = 0u64;
    let mut firstm = true;
    let mut res: Result<(), WErr> = Ok(());
    // A shared contact's vCard is written next to the chat's media, as
    // Telegram Desktop writes it (whatever the file settings): the chat's
    // folder (none in a single-chat export), contacts/contact_N.vcard.
    // The folder is the one the files downloader gave the chat, when it did.
    let mut vcards = 0u32;
    let folders = ctx.store.chat_folders().unwrap_or_default();
    ctx.each_message(c, |owner, m| {
        let vcard = match &m.media {
            Media::Contact { vcard, .. } if !vcard.is_empty() => {
                vcards += 1;
                let folder = folders.get(&c.peer).or_else(|| folders.get(owner)).unwrap_or(&c.folder);
                let rel = if ctx.single_chat { format!("contacts/contact_{vcards}.vcard") } else { format!("{folder}/contacts/contact_{vcards}.vcard") };
                let path = dir.join(&rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| RenderError::io(parent, e))?;
                }
                std::fs::write(&path, vcard.as_bytes()).map_err(|e| RenderError::io(&path, e))?;
                Some(rel)
            }
            _ => None,
        };
        s.push_str(if firstm { "\n" } else { ",\n" });
        firstm = false;
        jsonw::indent(s, depth + 2);
        message_with(ctx, owner, m, depth + 2, s, vcard.as_deref())?;
        // Written in chunks of about a megabyte: one copy less than a
        // buffered write per message, and memory stays flat.
        if s.len() >= 1 << 20 {
            if let Err(e) = w.write_all(s.as_bytes()) {
                res = Err(WErr::Io(e));
                return Err(RenderError::Stopped);
            }
            s.clear();
        }
        n += 1;
        Ok(())
    })
    .or_else(|e| match e {
        RenderError::Stopped => Ok(()),
        e => Err(e),
    })?;
    res?;
    s.push('\n');
    jsonw::indent(s, depth + 1);
    s.push(']');
    s.push('\n');
    jsonw::indent(s, depth);
    s.push('}');
    w.write_all(s.as_bytes())?;
    s.clear();
    Ok(n)
}

fn peer_id_str(key: &str) -> String {
    quoted(key)
}

fn name_or_null(name: &str) -> String {
    if name.is_empty() { "null".into() } else { quoted(name) }
}

/// One message object at `depth` (its braces' indentation), appended to `s`.
///
/// Nested values follow Telegram Desktop's nesting counter exactly, quirks
/// included: a value serialized at nesting `c` has its items at `c + 1` and
/// its closing bracket at `c`; the message's members are at `depth + 1`,
/// their values at nesting `d = depth + 1`.
pub fn message(ctx: &Ctx, owner: &str, m: &Msg, depth: usize, s: &mut String) -> Result<(), RenderError> {
    message_with(ctx, owner, m, depth, s, None)
}

/// [`message`], with the relative path the contact's vCard was written to.
pub fn message_with(ctx: &Ctx, owner: &str, m: &Msg, depth: usize, s: &mut String, vcard_path: Option<&str>) -> Result<(), RenderError> {
    let mut o = ObjW::new(s, depth);
    if m.kind == Kind::Unsupported {
        o.num("id", m.id).str("type", "unsupported");
        o.finish();
        return Ok(());
    }
    let d = depth + 1;
    o.num("id", m.id);
    o.str("type", if m.kind == Kind::Service { "service" } else { "message" });
    o.str("date", &ctx.dates.iso(m.date as i64));
    o.str("date_unixtime", &m.date.to_string());
    if let Some(e) = m.edited.filter(|e| *e != 0) {
        o.str("edited", &ctx.dates.iso(e as i64));
        o.str("edited_unixtime", &e.to_string());
    }
    let push_from = |o: &mut ObjW, label: &'static str, label_id: &'static str| {
        if let Some(f) = &m.from {
            o.raw(label, &name_or_null(ctx.peers.name(f)));
            o.raw(label_id, &peer_id_str(f));
        }
    };
    let push_reply = |o: &mut ObjW, label: &'static str| {
        if let Some(r) = m.reply_to {
            o.num(label, r);
            if let Some(p) = &m.reply_to_peer {
                o.raw("reply_to_peer_id", &peer_id_str(p));
            }
        }
    };
    // Telegram Desktop's pushPhoto: path or note, size (always), width and height.
    let push_photo = |o: &mut ObjW, p: &crate::message::PhotoInfo, gone: bool| -> Result<(), RenderError> {
        if gone {
            o.str("photo", files::UNAVAILABLE).num("photo_file_size", 0);
        } else {
            let f = files::resolve(ctx.store, owner, m.store_id as i64, SLOT_FILE, false)?;
            o.str("photo", f.as_str()).num("photo_file_size", p.size);
        }
        if p.width != 0 && p.height != 0 {
            o.num("width", p.width).num("height", p.height);
        }
        Ok(())
    };
    if let Some(a) = &m.action {
        if a.actor {
            push_from(&mut o, "actor", "actor_id");
        }
        if let Some(name) = a.name {
            o.str("action", name);
        }
        for (k, v) in &a.fields {
            match v {
                AVal::Str(x) => {
                    o.str(k, x);
                }
                AVal::Num(x) => {
                    o.num(k, x);
                }
                AVal::Bool(x) => {
                    o.bool(k, *x);
                }
                AVal::Users(ids) => {
                    let names: Vec<String> = ids.iter().map(|id| name_or_null(ctx.peers.user_name(*id))).collect();
                    o.raw(k, &array(&names, d));
                }
                AVal::UserName(id) => {
                    o.raw(k, &name_or_null(ctx.peers.user_name(*id)));
                }
                AVal::PeerName(p) => {
                    o.raw(k, &name_or_null(ctx.peers.name(p)));
                }
                AVal::PeerId(p) => {
                    o.raw(k, &peer_id_str(p));
                }
                AVal::Strs(list) => {
                    let items: Vec<String> = list.iter().map(|x| quoted(x)).collect();
                    o.raw(k, &array(&items, d));
                }
                AVal::NumsCompact(list) => {
                    let items: Vec<String> = list.iter().map(|x| x.to_string()).collect();
                    o.raw(k, &format!("[{}]", items.join(",")));
                }
                AVal::NumsAsString(list) => {
                    let items: Vec<String> = list.iter().map(|x| x.to_string()).collect();
                    o.str(k, &array(&items, d));
                }
                AVal::Text(t) => {
                    o.raw(k, &text(t, d, false));
                }
                AVal::Todo(items) => {
                    o.raw(k, &todo_items(items, d));
                }
                AVal::ReplyId => push_reply(&mut o, k),
                AVal::Photo(p) => push_photo(&mut o, p, false)?,
            }
        }
    } else {
        push_from(&mut o, "from", "from_id");
        o.str("author", &m.author);
        match &m.forwarded_from {
            Some(Fwd::Peer(p)) => {
                o.raw("forwarded_from", &name_or_null(ctx.peers.name(p)));
            }
            Some(Fwd::Name(n)) => {
                o.raw("forwarded_from", &name_or_null(n));
            }
            None => {}
        }
        if let Some(p) = &m.saved_from {
            o.raw("saved_from", &name_or_null(ctx.peers.name(p)));
        }
        push_reply(&mut o, "reply_to_message_id");
        if let Some(bot) = m.via_bot
            && let Some(u) = ctx.peers.users.get(&bot).and_then(|u| u.username.clone()).filter(|u| !u.is_empty())
        {
            o.str("via_bot", &format!("@{u}"));
        }
    }
    let path = |slot: &str| -> Result<String, RenderError> { Ok(files::resolve(ctx.store, owner, m.store_id as i64, slot, false)?.as_str().to_string()) };
    match &m.media {
        Media::None => {}
        Media::Photo { photo, spoiler, gone } => {
            push_photo(&mut o, photo, *gone)?;
            if *spoiler {
                o.bool("media_spoiler", true);
            }
            if let Some(t) = m.ttl {
                o.num("self_destruct_period_seconds", t);
            }
        }
        Media::Document { doc, spoiler, gone, thumb_gone } => {
            if *gone {
                o.str("file", files::UNAVAILABLE);
            } else {
                o.str("file", &path(SLOT_FILE)?);
            }
            o.str("file_name", &doc.name);
            o.num("file_size", if *gone { 0 } else { doc.size });
            if let Some((_, size)) = doc.thumb {
                if *thumb_gone {
                    o.str("thumbnail", files::UNAVAILABLE).num("thumbnail_file_size", 0);
                } else {
                    o.str("thumbnail", &path(SLOT_THUMB)?).num("thumbnail_file_size", size);
                }
            }
            if let Some(t) = doc.kind.media_type() {
                o.str("media_type", t);
            }
            match doc.kind {
                crate::message::DocKind::Sticker => {
                    o.str("sticker_emoji", &doc.sticker_emoji);
                }
                crate::message::DocKind::AudioFile => {
                    o.str("performer", &doc.performer).str("title", &doc.title);
                }
                _ => {}
            }
            o.str("mime_type", &doc.mime);
            if doc.duration != 0 {
                o.num("duration_seconds", doc.duration);
            }
            if doc.width != 0 && doc.height != 0 {
                o.num("width", doc.width).num("height", doc.height);
            }
            if *spoiler {
                o.bool("media_spoiler", true);
            }
            if let Some(t) = m.ttl {
                o.num("self_destruct_period_seconds", t);
            }
        }
        Media::Contact { first_name, last_name, phone: ph, vcard } => {
            let mut c = Obj::new();
            c.str_always("first_name", first_name).str_always("last_name", last_name).str_always("phone_number", &phone(ph));
            o.raw("contact_information", &c.to_string(d));
            if let Some(p) = vcard_path.filter(|_| !vcard.is_empty()) {
                o.str("contact_vcard", p).num("contact_vcard_file_size", vcard.len());
            }
        }
        Media::Geo { point } => {
            o.raw(
                "location_information",
                &match point {
                    Some((lat, long)) => {
                        let mut c = Obj::new();
                        c.raw("latitude", jsonw::double(*lat)).raw("longitude", jsonw::double(*long));
                        c.to_string(d)
                    }
                    None => "null".into(),
                },
            );
            if let Some(t) = m.ttl {
                o.num("live_location_period_seconds", t);
            }
        }
        Media::Venue { title, address, point } => {
            o.str("place_name", title).str("address", address);
            if let Some((lat, long)) = point {
                let mut c = Obj::new();
                c.raw("latitude", jsonw::double(*lat)).raw("longitude", jsonw::double(*long));
                o.raw("location_information", &c.to_string(d));
            }
        }
        Media::Game { title, description, short_name, bot } => {
            o.str("game_title", title).str("game_description", description);
            if *bot != 0
                && !short_name.is_empty()
                && let Some(u) = ctx.peers.users.get(bot).filter(|u| u.bot).and_then(|u| u.username.clone()).filter(|u| !u.is_empty())
            {
                o.str("game_link", &format!("{INTERNAL_LINKS_DOMAIN}{u}?game={short_name}"));
            }
        }
        Media::Invoice { title, description, amount, currency, receipt } => {
            // Telegram Desktop pushes this object through its string path:
            // "invoice_information" is a string holding the object's text.
            let mut c = Obj::new();
            c.str_always("title", title).str_always("description", description).num("amount", amount).str_always("currency", currency);
            if let Some(r) = receipt.filter(|r| *r != 0) {
                c.num("receipt_message_id", r);
            }
            o.str("invoice_information", &c.to_string(d));
        }
        Media::Poll { question, closed, total_voters, answers } => {
            let answers: Vec<String> = answers
                .iter()
                .map(|a| {
                    let mut x = Obj::new();
                    x.raw("text", text(&a.text, d + 2, false)).num("voters", a.voters).bool("chosen", a.chosen);
                    x.to_string(d + 2)
                })
                .collect();
            let mut p = Obj::new();
            p.raw("question", text(question, d, false))
                .bool("closed", *closed)
                .num("total_voters", total_voters)
                .raw("answers", array(&answers, d + 1));
            o.raw("poll", &p.to_string(d));
        }
        Media::Todo { title, others_can_append, others_can_complete, items } => {
            let mut p = Obj::new();
            p.raw("title", text(title, d, false))
                .bool("others_can_append", *others_can_append)
                .bool("others_can_complete", *others_can_complete)
                .raw("answers", todo_items(items, d + 1));
            o.raw("todo_list", &p.to_string(d));
        }
        Media::Giveaway(g) => {
            let channels: Vec<String> = g.channels.iter().map(|c| c.to_string()).collect();
            let countries: Vec<String> = g.countries.iter().map(|c| quoted(c)).collect();
            let mut p = Obj::new();
            p.num("quantity", g.quantity)
                .num("months", g.months)
                .str_always("until_date", &ctx.dates.iso(g.until_date as i64))
                .raw("channels", array(&channels, d + 1))
                .raw("countries", array(&countries, d + 1))
                .str_always("additional_prize", &g.prize)
                .num("stars", g.stars)
                .bool("is_only_new_subscribers", g.only_new);
            o.raw("giveaway_information", &p.to_string(d));
        }
        Media::GiveawayResults(g) => {
            let winners: Vec<String> = g.winners.iter().map(|c| c.to_string()).collect();
            let mut p = Obj::new();
            p.num("channel", g.channel)
                .raw("winners", array(&winners, d + 1))
                .str_always("additional_prize", &g.prize)
                .str_always("until_date", &ctx.dates.iso(g.until_date as i64))
                .num("launch_message_id", g.launch_id)
                .num("additional_peers_count", g.additional_peers)
                .num("winners_count", g.winners_count)
                .num("unclaimed_count", g.unclaimed_count)
                .num("months", g.months)
                .num("stars", g.stars)
                .bool("is_refunded", g.refunded)
                .bool("is_only_new_subscribers", g.only_new);
            o.raw("giveaway_results", &p.to_string(d));
        }
        Media::PaidMedia { stars } => {
            o.num("paid_stars_amount", stars);
        }
    }
    o.raw("text", &text(&m.text, d, false));
    o.raw("text_entities", &text(&m.text, d, true));
    if !m.buttons.is_empty() {
        // Buttons two levels down, rows one level down (its nesting counter).
        let rows: Vec<String> = m
            .buttons
            .iter()
            .map(|row| {
                let items: Vec<String> = row
                    .iter()
                    .map(|b| {
                        let mut x = Obj::new();
                        x.str_always("type", b.kind).str("text", &b.text);
                        if !b.data.is_empty() {
                            if b.kind == "callback" || b.kind == "callback_with_password" {
                                x.str_always("dataBase64", &base64url(&b.data)).str_always("data", "");
                            } else {
                                x.str_always("data", &String::from_utf8_lossy(&b.data));
                            }
                        }
                        x.str("forward_text", &b.forward_text);
                        if b.button_id != 0 {
                            x.num("button_id", b.button_id);
                        }
                        x.to_string(d + 2)
                    })
                    .collect();
                array(&items, d + 1)
            })
            .collect();
        o.raw("inline_bot_buttons", &array(&rows, d));
    }
    if !m.reactions.is_empty() {
        // Telegram Desktop serializes each reaction two levels down and the
        // list one level down (its nesting counter), hence these depths.
        let list: Vec<String> = m
            .reactions
            .iter()
            .map(|r| {
                let mut x = Obj::new();
                x.str("type", r.kind).num("count", r.count);
                match r.kind {
                    "emoji" => {
                        x.str_always("emoji", &r.emoji);
                    }
                    "custom_emoji" => {
                        x.str_always("document_id", &r.document_id.unwrap_or(0).to_string());
                    }
                    _ => {}
                }
                if !r.recent.is_empty() {
                    let recent: Vec<String> = r
                        .recent
                        .iter()
                        .map(|(p, date)| {
                            let mut y = Obj::new();
                            y.raw("from", name_or_null(ctx.peers.name(p))).raw("from_id", peer_id_str(p)).str_always("date", &ctx.dates.iso(*date as i64));
                            y.to_string(d + 4)
                        })
                        .collect();
                    x.raw("recent", array(&recent, d + 3));
                }
                x.to_string(d + 2)
            })
            .collect();
        o.raw("reactions", &array(&list, d + 1));
    }
    o.finish();
    Ok(())
}

/// Base64url without padding (Qt's Base64UrlEncoding | OmitTrailingEquals).
fn base64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..=c.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Telegram Desktop's internalLinksDomain (game links).
pub const INTERNAL_LINKS_DOMAIN: &str = "https://t.me/";

/// Todo items [{text, id}] serialized at nesting `c` (items one level down).
fn todo_items(items: &[(Vec<TextPart>, i32)], c: usize) -> String {
    let list: Vec<String> = items
        .iter()
        .map(|(t, id)| {
            let mut x = Obj::new();
            x.raw("text", text(t, c + 1, false)).num("id", id);
            x.to_string(c + 1)
        })
        .collect();
    array(&list, c)
}

/// Telegram Desktop's SerializeText: a bare string for one plain part,
/// else an array of strings (plain parts) and {type, text, ...} objects;
/// with `objects`, always an array of objects ("text_entities").
pub fn text(parts: &[TextPart], depth: usize, objects: bool) -> String {
    if parts.is_empty() {
        return if objects { "[]".into() } else { "\"\"".into() };
    }
    if !objects && parts.len() == 1 && parts[0].kind == PartKind::Plain {
        return quoted(&parts[0].text);
    }
    let items: Vec<String> = parts
        .iter()
        .map(|p| {
            if p.kind == PartKind::Plain && !objects {
                return quoted(&p.text);
            }
            let mut o = Obj::new();
            o.str_always("type", p.kind.name()).str_always("text", &p.text);
            match &p.extra {
                Extra::Language(l) => {
                    o.str_always("language", l);
                }
                Extra::Href(h) => {
                    o.str_always("href", h);
                }
                Extra::UserId(u) => {
                    o.num("user_id", u);
                }
                Extra::DocumentId(id) => {
                    o.str_always("document_id", &id.to_string());
                }
                Extra::Collapsed(c) => {
                    o.bool("collapsed", *c);
                }
                Extra::None => {}
            }
            o.to_string(depth + 1)
        })
        .collect();
    array(&items, depth)
}

/// Whether the last export selected a section (its option at `path` in the
/// run's recorded options): Telegram Desktop writes a selected section even
/// when its list is empty.
fn selected(ctx: &Ctx, path: &[&str]) -> bool {
    let Ok(Some(o)) = ctx.store.last_run_options() else { return false };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&o) else { return false };
    path.iter().try_fold(&v, |v, k| v.get(k)).and_then(|v| v.as_bool()).unwrap_or(false)
}

fn personal(ctx: &Ctx, s: &mut String, first: &mut bool) -> Result<(), RenderError> {
    let items = ctx.store.items("personal_info")?;
    let Some((_, raw)) = items.first() else { return Ok(()) };
    let Ok(tl::enums::users::UserFull::Full(full)) = tl::enums::users::UserFull::from_bytes(raw) else { return Ok(()) };
    let tl::enums::UserFull::Full(uf) = &full.full_user;
    let user = full.users.iter().find_map(|u| match u {
        tl::enums::User::User(u) if u.id == uf.id => Some(u.clone()),
        _ => None,
    });
    let Some(u) = user else { return Ok(()) };
    let mut o = Obj::new();
    o.num("user_id", u.id)
        .str_always("first_name", u.first_name.as_deref().unwrap_or(""))
        .str_always("last_name", u.last_name.as_deref().unwrap_or(""))
        .str_always("phone_number", &phone(u.phone.as_deref().unwrap_or("")));
    if let Some(un) = u.username.as_deref().filter(|x| !x.is_empty()) {
        o.str("username", &format!("@{un}"));
    }
    o.str("bio", uf.about.as_deref().unwrap_or(""));
    member(s, first, 1, "personal_information");
    o.write(s, 1);
    Ok(())
}

fn userpics(ctx: &Ctx, s: &mut String, first: &mut bool) -> Result<(), RenderError> {
    let items = ctx.store.items("profile_photo")?;
    if items.is_empty() && !selected(ctx, &["profile_photos"]) {
        return Ok(());
    }
    let mut list = Vec::new();
    for (_, raw) in &items {
        let Ok(tl::enums::Photo::Photo(p)) = tl::enums::Photo::from_bytes(raw) else { continue };
        let f = files::resolve(ctx.store, OWNER_PROFILE_PHOTOS, p.id, SLOT_FILE, true)?;
        let mut o = Obj::new();
        if p.date != 0 {
            o.str("date", &ctx.dates.iso(p.date as i64)).str("date_unixtime", &p.date.to_string());
        }
        o.str_always("photo", f.as_str());
        list.push(o.to_string(2));
    }
    member(s, first, 1, "profile_pictures");
    s.push_str(&array(&list, 1));
    Ok(())
}

fn stories(ctx: &Ctx, s: &mut String, first: &mut bool) -> Result<(), RenderError> {
    let items = ctx.store.items("story")?;
    if items.is_empty() && !selected(ctx, &["stories"]) {
        return Ok(());
    }
    let mut list = Vec::new();
    for (_, raw) in &items {
        let Ok(tl::enums::StoryItem::Item(st)) = tl::enums::StoryItem::from_bytes(raw) else { continue };
        let f = files::resolve(ctx.store, OWNER_STORIES, st.id as i64, SLOT_FILE, true)?;
        let mut o = Obj::new();
        if st.date != 0 {
            o.str("date", &ctx.dates.iso(st.date as i64)).str("date_unixtime", &st.date.to_string());
        }
        if st.expire_date != 0 {
            o.str("expires", &ctx.dates.iso(st.expire_date as i64)).str("expires_unixtime", &st.expire_date.to_string());
        }
        o.bool("pinned", st.pinned).str_always("media", f.as_str());
        list.push(o.to_string(2));
    }
    member(s, first, 1, "stories");
    s.push_str(&array(&list, 1));
    Ok(())
}

fn about_list(s: &mut String, first: &mut bool, key: &str, about: &str, list: &[String]) {
    member(s, first, 1, key);
    s.push('{');
    let mut f = true;
    member(s, &mut f, 2, "about");
    jsonw::string(s, about);
    member(s, &mut f, 2, "list");
    if list.is_empty() {
        s.push_str("[\n  ]");
    } else {
        s.push_str(&array(list, 2));
    }
    s.push_str("\n }");
}

fn contacts(ctx: &Ctx, s: &mut String, first: &mut bool) -> Result<(), RenderError> {
    let saved = ctx.store.items("saved_contact")?;
    let contact = ctx.store.items("contact")?;
    let top = ctx.store.items("top_peers")?;
    if saved.is_empty() && contact.is_empty() && top.is_empty() && !selected(ctx, &["flags", "contacts"]) {
        return Ok(());
    }
    let digits = |p: &str| p.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
    let mut user_by_phone: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    let mut ids: Vec<_> = ctx.peers.users.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        if let Some(p) = ctx.peers.users[&id].phone.as_deref().map(digits).filter(|p| !p.is_empty()) {
            user_by_phone.entry(p).or_insert(id);
        }
    }
    // (sort key, object)
    let mut rows: Vec<(String, String)> = Vec::new();
    for (_, raw) in &saved {
        let Ok(tl::enums::SavedContact::SavedPhoneContact(c)) = tl::enums::SavedContact::from_bytes(raw) else { continue };
        let mut o = Obj::new();
        if c.first_name.is_empty() && c.last_name.is_empty() && c.phone.is_empty() {
            o.str("date", &ctx.dates.iso(c.date as i64)).str("date_unixtime", &c.date.to_string());
        } else {
            // Telegram Desktop resolves each saved phone to its user
            // (contacts.resolvePhone); the store's users with that phone
            // stand in for that lookup.
            if let Some(id) = user_by_phone.get(digits(&c.phone).as_str()) {
                o.num("user_id", id);
            }
            o.str_always("first_name", &c.first_name)
                .str_always("last_name", &c.last_name)
                .str_always("phone_number", &phone(&c.phone))
                .str("date", &ctx.dates.iso(c.date as i64))
                .str("date_unixtime", &c.date.to_string());
        }
        rows.push((format!("{} {}", c.first_name, c.last_name).to_lowercase(), o.to_string(3)));
    }
    // Telegram Desktop lists only the phone-book copy (contacts.getSaved);
    // with none, the list is empty. The contact list's users serve above
    // to resolve phones to user ids.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let list: Vec<String> = rows.into_iter().map(|r| r.1).collect();
    about_list(s, first, "contacts", ABOUT_CONTACTS, &list);

    let mut freq = Vec::new();
    if let Some((_, raw)) = top.first() {
        if let Ok(tl::enums::contacts::TopPeers::Peers(tp)) = tl::enums::contacts::TopPeers::from_bytes(raw) {
            let mut names: std::collections::HashMap<String, (String, String)> = std::collections::HashMap::new();
            for u in &tp.users {
                if let tl::enums::User::User(u) = u {
                    let info = crate::peers::UserInfo {
                        first_name: u.first_name.clone().unwrap_or_default(),
                        last_name: u.last_name.clone().unwrap_or_default(),
                        ..Default::default()
                    };
                    names.insert(format!("user{}", u.id), (info.name(), "user".into()));
                }
            }
            for c in &tp.chats {
                if let Some(row) = takeout::parse::chat_row(c) {
                    let key = if row.kind == "group" { format!("chat{}", row.id) } else { format!("channel{}", row.id) };
                    let public = row.username.as_deref().is_some_and(|u| !u.is_empty());
                    let kind = match (row.kind.as_str(), public) {
                        ("channel", false) => "private_channel",
                        ("channel", true) => "public_channel",
                        ("supergroup", false) => "private_supergroup",
                        ("supergroup", true) => "public_supergroup",
                        _ => "private_group",
                    };
                    names.insert(key, (row.title.clone(), kind.into()));
                }
            }
            for category in ["people", "inline_bots", "calls"] {
                for tl::enums::TopPeerCategoryPeers::Peers(cat) in &tp.categories {
                    let name = match cat.category {
                        tl::enums::TopPeerCategory::Correspondents => "people",
                        tl::enums::TopPeerCategory::BotsInline => "inline_bots",
                        tl::enums::TopPeerCategory::PhoneCalls => "calls",
                        _ => continue,
                    };
                    if name != category {
                        continue;
                    }
                    for tl::enums::TopPeer::Peer(p) in &cat.peers {
                        let key = crate::message::peer_key(&p.peer);
                        let (pname, kind) = names.get(&key).cloned().unwrap_or_else(|| (ctx.peers.name(&key).to_string(), "user".into()));
                        let mut o = Obj::new();
                        o.num("id", crate::peers::split_key(&key).map(|k| k.1).unwrap_or(0))
                            .str_always("category", category)
                            .str_always("type", &kind)
                            .raw("name", name_or_null(&pname))
                            .raw("rating", jsonw::double(p.rating));
                        freq.push(o.to_string(3));
                    }
                }
            }
        }
    }
    about_list(s, first, "frequent_contacts", ABOUT_FREQUENT, &freq);
    Ok(())
}

fn sessions(ctx: &Ctx, s: &mut String, first: &mut bool) -> Result<(), RenderError> {
    let sess = ctx.store.items("session")?;
    let web = ctx.store.items("web_session")?;
    if sess.is_empty() && web.is_empty() && !selected(ctx, &["sessions"]) {
        return Ok(());
    }
    let mut list = Vec::new();
    for (_, raw) in &sess {
        let Ok(tl::enums::Authorization::Authorization(a)) = tl::enums::Authorization::from_bytes(raw) else { continue };
        let mut o = Obj::new();
        o.str_always("last_active", &ctx.dates.iso(a.date_active as i64))
            .str_always("last_active_unixtime", &a.date_active.to_string())
            .str_always("last_ip", &a.ip)
            .str_always("last_country", &a.country)
            .str_always("last_region", &a.region)
            .str_or_null("application_name", &a.app_name)
            .str("application_version", &a.app_version)
            .str_always("device_model", &a.device_model)
            .str_always("platform", &a.platform)
            .str_always("system_version", &a.system_version)
            .str_always("created", &ctx.dates.iso(a.date_created as i64))
            .str_always("created_unixtime", &a.date_created.to_string());
        list.push(o.to_string(3));
    }
    about_list(s, first, "sessions", ABOUT_SESSIONS, &list);
    let mut list = Vec::new();
    for (_, raw) in &web {
        let Ok(tl::enums::WebAuthorization::Authorization(a)) = tl::enums::WebAuthorization::from_bytes(raw) else { continue };
        let bot = ctx.peers.users.get(&a.bot_id).filter(|u| u.bot).and_then(|u| u.username.clone()).unwrap_or_default();
        let mut o = Obj::new();
        o.str_always("last_active", &ctx.dates.iso(a.date_active as i64))
            .str_always("last_active_unixtime", &a.date_active.to_string())
            .str_always("last_ip", &a.ip)
            .str_always("last_region", &a.region)
            .str_or_null("bot_username", &bot)
            .str_or_null("domain_name", &a.domain)
            .str_always("browser", &a.browser)
            .str_always("platform", &a.platform)
            .str_always("created", &ctx.dates.iso(a.date_created as i64))
            .str_always("created_unixtime", &a.date_created.to_string());
        list.push(o.to_string(3));
    }
    about_list(s, first, "web_sessions", ABOUT_WEB_SESSIONS, &list);
    Ok(())
}
