//! Message shapes the golden world does not produce, each compared with the
//! text Telegram Desktop's export_output_json.cpp / export_data_types.cpp
//! would write (worked out by hand from that code): self-destructing media,
//! the trailing empty text part, invoices and requested peers written
//! through Telegram Desktop's string path, reactions' nesting, games, todo
//! lists, service replies inside the chat.

use grammers_tl_types as tl;
use tl::Serializable;

use takeout::Store;
use takeout_render::peers::{Peers, UserInfo};
use takeout_render::{Ctx, Dates, json, message};

fn store() -> Store {
    let d = std::env::temp_dir().join(format!("render-td-shapes-{}-{:?}", std::process::id(), std::thread::current().id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Store::open(&d.join("store.sqlite")).unwrap()
}

fn ctx(store: &Store) -> Ctx<'_> {
    let mut peers = Peers::default();
    let mut user = |id: i64, first: &str, last: &str, username: Option<&str>, bot: bool| {
        let mut u = UserInfo { first_name: first.into(), last_name: last.into(), username: username.map(Into::into), bot, ..Default::default() };
        u.display = u.name();
        peers.users.insert(id, u);
    };
    user(1, "Alice", "Liddell", None, false);
    user(7, "Game", "Bot", Some("gamebot"), true);
    Ctx { store, peers, chats: Vec::new(), dates: Dates { utc: true }, single_chat: false }
}

fn user(id: i64) -> tl::enums::Peer {
    tl::enums::Peer::User(tl::types::PeerUser { user_id: id })
}

fn base(id: i32) -> tl::types::Message {
    tl::types::Message {
        out: false,
        mentioned: false,
        media_unread: false,
        silent: false,
        post: false,
        from_scheduled: false,
        legacy: false,
        edit_hide: false,
        pinned: false,
        noforwards: false,
        invert_media: false,
        offline: false,
        video_processing_pending: false,
        paid_suggested_post_stars: false,
        paid_suggested_post_ton: false,
        id,
        from_id: None,
        from_boosts_applied: None,
        from_rank: None,
        peer_id: user(1),
        saved_peer_id: None,
        fwd_from: None,
        via_bot_id: None,
        via_business_bot_id: None,
        guestchat_via_from: None,
        reply_to: None,
        date: 1000,
        message: String::new(),
        media: None,
        reply_markup: None,
        entities: None,
        views: None,
        forwards: None,
        replies: None,
        edit_date: None,
        post_author: None,
        grouped_id: None,
        reactions: None,
        restriction_reason: None,
        ttl_period: None,
        quick_reply_shortcut_id: None,
        effect: None,
        factcheck: None,
        report_delivery_until_date: None,
        paid_message_stars: None,
        suggested_post: None,
        schedule_repeat_period: None,
        summary_from_language: None,
        rich_message: None,
    }
}

fn service(id: i32, action: tl::enums::MessageAction, reply_to: Option<(i32, tl::enums::Peer)>) -> tl::enums::Message {
    tl::enums::Message::Service(tl::types::MessageService {
        out: false,
        mentioned: false,
        media_unread: false,
        reactions_are_possible: false,
        silent: false,
        post: false,
        legacy: false,
        id,
        from_id: None,
        peer_id: user(1),
        saved_peer_id: None,
        reply_to: reply_to.map(|(id, peer)| reply_header(id, Some(peer))),
        date: 1000,
        action,
        reactions: None,
        ttl_period: None,
    })
}

fn reply_header(id: i32, peer: Option<tl::enums::Peer>) -> tl::enums::MessageReplyHeader {
    tl::enums::MessageReplyHeader::Header(tl::types::MessageReplyHeader {
        reply_to_scheduled: false,
        forum_topic: false,
        quote: false,
        reply_to_ephemeral: false,
        reply_to_msg_id: Some(id),
        reply_to_peer_id: peer,
        reply_from: None,
        reply_media: None,
        reply_to_top_id: None,
        quote_text: None,
        quote_entities: None,
        quote_offset: None,
        todo_item_id: None,
        poll_option: None,
    })
}

/// result.json's object for one message, at depth 0 (members at 1).
fn render(m: tl::enums::Message) -> String {
    let store = store();
    let ctx = ctx(&store);
    let mut raw = Vec::new();
    m.serialize(&mut raw);
    let id = match &m {
        tl::enums::Message::Message(m) => m.id,
        tl::enums::Message::Service(m) => m.id,
        tl::enums::Message::Empty(m) => m.id,
    };
    let msg = message::decode("user1", id, &raw, 0).unwrap();
    let mut s = String::new();
    json::message(&ctx, "user1", &msg, 0, &mut s).unwrap();
    s
}

const HEAD: &str = "{\n \"id\": 5,\n \"type\": \"message\",\n \"date\": \"1970-01-01T00:16:40\",\n \"date_unixtime\": \"1000\",\n \"from\": \"Alice Liddell\",\n \"from_id\": \"user1\",\n";
const SERVICE_HEAD: &str =
    "{\n \"id\": 5,\n \"type\": \"service\",\n \"date\": \"1970-01-01T00:16:40\",\n \"date_unixtime\": \"1000\",\n \"actor\": \"Alice Liddell\",\n \"actor_id\": \"user1\",\n";
const NO_TEXT: &str = " \"text\": \"\",\n \"text_entities\": []\n}";

fn size(t: &str, w: i32, h: i32, size: i32) -> tl::enums::PhotoSize {
    tl::enums::PhotoSize::Size(tl::types::PhotoSize { r#type: t.into(), w, h, size })
}

fn photo() -> tl::enums::Photo {
    tl::enums::Photo::Photo(tl::types::Photo {
        has_stickers: false,
        id: 11,
        access_hash: 1,
        file_reference: vec![],
        date: 1000,
        sizes: vec![size("m", 320, 240, 300), size("x", 800, 600, 1000)],
        video_sizes: None,
        dc_id: 2,
    })
}

fn document() -> tl::enums::Document {
    tl::enums::Document::Document(tl::types::Document {
        id: 12,
        access_hash: 1,
        file_reference: vec![],
        date: 1000,
        mime_type: "video/mp4".into(),
        size: 5000,
        thumbs: Some(vec![size("m", 320, 180, 400)]),
        video_thumbs: None,
        dc_id: 2,
        attributes: vec![tl::enums::DocumentAttribute::Video(tl::types::DocumentAttributeVideo {
            round_message: false,
            supports_streaming: true,
            nosound: false,
            duration: 3.0,
            w: 640,
            h: 360,
            preload_prefix_size: None,
            video_start_ts: None,
            video_codec: None,
        })],
    })
}

fn photo_message(out: bool, photo: Option<tl::enums::Photo>, ttl: Option<i32>) -> tl::enums::Message {
    let mut m = base(5);
    m.out = out;
    m.media = Some(tl::enums::MessageMedia::Photo(tl::types::MessageMediaPhoto { spoiler: false, live_photo: false, photo, ttl_seconds: ttl, video: None }));
    tl::enums::Message::Message(m)
}

fn document_message(out: bool, ttl: Option<i32>) -> tl::enums::Message {
    let mut m = base(5);
    m.out = out;
    m.media = Some(tl::enums::MessageMedia::Document(tl::types::MessageMediaDocument {
        nopremium: false,
        spoiler: false,
        video: true,
        round: false,
        voice: false,
        document: Some(document()),
        alt_documents: None,
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: ttl,
    }));
    tl::enums::Message::Message(m)
}

const NOT_INCLUDED: &str = "(File not included. Change data exporting settings to download.)";
const UNAVAILABLE: &str = "(File unavailable, please try again later)";

#[test]
fn a_photo_always_has_its_size_and_a_self_destructing_one_is_unavailable() {
    let photo_lines = |path: &str, size: i64| format!(" \"photo\": \"{path}\",\n \"photo_file_size\": {size},\n \"width\": 800,\n \"height\": 600,\n");
    assert_eq!(render(photo_message(false, Some(photo()), None)), format!("{HEAD}{}{NO_TEXT}", photo_lines(NOT_INCLUDED, 1000)));
    // ParseMedia drops the file of any photo with a ttl, sent or received.
    for out in [false, true] {
        let got = render(photo_message(out, Some(photo()), Some(10)));
        assert_eq!(got, format!("{HEAD}{} \"self_destruct_period_seconds\": 10,\n{NO_TEXT}", photo_lines(UNAVAILABLE, 0)), "out: {out}");
    }
    // An expired photo (none left): still a photo, unavailable, size 0.
    assert_eq!(
        render(photo_message(false, None, Some(10))),
        format!("{HEAD} \"photo\": \"{UNAVAILABLE}\",\n \"photo_file_size\": 0,\n \"self_destruct_period_seconds\": 10,\n{NO_TEXT}")
    );
}

#[test]
fn a_self_destructing_document_loses_its_file_and_when_incoming_its_thumbnail() {
    let doc = |file: &str, size: i64, thumb: &str, thumb_size: i64, ttl: &str| {
        format!(
            "{HEAD} \"file\": \"{file}\",\n \"file_size\": {size},\n \"thumbnail\": \"{thumb}\",\n \"thumbnail_file_size\": {thumb_size},\n \"media_type\": \"video_file\",\n \"mime_type\": \"video/mp4\",\n \"duration_seconds\": 3,\n \"width\": 640,\n \"height\": 360,\n{ttl}{NO_TEXT}"
        )
    };
    assert_eq!(render(document_message(false, None)), doc(NOT_INCLUDED, 5000, NOT_INCLUDED, 400, ""));
    let ttl = " \"self_destruct_period_seconds\": 5,\n";
    assert_eq!(render(document_message(true, Some(5))), doc(UNAVAILABLE, 0, NOT_INCLUDED, 400, ttl));
    assert_eq!(render(document_message(false, Some(5))), doc(UNAVAILABLE, 0, UNAVAILABLE, 0, ttl));
}

#[test]
fn non_ascii_text_whose_last_entity_reaches_the_end_gets_an_empty_last_part() {
    let bold = |text: &str, len: i32| {
        let mut m = base(5);
        m.message = text.into();
        m.entities = Some(vec![tl::enums::MessageEntity::Bold(tl::types::MessageEntityBold { offset: 0, length: len })]);
        render(tl::enums::Message::Message(m))
    };
    // ParseText ends with addTextPart(UTF-8 size): past the UTF-16 end it
    // adds an empty part.
    assert_eq!(
        bold("héllo", 5),
        format!(
            "{HEAD} \"text\": [\n  {{\n   \"type\": \"bold\",\n   \"text\": \"héllo\"\n  }},\n  \"\"\n ],\n \"text_entities\": [\n  {{\n   \"type\": \"bold\",\n   \"text\": \"héllo\"\n  }},\n  {{\n   \"type\": \"plain\",\n   \"text\": \"\"\n  }}\n ]\n}}"
        )
    );
    assert_eq!(
        bold("hello", 5),
        format!(
            "{HEAD} \"text\": [\n  {{\n   \"type\": \"bold\",\n   \"text\": \"hello\"\n  }}\n ],\n \"text_entities\": [\n  {{\n   \"type\": \"bold\",\n   \"text\": \"hello\"\n  }}\n ]\n}}"
        )
    );
}

#[test]
fn reactions_are_nested_as_telegram_desktop_nests_them() {
    let mut m = base(5);
    let emoji = || tl::enums::Reaction::Emoji(tl::types::ReactionEmoji { emoticon: "👍".into() });
    m.reactions = Some(tl::enums::MessageReactions::Reactions(tl::types::MessageReactions {
        min: false,
        can_see_list: true,
        reactions_as_tags: false,
        results: vec![tl::enums::ReactionCount::Count(tl::types::ReactionCount { chosen_order: None, reaction: emoji(), count: 2 })],
        recent_reactions: Some(vec![tl::enums::MessagePeerReaction::Reaction(tl::types::MessagePeerReaction {
            big: false,
            unread: false,
            my: false,
            peer_id: user(1),
            date: 1000,
            reaction: emoji(),
        })]),
        top_reactors: None,
    }));
    assert_eq!(
        render(tl::enums::Message::Message(m)),
        format!(
            "{HEAD}{NO_TEXT_OPEN} \"reactions\": [\n   {{\n    \"type\": \"emoji\",\n    \"count\": 2,\n    \"emoji\": \"👍\",\n    \"recent\": [\n     {{\n      \"from\": \"Alice Liddell\",\n      \"from_id\": \"user1\",\n      \"date\": \"1970-01-01T00:16:40\"\n     }}\n    ]\n   }}\n  ]\n}}"
        )
    );
}
const NO_TEXT_OPEN: &str = " \"text\": \"\",\n \"text_entities\": [],\n";

#[test]
fn invoices_games_todo_lists_and_paid_media() {
    let with = |media: tl::enums::MessageMedia, via: Option<i64>| {
        let mut m = base(5);
        m.media = Some(media);
        m.via_bot_id = via;
        render(tl::enums::Message::Message(m))
    };
    // push() of an object: Telegram Desktop writes it as a string.
    let invoice = tl::enums::MessageMedia::Invoice(Box::new(tl::types::MessageMediaInvoice {
        shipping_address_requested: false,
        test: false,
        title: "Pizza".into(),
        description: "Large".into(),
        photo: None,
        receipt_msg_id: None,
        currency: "USD".into(),
        total_amount: 1500,
        start_param: String::new(),
        extended_media: None,
    }));
    assert_eq!(
        with(invoice, None),
        format!(
            "{HEAD} \"invoice_information\": \"{{\\n  \\\"title\\\": \\\"Pizza\\\",\\n  \\\"description\\\": \\\"Large\\\",\\n  \\\"amount\\\": 1500,\\n  \\\"currency\\\": \\\"USD\\\"\\n }}\",\n{NO_TEXT}"
        )
    );
    let game = tl::enums::MessageMedia::Game(tl::types::MessageMediaGame {
        game: tl::enums::Game::Game(tl::types::Game {
            id: 1,
            access_hash: 1,
            short_name: "tetris".into(),
            title: "Tetris".into(),
            description: "Blocks".into(),
            photo: tl::enums::Photo::Empty(tl::types::PhotoEmpty { id: 0 }),
            document: None,
        }),
    });
    let via = HEAD.replace(" \"from_id\": \"user1\",\n", " \"from_id\": \"user1\",\n \"via_bot\": \"@gamebot\",\n");
    assert_eq!(
        with(game, Some(7)),
        format!("{via} \"game_title\": \"Tetris\",\n \"game_description\": \"Blocks\",\n \"game_link\": \"https://t.me/gamebot?game=tetris\",\n{NO_TEXT}")
    );
    let twe = |t: &str| tl::enums::TextWithEntities::Entities(tl::types::TextWithEntities { text: t.into(), entities: vec![] });
    let todo = tl::enums::MessageMedia::ToDo(tl::types::MessageMediaToDo {
        todo: tl::enums::TodoList::List(tl::types::TodoList {
            others_can_append: true,
            others_can_complete: false,
            title: twe("Chores"),
            list: vec![tl::enums::TodoItem::Item(tl::types::TodoItem { id: 1, title: twe("Dishes") })],
        }),
        completions: None,
    });
    assert_eq!(
        with(todo, None),
        format!(
            "{HEAD} \"todo_list\": {{\n  \"title\": \"Chores\",\n  \"others_can_append\": true,\n  \"others_can_complete\": false,\n  \"answers\": [\n   {{\n    \"text\": \"Dishes\",\n    \"id\": 1\n   }}\n  ]\n }},\n{NO_TEXT}"
        )
    );
    let paid = tl::enums::MessageMedia::PaidMedia(tl::types::MessageMediaPaidMedia { stars_amount: 25, extended_media: vec![] });
    assert_eq!(with(paid, None), format!("{HEAD} \"paid_stars_amount\": 25,\n{NO_TEXT}"));
}

#[test]
fn service_actions_and_their_replies() {
    // A service message's reply inside its own chat has no reply_to_peer_id;
    // set_chat_wallpaper carries message_id like the "same" variant.
    let wallpaper = tl::enums::MessageAction::SetChatWallPaper(tl::types::MessageActionSetChatWallPaper {
        same: false,
        for_both: false,
        wallpaper: tl::enums::WallPaper::NoFile(tl::types::WallPaperNoFile { id: 1, default: false, dark: false, settings: None }),
    });
    assert_eq!(render(service(5, wallpaper, Some((3, user(1))))), format!("{SERVICE_HEAD} \"action\": \"set_chat_wallpaper\",\n \"message_id\": 3,\n{NO_TEXT}"));
    // requested_peer's peers: an indented array of PeerId values, pushed
    // through the string path.
    let requested = tl::enums::MessageAction::RequestedPeer(tl::types::MessageActionRequestedPeer {
        button_id: 2,
        peers: vec![user(5), tl::enums::Peer::Channel(tl::types::PeerChannel { channel_id: 9 })],
    });
    assert_eq!(
        render(service(5, requested, None)),
        format!("{SERVICE_HEAD} \"action\": \"requested_peer\",\n \"button_id\": 2,\n \"peers\": \"[\\n  5,\\n  562949953421321\\n ]\",\n{NO_TEXT}")
    );
    let proximity = tl::enums::MessageAction::GeoProximityReached(tl::types::MessageActionGeoProximityReached { from_id: user(1), to_id: user(7), distance: 50 });
    let head = SERVICE_HEAD.replace(" \"actor\": \"Alice Liddell\",\n \"actor_id\": \"user1\",\n", "");
    assert_eq!(
        render(service(5, proximity, None)),
        format!(
            "{head} \"action\": \"proximity_reached\",\n \"from\": \"Alice Liddell\",\n \"from_id\": \"user1\",\n \"to\": \"Game Bot\",\n \"to_id\": \"user7\",\n \"distance\": 50,\n{NO_TEXT}"
        )
    );
    // ActionTopicEdit's iconEmojiId is an optional initialized to 0: always written.
    let topic = tl::enums::MessageAction::TopicEdit(tl::types::MessageActionTopicEdit { title: Some("Plans".into()), icon_emoji_id: None, closed: None, hidden: None });
    assert_eq!(
        render(service(5, topic, None)),
        format!("{SERVICE_HEAD} \"action\": \"topic_edit\",\n \"new_title\": \"Plans\",\n \"new_icon_emoji_id\": 0,\n{NO_TEXT}")
    );
    let todo = tl::enums::MessageAction::TodoCompletions(tl::types::MessageActionTodoCompletions { completed: vec![1, 3], incompleted: vec![] });
    assert_eq!(
        render(service(5, todo, None)),
        format!("{SERVICE_HEAD} \"action\": \"todo_completions\",\n \"completed\": [1,3],\n \"incompleted\": [],\n{NO_TEXT}")
    );
}

#[test]
fn a_shared_contact_with_a_vcard_points_to_its_file() {
    let mut m = base(5);
    m.media = Some(tl::enums::MessageMedia::Contact(tl::types::MessageMediaContact {
        phone_number: "15550100001".into(),
        first_name: "Alice".into(),
        last_name: String::new(),
        vcard: "BEGIN:VCARD\nEND:VCARD\n".into(),
        user_id: 1,
    }));
    let store = store();
    let ctx = ctx(&store);
    let mut raw = Vec::new();
    tl::enums::Message::Message(m).serialize(&mut raw);
    let msg = message::decode("user1", 5, &raw, 0).unwrap();
    let mut s = String::new();
    json::message_with(&ctx, "user1", &msg, 0, &mut s, Some("chats/chat_1/contacts/contact_1.vcard")).unwrap();
    assert_eq!(
        s,
        format!(
            "{HEAD} \"contact_information\": {{\n  \"first_name\": \"Alice\",\n  \"last_name\": \"\",\n  \"phone_number\": \"+15550100001\"\n }},\n \"contact_vcard\": \"chats/chat_1/contacts/contact_1.vcard\",\n \"contact_vcard_file_size\": 22,\n{NO_TEXT}"
        )
    );
}

#[test]
fn inline_keyboards_are_written_as_inline_bot_buttons() {
    use tl::enums::InlineButtonType as T;
    let button = |text: &str, t: T| tl::enums::KeyboardInlineButton::Button(tl::types::KeyboardInlineButton { style: None, text: text.into(), r#type: t });
    let row = |buttons: Vec<tl::enums::KeyboardInlineButton>| tl::enums::KeyboardInlineButtonRow::Row(tl::types::KeyboardInlineButtonRow { buttons });
    let mut m = base(5);
    m.reply_markup = Some(tl::enums::ReplyMarkup::ReplyInlineMarkup(tl::types::ReplyInlineMarkup {
        force_reply: false,
        rows: vec![
            row(vec![
                button("Open", T::Url(tl::types::InlineButtonTypeUrl { url: "https://x.y".into() })),
                button("Yes", T::Callback(tl::types::InlineButtonTypeCallback { requires_password: false, data: vec![1, b'a', b'b'] })),
            ]),
            row(vec![button("Share", T::SwitchInline(tl::types::InlineButtonTypeSwitchInline { same_peer: false, query: "q".into(), peer_types: None })), button("Off", T::Disabled)]),
            // A row of kinds Telegram Desktop does not know is dropped.
            row(vec![button("Off", T::Disabled)]),
        ],
    }));
    assert_eq!(
        render(tl::enums::Message::Message(m)),
        format!(
            "{HEAD}{NO_TEXT_OPEN} \"inline_bot_buttons\": [\n  [\n   {{\n    \"type\": \"url\",\n    \"text\": \"Open\",\n    \"data\": \"https://x.y\"\n   }},\n   {{\n    \"type\": \"callback\",\n    \"text\": \"Yes\",\n    \"dataBase64\": \"AWFi\",\n    \"data\": \"\"\n   }}\n  ],\n  [\n   {{\n    \"type\": \"switch_inline\",\n    \"text\": \"Share\",\n    \"data\": \"q\"\n   }}\n  ]\n ]\n}}"
        )
    );
}

#[test]
fn contacts_are_the_phone_book_copy_only() {
    // Telegram Desktop lists contacts.getSaved; the contact list alone
    // (no phone-book sync) gives an empty list, not entries without dates.
    let mut store = store();
    let contact = tl::enums::Contact::Contact(tl::types::Contact { user_id: 1, mutual: true });
    store.put_items("contact", &[("0".into(), contact.to_bytes())]).unwrap();
    let out = std::env::temp_dir().join(format!("render-td-shapes-{}-contacts-out", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    takeout_render::render(&store, &out, &takeout_render::RenderOptions { formats: vec![takeout_render::Format::Json], utc: true }).unwrap();
    let got = std::fs::read_to_string(out.join("result.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&got).unwrap();
    assert_eq!(v["contacts"]["list"], serde_json::json!([]), "{got}");
    assert!(got.contains("\"list\": [\n  ]"), "an empty list is laid out as Telegram Desktop's");
}
