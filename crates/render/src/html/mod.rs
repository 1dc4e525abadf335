//! The HTML archive: index.html (the chats), per-chat pages of 1,000
//! messages (messages.html, messages2.html, … as Telegram Desktop names
//! them) with navigation, media inline, replies linked across pages,
//! and search.html working offline. No script on the message pages, no
//! external resource anywhere, a strict Content-Security-Policy on every
//! page, every string escaped, links only to safe schemes.

pub mod account;
pub mod escape;
pub mod search;
pub mod style;

use std::io::Write;
use std::path::{Path, PathBuf};

use escape::{esc, path_url, push, push_multiline, safe_url};

use crate::files::{self, FileOut};
use crate::message::{AVal, DocKind, Fwd, Kind, Media, Msg};
use crate::peers::ChatEntry;
use crate::text::{Extra, PartKind, TextPart};
use crate::{Ctx, RenderError, jsonw};
use takeout::store_files::SLOT_FILE;

pub const PER_PAGE: usize = 1000;

/// Pages without script: only local styles, images and media.
const CSP_PAGE: &str = "default-src 'none'; style-src 'self'; img-src 'self'; media-src 'self'; script-src 'none'; base-uri 'none'; form-action 'none'";
/// The search page: local scripts too, nothing inline.
const CSP_SEARCH: &str = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'";

/// Page file name for a 0-based page index.
pub fn page_name(i: usize) -> String {
    if i == 0 { "messages.html".into() } else { format!("messages{}.html", i + 1) }
}

fn head(out: &mut String, title: &str, root: &str, csp: &str) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"");
    out.push_str(csp);
    out.push_str("\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    push(out, title);
    out.push_str("</title>\n<link rel=\"stylesheet\" href=\"");
    out.push_str(root);
    out.push_str("css/style.css\">\n</head>\n<body>\n<div class=\"page_wrap\">\n");
}

fn foot(out: &mut String, ctx: &Ctx) {
    out.push_str("<div class=\"footer\">Exported with tgtakeout. Times are ");
    out.push_str(ctx.dates.zone_note());
    out.push_str(".</div>\n</div>\n</body>\n</html>\n");
}

struct Files {
    written: Vec<PathBuf>,
}

fn write_file(files: &mut Files, path: &Path, data: &[u8]) -> Result<(), RenderError> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| RenderError::io(d, e))?;
    }
    std::fs::write(path, data).map_err(|e| RenderError::io(path, e))?;
    files.written.push(path.to_path_buf());
    Ok(())
}

/// Writes the archive; returns (messages, pages).
pub fn write(ctx: &Ctx, dir: &Path) -> Result<(u64, u64), RenderError> {
    let mut files = Files { written: Vec::new() };
    write_file(&mut files, &dir.join("css/style.css"), style::CSS.as_bytes())?;
    write_file(&mut files, &dir.join("js/search.js"), search::SEARCH_JS.as_bytes())?;
    let data_path = dir.join("js/search_data.js");
    let data_file = std::fs::File::create(&data_path).map_err(|e| RenderError::io(&data_path, e))?;
    let mut data = std::io::BufWriter::with_capacity(1 << 20, data_file);
    let mut messages = 0u64;
    let mut pages = 0u64;
    let mut counts = Vec::new();
    // Chat folders and names for the search script.
    let mut chats_js = String::from("window.TGTC = [");
    for (i, c) in ctx.chats.iter().enumerate() {
        if i > 0 {
            chats_js.push(',');
        }
        chats_js.push('[');
        js_string(&mut chats_js, &c.folder);
        chats_js.push(',');
        js_string(&mut chats_js, &display_name(c));
        chats_js.push(']');
    }
    chats_js.push_str("];\nwindow.TGTS = [];\n");
    data.write_all(chats_js.as_bytes()).map_err(|e| RenderError::io(&data_path, e))?;
    for (ci, c) in ctx.chats.iter().enumerate() {
        let (n, p) = chat(ctx, dir, ci, c, &mut data).map_err(|e| match e {
            ChatErr::R(e) => e,
            ChatErr::Io(p, e) => RenderError::io(&p, e),
        })?;
        messages += n;
        pages += p;
        counts.push(n);
    }
    data.flush().map_err(|e| RenderError::io(&data_path, e))?;
    let account = account::body(ctx)?;
    if let Some(body) = &account {
        let mut o = String::new();
        head(&mut o, "Account", "", CSP_PAGE);
        o.push_str("<div class=\"page_header\"><a href=\"index.html\">&larr; Chats</a><div class=\"title\">Account</div></div>\n<div class=\"page_body\">\n");
        o.push_str(body);
        o.push_str("</div>\n");
        foot(&mut o, ctx);
        write_file(&mut files, &dir.join("account.html"), o.as_bytes())?;
    }
    index(ctx, dir, &counts, account.is_some(), &mut files)?;
    search_page(ctx, dir, &mut files)?;
    Ok((messages, pages + 2 + account.is_some() as u64))
}

