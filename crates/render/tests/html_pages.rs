//! The HTML archive's structure: a chat longer than 1,000 messages is split
//! into messages.html, messages2.html, … with working navigation; every
//! reply link points at a page that holds its target, across pages too;
//! and a one-chat export gives Telegram Desktop's single-chat result.json.

mod common;

use std::collections::HashMap;

use fakedc::world::{Peer, World, WorldParams};
use takeout::Store;
use takeout_render::{Format, RenderOptions, render};

fn world_with_a_long_chat() -> (World, Peer) {
    let mut w = World::generate(&WorldParams::preset("small", 7).unwrap());
    let peer = w.dialogs().into_iter().find(|p| matches!(p, Peer::Channel(_))).unwrap();
    w.append_messages(peer, 2_600);
    (w, peer)
}

#[test]
fn long_chats_are_paged_and_replies_link_across_pages() {
    let dir = common::tmp("pages");
    let (w, _) = world_with_a_long_chat();
    let store = Store::open(&common::export(w, &dir)).unwrap();
    let out = dir.join("out");
    render(&store, &out, &RenderOptions { formats: vec![Format::Html], utc: true }).unwrap();
    // Every page's text by "chats/chat_NN/messagesK.html".
    let pages: HashMap<String, String> = common::tree(&out)
        .into_iter()
        .filter(|(p, _)| p.starts_with("chats/") && p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
        .collect();
    let long = pages.keys().find(|p| p.ends_with("/messages3.html")).expect("a chat with 3+ pages").rsplit_once('/').unwrap().0.to_string();
    let p1 = &pages[&format!("{long}/messages.html")];
    let p2 = &pages[&format!("{long}/messages2.html")];
    assert_eq!(p1.matches("class=\"message default").count() + p1.matches("class=\"message service\" id=").count(), 1000);
    assert!(p1.contains("href=\"messages2.html\">Next messages") && !p1.contains("Previous messages"));
    assert!(p2.contains("href=\"messages.html\">Previous messages") && p2.contains("href=\"messages3.html\">Next messages"));
    let mut links = 0;
    let mut cross = 0;
    for (path, html) in &pages {
        let folder = path.rsplit_once('/').unwrap().0;
        for part in html.split("<a href=\"").skip(1) {
            let href = part.split('"').next().unwrap();
            let Some((file, anchor)) = href.split_once("#message") else { continue };
            links += 1;
            let target = pages.get(&format!("{folder}/{file}")).unwrap_or_else(|| panic!("{path}: link to missing page {href}"));
            assert!(target.contains(&format!("id=\"message{anchor}\"")), "{path}: {href} does not hold its target");
            if !path.ends_with(&format!("/{file}")) {
                cross += 1;
            }
        }
    }
    assert!(links > 20 && cross > 0, "{links} reply links, {cross} across pages");
}

#[test]
fn one_selected_chat_gives_the_single_chat_shape() {
    let dir = common::tmp("single");
    let (w, peer) = world_with_a_long_chat();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let key = match peer {
        Peer::Channel(id) => format!("channel{id}"),
        _ => unreachable!(),
    };
    rt.block_on(async {
        let dc = fakedc::FakeDc::start(fakedc::Config::default(), w).await.unwrap();
        let path = dir.join("session.json");
        dc.session_file().save(&path).unwrap();
        let session = takeout_telegram::SessionFile::load(&path).unwrap();
        let api = takeout_telegram::TelegramApi::connect(&session, takeout_telegram::ClientOptions { api_id: 1, connections: 1 }).unwrap();
        let store = Store::open(&dir.join("store.sqlite")).unwrap();
        let mut o = common::options();
        o.include = vec![takeout::options::Selector::parse(&key)];
        takeout::export(api, store, &o, std::sync::Arc::new(takeout::progress::Silent)).await.unwrap();
        dc.shutdown().await;
    });
    let store = Store::open(&dir.join("store.sqlite")).unwrap();
    let out = dir.join("out");
    render(&store, &out, &RenderOptions { formats: vec![Format::Json], utc: true }).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("result.json")).unwrap()).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "messages", "name", "type"], "the chat object alone (serde_json sorts keys)");
    assert_eq!(format!("channel{}", v["id"]), key);
    assert!(v["messages"].as_array().unwrap().len() > 2_600);
}