fn display_name(c: &ChatEntry) -> String {
    match c.kind.as_str() {
        "saved_messages" => "Saved Messages".into(),
        "replies" => "Replies".into(),
        _ if c.name.is_empty() => "Deleted Account".into(),
        _ => c.name.clone(),
    }
}

/// A JS string literal (JSON, with '<' escaped too so no "</script>").
fn js_string(out: &mut String, s: &str) {
    let mut q = String::new();
    jsonw::string(&mut q, s);
    out.push_str(&q.replace('<', "\\u003c"));
}

fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect::<String>().to_uppercase()
}

fn index(ctx: &Ctx, dir: &Path, counts: &[u64], account: bool, files: &mut Files) -> Result<(), RenderError> {
    let mut o = String::new();
    head(&mut o, "Exported Data", "", CSP_PAGE);
    o.push_str("<div class=\"page_header\"><div class=\"title\">Exported Data</div>");
    if account {
        o.push_str("<a href=\"account.html\">Account</a>");
    }
    o.push_str("<a href=\"search.html\">Search</a></div>\n<div class=\"page_body\">\n");
    for left in [false, true] {
        let list: Vec<(usize, &ChatEntry)> = ctx.chats.iter().enumerate().filter(|(_, c)| c.left == left).collect();
        if list.is_empty() {
            continue;
        }
        o.push_str(if left { "<h3>Left chats</h3>\n" } else { "<h3>Chats</h3>\n" });
        for (i, c) in list {
            let name = display_name(c);
            o.push_str("<a class=\"section\" href=\"");
            o.push_str(&path_url(&c.folder));
            o.push_str("/messages.html\"><div class=\"userpic\">");
            push(&mut o, &initials(&name));
            o.push_str("</div><div><div class=\"name\">");
            push(&mut o, &name);
            o.push_str("</div><div class=\"details\">");
            push(&mut o, &c.kind.replace('_', " "));
            o.push_str(&format!(" · {} messages</div></div></a>\n", counts[i]));
        }
    }
    o.push_str("</div>\n");
    foot(&mut o, ctx);
    write_file(files, &dir.join("index.html"), o.as_bytes())
}

fn search_page(ctx: &Ctx, dir: &Path, files: &mut Files) -> Result<(), RenderError> {
    let mut o = String::new();
    head(&mut o, "Search", "", CSP_SEARCH);
    o.push_str("<div class=\"page_header\"><a href=\"index.html\">&larr; Chats</a><div class=\"title\">Search</div></div>\n<div class=\"page_body search\">\n");
    o.push_str("<input id=\"q\" type=\"search\" placeholder=\"Search messages\" autofocus>\n<p id=\"count\" class=\"details\"></p>\n<div id=\"results\"></div>\n");
    o.push_str("<noscript><p>Search needs JavaScript; everything else in this archive works without it.</p></noscript>\n");
    o.push_str("<script src=\"js/search_data.js\"></script>\n<script src=\"js/search.js\"></script>\n</div>\n");
    foot(&mut o, ctx);
    write_file(files, &dir.join("search.html"), o.as_bytes())
}

enum ChatErr {
    R(RenderError),
    Io(PathBuf, std::io::Error),
}
impl From<RenderError> for ChatErr {
    fn from(e: RenderError) -> Self {
        ChatErr::R(e)
    }
}
impl From<takeout::store::StoreError> for ChatErr {
    fn from(e: takeout::store::StoreError) -> Self {
        ChatErr::R(e.into())
    }
}

/// Output ids of a chat in order (an upgraded group's shifted ids first).
fn chat_ids(ctx: &Ctx, c: &ChatEntry) -> Result<Vec<i64>, RenderError> {
    let mut ids = Vec::new();
    if let Some(from) = &c.migrated_from {
        ids.extend(ctx.store.message_ids(from)?.into_iter().map(|i| i as i64 + crate::peers::MIGRATED_ID_SHIFT));
    }
    ids.extend(ctx.store.message_ids(&c.peer)?.into_iter().map(|i| i as i64));
    Ok(ids)
}

struct Page {
    path: PathBuf,
    w: std::io::BufWriter<std::fs::File>,
}

fn chat(ctx: &Ctx, dir: &Path, ci: usize, c: &ChatEntry, data: &mut impl Write) -> Result<(u64, u64), ChatErr> {
    let ids = chat_ids(ctx, c)?;
    let total_pages = ids.len().div_ceil(PER_PAGE).max(1);
    let folder = dir.join(&c.folder);
    std::fs::create_dir_all(&folder).map_err(|e| ChatErr::Io(folder.clone(), e))?;
    let name = display_name(c);
    let mut page: Option<Page> = None;
    let mut n = 0usize;
    let mut s = String::new();
    let mut last_day = String::new();
    let mut prev_from: Option<String> = None;
    let mut index_chunk = String::new();
    let data_err: std::cell::Cell<Option<std::io::Error>> = std::cell::Cell::new(None);
    let mut io_err: Option<(PathBuf, std::io::Error)> = None;
    let open = |i: usize| -> Result<(Page, String), (PathBuf, std::io::Error)> {
        let path = folder.join(page_name(i));
        let f = std::fs::File::create(&path).map_err(|e| (path.clone(), e))?;
        let mut h = String::new();
        head(&mut h, &name, "../../", CSP_PAGE);
        h.push_str("<div class=\"page_header\"><a href=\"../../index.html\">&larr; Chats</a><div class=\"title\">");
        push(&mut h, &name);
        h.push_str(&format!("</div><span class=\"details\">{} / {}</span></div>\n<div class=\"page_body\">\n", i + 1, total_pages));
        if i > 0 {
            h.push_str(&format!("<a class=\"pagination\" href=\"{}\">Previous messages</a>\n", page_name(i - 1)));
        }
        Ok((Page { path, w: std::io::BufWriter::with_capacity(256 << 10, f) }, h))
    };
    let close = |p: &mut Page, i: usize| -> Result<(), (PathBuf, std::io::Error)> {
        let mut t = String::new();
        if i + 1 < total_pages {
            t.push_str(&format!("<a class=\"pagination\" href=\"{}\">Next messages</a>\n", page_name(i + 1)));
        }
        t.push_str("</div>\n");
        foot(&mut t, ctx);
        p.w.write_all(t.as_bytes()).and_then(|_| p.w.flush()).map_err(|e| (p.path.clone(), e))
    };
    let result = ctx.each_message(c, |owner, m| {
        let pi = n / PER_PAGE;
        s.clear();
        if n.is_multiple_of(PER_PAGE) {
            if let Some(mut p) = page.take() {
                if let Err(e) = close(&mut p, pi - 1) {
                    io_err = Some(e);
                    return Err(RenderError::Stopped);
                }
            }
            match open(pi) {
                Ok((p, h)) => {
                    page = Some(p);
                    s.push_str(&h);
                }
                Err(e) => {
                    io_err = Some(e);
                    return Err(RenderError::Stopped);
                }
            }
            prev_from = None;
        }
        let day = ctx.dates.day_key(m.date as i64);
        if day != last_day {
            s.push_str("<div class=\"message service\"><div class=\"body\">");
            push(&mut s, &ctx.dates.day(m.date as i64));
            s.push_str("</div></div>\n");
            last_day = day;
            prev_from = None;
        }
        message(ctx, owner, m, &ids, &mut s, &mut prev_from)?;
        let p = page.as_mut().expect("a page is open");
        if let Err(e) = p.w.write_all(s.as_bytes()) {
            io_err = Some((p.path.clone(), e));
            return Err(RenderError::Stopped);
        }
        // Search index: [chat, page (1-based), id, text].
        let plain: String = m.text.iter().map(|t| t.text.as_str()).collect::<String>();
        if !plain.is_empty() {
            if index_chunk.is_empty() {
                index_chunk.push_str("TGTS.push([");
            } else {
                index_chunk.push(',');
            }
            let snippet: String = plain.chars().take(search::SNIPPET_CHARS).collect();
            index_chunk.push_str(&format!("[{ci},{},{},", pi + 1, m.id));
            js_string(&mut index_chunk, &snippet);
            index_chunk.push(']');
            if index_chunk.len() > 256 << 10 {
                index_chunk.push_str("]);\n");
                if let Err(e) = data.write_all(index_chunk.as_bytes()) {
                    data_err.set(Some(e));
                    return Err(RenderError::Stopped);
                }
                index_chunk.clear();
            }
        }
        n += 1;
        Ok(())
    });
    if let Some((p, e)) = io_err {
        return Err(ChatErr::Io(p, e));
    }
    if let Some(e) = data_err.take() {
        return Err(ChatErr::Io(dir.join("js/search_data.js"), e));
    }
    result?;
    if !index_chunk.is_empty() {
        index_chunk.push_str("]);\n");
        data.write_all(index_chunk.as_bytes()).map_err(|e| ChatErr::Io(dir.join("js/search_data.js"), e))?;
    }
    let pages_written = n.div_ceil(PER_PAGE).max(1);
    match page.take() {
        Some(mut p) => close(&mut p, pages_written - 1).map_err(|(p, e)| ChatErr::Io(p, e))?,
        None => {
            // An empty chat still gets its page.
            let (mut p, h) = open(0).map_err(|(p, e)| ChatErr::Io(p, e))?;
            let mut t = h;
            t.push_str("<div class=\"message service\"><div class=\"body\">No messages in this export.</div></div>\n");
            p.w.write_all(t.as_bytes()).map_err(|e| ChatErr::Io(p.path.clone(), e))?;
            close(&mut p, 0).map_err(|(p, e)| ChatErr::Io(p, e))?;
        }
    }
    Ok((n as u64, pages_written as u64))
}

/// The page (0-based) holding output id `id`, if it is in this export.
fn page_of(ids: &[i64], id: i64) -> Option<usize> {
    ids.binary_search(&id).ok().map(|pos| pos / PER_PAGE)
}

fn message(ctx: &Ctx, owner: &str, m: &Msg, ids: &[i64], s: &mut String, prev_from: &mut Option<String>) -> Result<(), RenderError> {
    let id = m.id;
    if m.kind == Kind::Service {
        s.push_str(&format!("<div class=\"message service\" id=\"message{id}\"><div class=\"body\">"));
        service_text(ctx, owner, m, ids, s)?;
        s.push_str("</div></div>\n");
        *prev_from = None;
        return Ok(());
    }
    // Consecutive messages from one sender within a day are joined, as in Telegram Desktop.
    let joined = m.forwarded_from.is_none() && m.from.is_some() && *prev_from == m.from;
    s.push_str(&format!("<div class=\"message default{}\" id=\"message{id}\">", if joined { " joined" } else { "" }));
    s.push_str("<div class=\"date\" title=\"");
    push(s, &ctx.dates.long(m.date as i64));
    s.push_str("\">");
    push(s, &ctx.dates.time(m.date as i64));
    s.push_str("</div>");
    if !joined {
        if let Some(f) = &m.from {
            s.push_str("<div class=\"from_name\">");
            let name = ctx.peers.name(f);
            push(s, if name.is_empty() { "Deleted Account" } else { &name });
            if !m.author.is_empty() {
                s.push_str(" <span class=\"details\">");
                push(s, &m.author);
                s.push_str("</span>");
            }
            if let Some(bot) = m.via_bot.and_then(|b| ctx.peers.users.get(&b)).and_then(|u| u.username.as_deref()) {
                s.push_str(" <span class=\"details\">via @");
                push(s, bot);
                s.push_str("</span>");
            }
            s.push_str("</div>");
        }
    }
    *prev_from = m.from.clone();
    s.push_str("<div class=\"body\">");
    if let Some(f) = &m.forwarded_from {
        let name = match f {
            Fwd::Peer(p) => ctx.peers.name(p).to_string(),
            Fwd::Name(n) => n.clone(),
        };
        s.push_str("<div class=\"forwarded\">Forwarded from <b>");
        push(s, if name.is_empty() { "Deleted Account" } else { &name });
        s.push_str("</b></div>");
    }
    if let Some(r) = m.reply_to {
        s.push_str("<div class=\"reply_to\">");
        reply_link(m, r as i64, ids, s, "In reply to this message");
        s.push_str("</div>");
    }
    media(ctx, owner, m, s)?;
    if !m.text.is_empty() {
        s.push_str("<div class=\"text\">");
        text(&m.text, s);
        s.push_str("</div>");
    }
    if let Some(e) = m.edited.filter(|e| *e != 0) {
        s.push_str("<span class=\"edited\" title=\"");
        push(s, &ctx.dates.long(e as i64));
        s.push_str("\">edited</span>");
    }
    if !m.reactions.is_empty() {
        s.push_str("<div class=\"reactions\">");
        for r in &m.reactions {
            s.push_str("<span class=\"reaction\">");
            push(s, if r.kind == "emoji" { &r.emoji } else if r.kind == "paid" { "⭐" } else { "◆" });
            s.push_str(&format!(" {}</span>", r.count));
        }
        s.push_str("</div>");
    }
    s.push_str("</div></div>\n");
    Ok(())
}

fn reply_link(m: &Msg, target: i64, ids: &[i64], s: &mut String, label: &str) {
    match (&m.reply_to_peer, page_of(ids, target)) {
        (None, Some(p)) => {
            s.push_str(&format!("<a href=\"{}#message{target}\">", page_name(p)));
            push(s, label);
            s.push_str("</a>");
        }
        _ => {
            push(s, label);
            s.push_str(" (not in this export)");
        }
    }
}

fn service_text(ctx: &Ctx, owner: &str, m: &Msg, ids: &[i64], s: &mut String) -> Result<(), RenderError> {
    let Some(a) = &m.action else { return Ok(()) };
    let actor = m.from.as_deref().map(|f| ctx.peers.name(f)).unwrap_or("");
    if a.actor && !actor.is_empty() {
        push(s, &actor);
        s.push(' ');
    }
    let verb = match a.name {
        Some("create_group") => "created group",
        Some("edit_group_title") => "changed group name to",
        Some("edit_group_photo") => "changed group photo",
        Some("delete_group_photo") => "removed group photo",
        Some("invite_members") => "invited",
        Some("remove_members") => "removed",
        Some("join_group_by_link") => "joined group via invite link",
        Some("create_channel") => "created channel",
        Some("migrate_to_supergroup") => "converted this group to a supergroup",
        Some("migrate_from_group") => "converted a basic group to this supergroup",
        Some("pin_message") => "pinned",
        Some("clear_history") => "cleared history",
        Some("score_in_game") => "scored in a game",
        Some("phone_call") => "phone call",
        Some("take_screenshot") => "took a screenshot",
        Some("joined_telegram") => "joined Telegram",
        Some("group_call") => "started a voice chat",
        Some("invite_to_group_call") => "invited to the voice chat",
        Some("set_messages_ttl") => "changed the auto-delete timer",
        Some("group_call_scheduled") => "scheduled a voice chat",
        Some("join_group_by_request") => "was accepted to the group",
        Some("topic_created") => "created topic",
        Some("topic_edit") => "edited topic",
        Some("set_chat_wallpaper") | Some("set_same_chat_wallpaper") => "changed the chat wallpaper",
        Some(other) => other,
        None => "",
    };
    push(s, verb);
    for (k, v) in &a.fields {
        match v {
            AVal::Str(x) if *k == "discard_reason" => {
                s.push_str(" (");
                push(s, x);
                s.push(')');
            }
            AVal::Str(x) => {
                s.push_str(" «");
                push(s, x);
                s.push('»');
            }
            AVal::Num(x) if *k == "duration_seconds" || *k == "duration" => s.push_str(&format!(" ({x} s)")),
            AVal::Num(_) => {}
            AVal::Users(list) => {
                s.push(' ');
                let names: Vec<&str> = list.iter().map(|u| ctx.peers.user_name(*u)).collect();
                push(s, &names.join(", "));
            }
            AVal::UserName(u) => {
                s.push_str(" (");
                push(s, ctx.peers.user_name(*u));
                s.push(')');
            }
            AVal::ReplyId => {
                if let Some(r) = m.reply_to {
                    s.push(' ');
                    reply_link(m, r as i64, ids, s, "this message");
                }
            }
            AVal::Photo(_) => {
                let f = files::resolve(ctx.store, owner, m.store_id as i64, SLOT_FILE, false)?;
                s.push_str("<div class=\"media\">");
                file_view(&f, "image", s, None);
                s.push_str("</div>");
            }
            AVal::PeerName(p) => {
                s.push_str(" (");
                push(s, ctx.peers.name(p));
                s.push(')');
            }
            AVal::Text(t) if !t.is_empty() => {
                s.push_str(" «");
                text(t, s);
                s.push('»');
            }
            AVal::Todo(items) => {
                for (t, _) in items {
                    s.push_str("<div class=\"answer\">");
                    text(t, s);
                    s.push_str("</div>");
                }
            }
            AVal::Bool(_) | AVal::PeerId(_) | AVal::Strs(_) | AVal::NumsCompact(_) | AVal::NumsAsString(_) | AVal::Text(_) => {}
        }
    }
    Ok(())
}

/// An inline view of one file: image, video, audio or a link; the note when it was not downloaded.
fn file_view(f: &FileOut, as_kind: &str, s: &mut String, label: Option<&str>) {
    match f {
        FileOut::Note(n) => {
            s.push_str("<div class=\"media_note\">");
            if let Some(l) = label {
                push(s, l);
                s.push(' ');
            }
            push(s, n);
            s.push_str("</div>");
        }
        FileOut::Path(p) => {
            let url = format!("../../{}", path_url(p));
            match as_kind {
                "image" => {
                    s.push_str(&format!("<a href=\"{url}\"><img src=\"{url}\" loading=\"lazy\" alt=\""));
                    push(s, label.unwrap_or("Image"));
                    s.push_str("\"></a>");
                }
                "video" => s.push_str(&format!("<video controls preload=\"none\" src=\"{url}\"></video>")),
                "audio" => s.push_str(&format!("<audio controls preload=\"none\" src=\"{url}\"></audio>")),
                _ => {
                    s.push_str(&format!("<a class=\"media_file\" href=\"{url}\">"));
                    let shown = label.map(str::to_string).unwrap_or_else(|| p.rsplit('/').next().unwrap_or(p).to_string());
                    push(s, &shown);
                    s.push_str("</a>");
                }
            }
        }
    }
}

fn media(ctx: &Ctx, owner: &str, m: &Msg, s: &mut String) -> Result<(), RenderError> {
    // A self-destructing (or expired) photo or document is not kept, as in
    // Telegram Desktop.
    let keep = !matches!(m.media, Media::Photo { gone: true, .. } | Media::Document { gone: true, .. });
    let resolve = |slot: &str| -> Result<FileOut, RenderError> {
        if !keep {
            return Ok(FileOut::Note("(Self-destructing media, not kept)"));
        }
        Ok(files::resolve(ctx.store, owner, m.store_id as i64, slot, false)?)
    };
    match &m.media {
        Media::None => {}
        Media::Photo { .. } => {
            s.push_str("<div class=\"media\">");
            file_view(&resolve(SLOT_FILE)?, "image", s, Some("Photo"));
            s.push_str("</div>");
        }
        Media::Document { doc, .. } => {
            let f = resolve(SLOT_FILE)?;
            let kind = match doc.kind {
                DocKind::Sticker => "image",
                DocKind::VideoMessage | DocKind::VideoFile | DocKind::Animation => "video",
                DocKind::VoiceMessage | DocKind::AudioFile => "audio",
                DocKind::File => "file",
            };
            s.push_str("<div class=\"media\">");
            let label = match doc.kind {
                DocKind::Sticker => format!("Sticker {}", doc.sticker_emoji),
                DocKind::VideoMessage => "Video message".into(),
                DocKind::VoiceMessage => "Voice message".into(),
                DocKind::Animation => "Animation".into(),
                DocKind::AudioFile if !doc.title.is_empty() => format!("{} – {}", doc.performer, doc.title),
                _ if !doc.name.is_empty() => doc.name.clone(),
                _ => "File".into(),
            };
            file_view(&f, kind, s, Some(&label));
            if kind != "file" && matches!(f, FileOut::Path(_)) {
                s.push_str("<div class=\"details\">");
                push(s, &label);
                s.push_str("</div>");
            }
            s.push_str("</div>");
        }
        Media::Contact { first_name, last_name, phone, .. } => {
            s.push_str("<div class=\"contact\"><b>");
            push(s, format!("{first_name} {last_name}").trim());
            s.push_str("</b><br>");
            push(s, &crate::json::phone(phone));
            s.push_str("</div>");
        }
        Media::Geo { point } | Media::Venue { point, .. } => {
            s.push_str("<div class=\"location\">");
            if let Media::Venue { title, address, .. } = &m.media {
                s.push_str("<b>");
                push(s, title);
                s.push_str("</b><br>");
                push(s, address);
                s.push_str("<br>");
            }
            match point {
                // A link to a map would leave the machine only when clicked; coordinates as text.
                Some((lat, long)) => s.push_str(&format!("Location: {lat:.6}, {long:.6}")),
                None => s.push_str("Location unavailable"),
            }
            if let Some(t) = m.ttl {
                s.push_str(&format!(" (live for {t} s)"));
            }
            s.push_str("</div>");
        }
        Media::Game { title, description, .. } | Media::Invoice { title, description, .. } => {
            s.push_str("<div class=\"contact\"><b>");
            push(s, title);
            s.push_str("</b><br>");
            push(s, description);
            s.push_str("</div>");
        }
        Media::Todo { title, items, .. } => {
            s.push_str("<div class=\"poll\"><b>");
            text(title, s);
            s.push_str("</b>");
            for (t, _) in items {
                s.push_str("<div class=\"answer\"><span>");
                text(t, s);
                s.push_str("</span></div>");
            }
            s.push_str("</div>");
        }
        Media::Giveaway(_) => s.push_str("<div class=\"details\">Giveaway</div>"),
        Media::GiveawayResults(_) => s.push_str("<div class=\"details\">Giveaway results</div>"),
        Media::PaidMedia { stars } => s.push_str(&format!("<div class=\"details\">Paid media ({stars} stars)</div>")),
        Media::Poll { question, closed, total_voters, answers } => {
            s.push_str("<div class=\"poll\"><b>");
            text(question, s);
            s.push_str("</b>");
            for a in answers {
                s.push_str("<div class=\"answer\"><span>");
                text(&a.text, s);
                if a.chosen {
                    s.push_str(" ✓");
                }
                s.push_str(&format!("</span><span class=\"details\">{}</span></div>", a.voters));
            }
            s.push_str(&format!("<div class=\"details\">{}{total_voters} votes</div></div>", if *closed { "Final results · " } else { "" }));
        }
    }
    Ok(())
}

/// Text parts as HTML: formatting tags, links only with safe schemes.
pub fn text(parts: &[TextPart], s: &mut String) {
    for p in parts {
        let (open, close): (String, &str) = match p.kind {
            PartKind::Bold => ("<strong>".into(), "</strong>"),
            PartKind::Italic => ("<em>".into(), "</em>"),
            PartKind::Underline => ("<u>".into(), "</u>"),
            PartKind::Strikethrough => ("<s>".into(), "</s>"),
            PartKind::Code => ("<code>".into(), "</code>"),
            PartKind::Pre => ("<pre><code>".into(), "</code></pre>"),
            PartKind::Blockquote => ("<blockquote>".into(), "</blockquote>"),
            PartKind::Spoiler => ("<span class=\"spoiler\" tabindex=\"0\">".into(), "</span>"),
            PartKind::Link | PartKind::TextLink | PartKind::Email => {
                let target = match (&p.kind, &p.extra) {
                    (PartKind::TextLink, Extra::Href(h)) => safe_url(h),
                    (PartKind::Email, _) => safe_url(&format!("mailto:{}", p.text)),
                    _ => safe_url(&p.text),
                };
                match target {
                    Some(u) => (format!("<a href=\"{}\" rel=\"noreferrer noopener\">", esc(&u)), "</a>"),
                    None => ("<span class=\"unsafe_link\">".into(), "</span>"),
                }
            }
            _ => (String::new(), ""),
        };
        s.push_str(&open);
        push_multiline(s, &p.text);
        s.push_str(close);
    }
}
