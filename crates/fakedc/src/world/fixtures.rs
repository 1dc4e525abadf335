//! Fixtures: the people, chats and messages present in every generated world
//! whatever the knobs, so tests can rely on them. docs/world-format.md lists
//! them; tests find them by username (`fx_*`) or title.

use super::content::{self, Text, tag};
use super::generate::{BASE_DATE, END_DATE, Gen, Resolve, Start};
use super::model::EntityKind as E;
use super::model::*;

/// The two-step password of every generated account.
pub const PASSWORD: &str = "hunter2";

/// Forum topics: title and icon colour (one of Telegram's six).
pub const TOPICS: [(&str, i32); 3] = [
    ("Announcements", 0x6FB9F0),
    ("Off-topic 💬", 0xFFD67E),
    ("Help & Support", 0xCB86DB),
];

/// Size of the boundary-test files in Saved Messages.
pub const MIB: u64 = 1 << 20;

#[derive(Clone, Copy, Default)]
pub(crate) struct Fx {
    pub me: i64,
    pub alice: i64,
    pub bob: i64,
    pub carol: i64,
    pub dave: i64,
    pub erin: i64,
    pub helper_bot: i64,
    pub inline_bot: i64,
    pub deleted: i64,
    pub family: i64,
    pub old_group: i64,
    pub old_super: i64,
    pub public_group: i64,
    pub book_club: i64,
    pub forum: i64,
    pub public_channel: i64,
    pub private_channel: i64,
    pub left_public: i64,
    pub left_private: i64,
}

pub(crate) fn people(g: &mut Gen) -> Fx {
    let mut fx = Fx::default();
    let me = g.user("Alex", "Takeout", Some("fx_self"), Some("15550100000"));
    me.about = "Exporting everything since 2020 🗂️".into();
    me.dc_id = 2;
    fx.me = me.id;

    let alice = g.user("Alice", "Liddell", Some("fx_alice"), Some("15550100001"));
    (alice.contact, alice.mutual_contact) = (true, true);
    alice.about = "Curiouser and curiouser 🐇".into();
    fx.alice = alice.id;

    let bob = g.user("Bob", "Builder", Some("fx_bob"), Some("15550100002"));
    bob.contact = true;
    fx.bob = bob.id;

    // Not a contact, phone hidden; hides her account in forwards.
    fx.carol = g.user("Carol", "Ünal", Some("fx_carol"), None).id;

    let dave = g.user("Dave", "Okafor", Some("fx_dave"), Some("15550100004"));
    (dave.contact, dave.mutual_contact) = (true, true);
    fx.dave = dave.id;

    fx.erin = g.user("Erin", "", Some("fx_erin"), None).id;

    let bot = g.user("Helper Bot", "", Some("fx_helper_bot"), None);
    bot.bot = true;
    bot.about = "I help test exports. /start".into();
    fx.helper_bot = bot.id;

    let bot = g.user("GIF Search", "", Some("fx_inline_bot"), None);
    bot.bot = true;
    fx.inline_bot = bot.id;

    let deleted = g.user("", "", None, None);
    deleted.deleted = true;
    fx.deleted = deleted.id;
    fx
}

pub(crate) fn chats(g: &mut Gen, fx: &mut Fx) {
    let me = fx.me;
    let c = g.chat(
        ChatKind::Group,
        "Family 🏡",
        None,
        vec![me, fx.alice, fx.bob, fx.dave, fx.erin],
    );
    c.creator = true;
    fx.family = c.id;

    let c = g.chat(
        ChatKind::Group,
        "Old Project",
        None,
        vec![me, fx.alice, fx.carol],
    );
    c.creator = true;
    fx.old_group = c.id;
    let c = g.chat(
        ChatKind::Supergroup,
        "Old Project",
        None,
        vec![me, fx.alice, fx.carol],
    );
    c.creator = true;
    c.migrated_from = Some(fx.old_group);
    fx.old_super = c.id;
    g.chat_mut(fx.old_group).migrated_to = Some(fx.old_super);

    let c = g.chat(
        ChatKind::Supergroup,
        "Public Square",
        Some("fx_public_group"),
        vec![me, fx.alice, fx.bob, fx.carol, fx.dave],
    );
    c.about = "A public supergroup. Be nice.".into();
    fx.public_group = c.id;

    let c = g.chat(
        ChatKind::Supergroup,
        "Book Club 📚",
        None,
        vec![me, fx.carol, fx.dave, fx.erin],
    );
    c.creator = true;
    fx.book_club = c.id;

    let c = g.chat(
        ChatKind::Supergroup,
        "Forum of Things",
        Some("fx_forum"),
        vec![me, fx.alice, fx.bob, fx.carol],
    );
    (c.creator, c.forum) = (true, true);
    fx.forum = c.id;

    let c = g.chat(
        ChatKind::Channel,
        "Daily Digest",
        Some("fx_public_channel"),
        vec![me],
    );
    c.about = "News, daily. 📰".into();
    fx.public_channel = c.id;

    let c = g.chat(ChatKind::Channel, "Private Diary", None, vec![me]);
    c.creator = true;
    fx.private_channel = c.id;

    let c = g.chat(
        ChatKind::Channel,
        "Old News",
        Some("fx_left_channel"),
        Vec::new(),
    );
    c.left = true;
    fx.left_public = c.id;

    let c = g.chat(ChatKind::Channel, "Left Private Channel", None, Vec::new());
    c.left = true;
    fx.left_private = c.id;
}

fn reply(msg_id: i32) -> Option<ReplyTo> {
    Some(ReplyTo {
        msg_id,
        peer: None,
        top_id: None,
    })
}

fn in_topic(msg_id: i32, topic: i32) -> Option<ReplyTo> {
    Some(ReplyTo {
        msg_id,
        peer: None,
        top_id: Some(topic),
    })
}

/// Every entity kind but a few, with astral and combining characters so
/// UTF-16, char and byte offsets all differ.
fn rich_text_1() -> Text {
    let mut t = Text::default();
    t.plain("Hi ");
    t.ent(E::Bold, "Alice");
    t.plain(" 👋🏽 — ");
    t.ent(E::Italic, "cafe\u{301} au lait");
    t.plain(", ");
    t.ent(E::Code, "let x = 1;");
    t.plain("\n");
    t.ent(E::Mention, "@fx_bob");
    t.plain(" ");
    t.ent(E::Hashtag, "#takeout");
    t.plain(" ");
    t.ent(E::Cashtag, "$TGX");
    t.plain(" ");
    t.ent(E::BotCommand, "/start@fx_helper_bot");
    t.plain(" ");
    t.ent(E::Url, "https://telegram.org/faq");
    t.plain(" ");
    t.ent(E::Email, "alice@example.com");
    t.plain(" ");
    t.ent(E::Phone, "+1 555 010 0199");
    t.plain(" ");
    t.ent(E::BankCard, "4242 4242 4242 4242");
    t.plain("\n");
    t.ent(E::Pre, "fn main() {\n    println!(\"🦀\");\n}")
        .language = Some("rust".into());
    t
}

/// The rest of the entity kinds, nested (bold around italic, ending
/// together) and touching (underline then strike with nothing between).
fn rich_text_2(fx: &Fx, custom_emoji: i64) -> Text {
    let mut t = Text::default();
    let bold = t.mark();
    t.plain("Bold and ");
    t.ent(E::Italic, "bold-italic 𝔘𝔫𝔦");
    t.close(E::Bold, bold);
    t.plain(" ");
    t.ent(E::Underline, "under");
    t.ent(E::Strike, "struck");
    t.plain(" ");
    t.ent(E::Spoiler, "secret 🤫");
    t.plain(" · ");
    t.ent(E::TextUrl, "a link").url = Some("https://example.com/page?q=1&lang=de".into());
    t.plain(" · ");
    t.ent(E::MentionName, "Dave").user_id = Some(fx.dave);
    t.plain(" ");
    t.ent(E::CustomEmoji, "😎").document_id = Some(custom_emoji);
    t.plain(" Z\u{351}\u{337}a\u{34f}l\u{321}g\u{35c}o, 漢字, 한국어\n");
    t.ent(
        E::Blockquote,
        "To be, or not to be 🎭\nthat is the question.",
    );
    t
}

/// The fixture histories, in slot order, with their exact messages.
pub(crate) fn plans(g: &mut Gen, fx: &Fx) {
    let fx = *fx;
    let me = fx.me;
    let user = Peer::User;
    let (saved, alice, bob, dave) = (user(me), user(fx.alice), user(fx.bob), user(fx.dave));
    let (bot, deleted) = (user(fx.helper_bot), user(fx.deleted));
    let family = Peer::Chat(fx.family);
    let old_group = Peer::Chat(fx.old_group);
    let [
        old_super,
        public_group,
        book_club,
        forum,
        pc,
        private_channel,
        left_public,
        left_private,
    ] = [
        fx.old_super,
        fx.public_group,
        fx.book_club,
        fx.forum,
        fx.public_channel,
        fx.private_channel,
        fx.left_public,
        fx.left_private,
    ]
    .map(Peer::Channel);

    g.plan(saved, (400, 1000), Start::PerMille(0));
    g.plan(alice, (100, 1000), Start::PerMille(0));
    g.plan(bob, (50, 900), Start::PerMille(0));
    g.plan(dave, (200, 1000), Start::PerMille(0));
    g.plan(bot, (300, 700), Start::PerMille(0));
    g.plan(deleted, (10, 300), Start::PerMille(0));
    g.plan(family, (50, 1000), Start::PerMille(0));
    g.plan(old_group, (0, 350), Start::PerMille(0));
    g.plan(old_super, (0, 1000), Start::After(old_group));
    g.plan(public_group, (0, 1000), Start::PerMille(100));
    g.plan(book_club, (0, 1000), Start::PerMille(250));
    g.plan(forum, (0, 1000), Start::PerMille(300));
    g.plan(pc, (0, 1000), Start::PerMille(20));
    g.plan(private_channel, (0, 1000), Start::PerMille(150));
    g.plan(left_public, (0, 1000), Start::PerMille(30));
    g.plan(left_private, (0, 1000), Start::PerMille(60));

    // Saved Messages: forwards carry saved_from; the boundary files.
    g.head(saved, move |r, m| {
        r.from(m, me);
        let mut t = Text::default();
        t.plain("Note to self: ");
        t.ent(E::Hashtag, "#todo");
        t.plain(" export everything");
        t.into_message(m);
    });
    g.head(saved, move |r, m| {
        r.from(m, me);
        let post = r.id(pc, 1);
        m.text = CHANNEL_POST_1.into();
        m.fwd = Some(Forward {
            from: Some(pc),
            from_name: None,
            date: r.date(pc, post),
            channel_post: Some(post),
            saved_from: Some(pc),
        });
    });
    g.head(saved, move |r, m| {
        r.say(m, me, "Alice said this, worth keeping");
        let first = r.id(alice, 0);
        m.fwd = Some(Forward {
            from: Some(alice),
            from_name: None,
            date: r.date(alice, first),
            channel_post: None,
            saved_from: Some(alice),
        });
    });
    g.head(saved, move |r, m| {
        r.say(m, me, "Someone who hides their account");
        m.fwd = Some(Forward {
            from: None,
            from_name: Some("Hidden Sender".into()),
            date: m.date - 7_200,
            channel_post: None,
            saved_from: Some(family),
        });
    });
    for (name, size) in [("exactly_1MiB.bin", MIB), ("1MiB_plus_1.bin", MIB + 1)] {
        g.head(saved, move |r, m| {
            r.from(m, me);
            let mut d = r.document(m, DocumentKind::File, size);
            (d.mime_type, d.file_name, d.dc_id) =
                ("application/octet-stream".into(), Some(name.into()), 2);
            m.media = Some(Media::Document(d));
        });
    }
    g.head(saved, move |r, m| {
        r.from(m, me);
        m.media = Some(Media::Contact {
            phone: "15550199001".into(),
            first_name: "Joe".into(),
            last_name: "Plumber".into(),
            user_id: 0,
        });
    });

    // Alice: every document kind, entities, replies, forwards, calls.
    g.head(alice, move |r, m| {
        r.say(m, fx.alice, "Hi! 👋 Ready for the big export?")
    });
    g.head(alice, move |r, m| {
        r.from(m, me);
        rich_text_1().into_message(m);
    });
    g.head(alice, move |r, m| {
        r.say(m, me, "Replying to your first message");
        m.reply_to = reply(r.id(alice, 0));
    });
    g.head(alice, move |r, m| {
        r.from(m, fx.alice);
        m.media = Some(Media::Contact {
            phone: "15550100004".into(),
            first_name: "Dave".into(),
            last_name: "Okafor".into(),
            user_id: fx.dave,
        });
    });
    g.head(alice, move |r, m| {
        r.from(m, me);
        // Dyadic fractions: exact in binary and in JSON.
        m.media = Some(Media::Geo {
            lat: 52.515625,
            long: 13.376953125,
        });
    });
    g.head(alice, move |r, m| {
        r.say(m, fx.alice, "Photo from the trip 🏔️");
        m.media = Some(r.photo(m, &["s", "m", "x", "y"]));
    });
    g.head(alice, move |r, m| {
        r.from(m, me);
        let mut d = r.document(m, DocumentKind::Voice, 48_213);
        d.duration = Some(7);
        m.media = Some(Media::Document(d));
    });
    g.head(alice, move |r, m| {
        r.from(m, fx.alice);
        let mut d = r.document(m, DocumentKind::RoundVideo, 734_003);
        (d.w, d.h, d.duration) = (Some(384), Some(384), Some(12));
        m.media = Some(Media::Document(d));
    });
    g.head(alice, move |r, m| {
        r.from(m, me);
        let mut d = r.document(m, DocumentKind::Sticker, 23_411);
        d.sticker_emoji = Some("😎".into());
        m.media = Some(Media::Document(d));
    });
    g.head(alice, move |r, m| {
        r.from(m, fx.alice);
        m.via_bot = Some(fx.inline_bot);
        let mut d = r.document(m, DocumentKind::Gif, 412_345);
        d.file_name = Some("dancing_cat.gif.mp4".into());
        m.media = Some(Media::Document(d));
    });
    g.head(alice, move |r, m| {
        r.say(m, me, "🎵");
        let mut d = r.document(m, DocumentKind::Audio, 987_654);
        d.performer = Some("The Fixtures".into());
        d.title = Some("Deterministic Blues".into());
        d.file_name = Some("The Fixtures - Deterministic Blues.mp3".into());
        d.duration = Some(215);
        m.media = Some(Media::Document(d));
    });
    g.head(alice, move |r, m| {
        r.say(m, fx.alice, "Video 🎬");
        let mut d = r.document(m, DocumentKind::Video, 1_000_003);
        (d.w, d.h, d.duration, d.dc_id) = (Some(1280), Some(720), Some(42), 4);
        d.file_name = Some("clip.mp4".into());
        m.media = Some(Media::Document(d));
    });
    g.head(alice, move |r, m| {
        r.say(m, me, "The report, as promised");
        let mut d = r.document(m, DocumentKind::File, 123_456);
        (d.mime_type, d.file_name) = ("application/pdf".into(), Some("report.pdf".into()));
        m.media = Some(Media::Document(d));
    });
    g.head(alice, move |r, m| {
        r.say(m, fx.alice, "Bob wrote this earlier");
        m.fwd = Some(Forward {
            from: Some(bob),
            from_name: None,
            date: m.date - 3_600,
            channel_post: None,
            saved_from: None,
        });
    });
    g.head(alice, move |r, m| {
        r.say(m, me, "From someone who hides their account");
        m.fwd = Some(Forward {
            from: None,
            from_name: Some("Hidden Sender".into()),
            date: m.date - 86_400,
            channel_post: None,
            saved_from: None,
        });
    });
    g.head(alice, move |r, m| {
        r.say(m, fx.alice, "This message was edited ✏️");
        m.edit_date = Some(m.date + 300);
    });
    g.head(alice, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::PhoneCall {
            duration: Some(125),
            video: false,
        });
    });
    g.head(alice, move |r, m| {
        r.from(m, fx.alice);
        m.action = Some(Action::PhoneCall {
            duration: None,
            video: true,
        });
    });
    g.head(alice, move |r, m| {
        r.say(m, fx.alice, "Did you see this post?");
        m.reply_to = Some(ReplyTo {
            msg_id: r.id(pc, 1),
            peer: Some(pc),
            top_id: None,
        });
    });
    g.head(alice, move |r, m| {
        r.from(m, me);
        let emoji = r.media_id(tag::CUSTOM_EMOJI, m);
        rich_text_2(&fx, emoji).into_message(m);
    });
    g.head(alice, move |r, m| {
        r.say(m, fx.alice, CHANNEL_POST_1);
        let post = r.id(pc, 1);
        m.fwd = Some(Forward {
            from: Some(pc),
            from_name: None,
            date: r.date(pc, post),
            channel_post: Some(post),
            saved_from: None,
        });
    });

    g.head(bob, move |r, m| r.say(m, fx.bob, "Hey, it's Bob"));
    g.head(bob, move |r, m| r.say(m, me, "Hi Bob!"));
    g.head(bob, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::HistoryClear);
    });
    g.head(bob, move |r, m| {
        r.say(m, fx.bob, "Did you just clear the history? 🤨")
    });

    g.head(dave, move |r, m| {
        r.from(m, fx.dave);
        m.action = Some(Action::ContactSignUp);
    });
    g.head(dave, move |r, m| {
        r.say(m, me, "Welcome to Telegram, Dave!");
        m.reply_to = reply(r.id(dave, 0));
    });

    g.head(bot, move |r, m| {
        r.from(m, me);
        let mut t = Text::default();
        t.ent(E::BotCommand, "/start");
        t.into_message(m);
    });
    g.head(bot, move |r, m| {
        r.from(m, fx.helper_bot);
        let mut t = Text::default();
        t.ent(E::Bold, "Welcome!");
        t.plain(" I help test exports: ");
        t.ent(E::Url, "https://core.telegram.org/api/takeout");
        t.into_message(m);
    });
    g.head(bot, move |r, m| {
        r.from(m, me);
        let mut t = Text::default();
        t.ent(E::BotCommand, "/chart");
        t.into_message(m);
    });
    g.head(bot, move |r, m| {
        r.say(m, fx.helper_bot, "Here is a chart 📈");
        m.media = Some(r.photo(m, &["s", "m", "x"]));
    });

    g.head(deleted, move |r, m| {
        r.say(m, fx.deleted, "Deleting my account, bye 👋")
    });
    g.head(deleted, move |r, m| {
        r.say(m, me, "Noooo");
        m.reply_to = reply(r.id(deleted, 0));
    });

    // Family: the basic group with every group service action.
    g.head(family, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::ChatCreate {
            title: "Family".into(),
            users: vec![fx.alice, fx.bob, fx.carol],
        });
    });
    g.head(family, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::ChatAddUser {
            users: vec![fx.dave],
        });
    });
    g.head(family, move |r, m| {
        r.from(m, fx.alice);
        m.action = Some(Action::ChatEditTitle {
            title: "Family 🏡".into(),
        });
    });
    g.head(family, move |r, m| {
        r.say(m, fx.alice, "Who's coming on Sunday? 🍰")
    });
    g.head(family, move |r, m| {
        r.from(m, fx.bob);
        m.media = Some(Media::Poll {
            id: r.media_id(tag::POLL, m),
            question: "Sunday lunch: what time?".into(),
            answers: vec!["12:00".into(), "13:00".into(), "14:00".into()],
            votes: vec![2, 1, 0],
            closed: false,
        });
    });
    g.head(family, move |r, m| {
        r.from(m, fx.erin);
        m.action = Some(Action::ChatJoinedByLink { inviter_id: me });
    });
    g.head(family, move |r, m| {
        r.from(m, fx.carol);
        m.action = Some(Action::ChatDeleteUser { user_id: fx.carol });
    });
    g.head(family, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::PinMessage);
        m.reply_to = reply(r.id(family, 4));
    });
    g.head(family, move |r, m| {
        r.say(m, fx.dave, "Count me in!");
        m.reply_to = reply(r.id(family, 3));
        m.reactions = vec![Reaction {
            emoji: "❤️".into(),
            count: 2,
            chosen: true,
        }];
    });
    g.head(family, move |r, m| {
        r.say(m, me, "Last year's lunch");
        m.media = Some(r.photo(m, &["s", "m"]));
    });

    // The basic group that became a supergroup.
    g.head(old_group, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::ChatCreate {
            title: "Old Project".into(),
            users: vec![fx.alice, fx.carol],
        });
    });
    g.head(old_group, move |r, m| {
        r.say(m, fx.alice, "Kick-off notes are in the doc")
    });
    g.tail(old_group, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::ChatMigrateTo {
            channel_id: fx.old_super,
        });
    });
    g.head(old_super, move |r, m| {
        r.from(m, me);
        // Same moment as the group's migrate_to, which starts this timeline.
        m.date = r.date(old_group, r.last(old_group));
        m.action = Some(Action::ChannelMigrateFrom {
            title: "Old Project".into(),
            chat_id: fx.old_group,
        });
    });
    g.head(old_super, move |r, m| {
        r.say(m, me, "We are a supergroup now 🚀")
    });

    g.head(public_group, move |r, m| {
        r.from(m, fx.alice);
        m.action = Some(Action::ChannelCreate {
            title: "Public Square".into(),
        });
    });
    g.head(public_group, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::ChatAddUser { users: vec![me] });
    });
    g.head(public_group, move |r, m| {
        r.from(m, fx.alice);
        let mut t = Text::default();
        t.plain("Welcome to the ");
        t.ent(E::Hashtag, "#public");
        t.plain(" square! ");
        t.ent(E::Bold, "Rules:");
        t.plain(" be nice.");
        t.into_message(m);
    });
    g.head(public_group, move |r, m| {
        r.say(m, fx.bob, "Thanks!");
        m.reply_to = reply(r.id(public_group, 2));
    });
    g.head(public_group, move |r, m| {
        r.say(m, fx.carol, "Reactions test 🎉");
        m.reactions = vec![
            Reaction {
                emoji: "👍".into(),
                count: 5,
                chosen: true,
            },
            Reaction {
                emoji: "🔥".into(),
                count: 2,
                chosen: false,
            },
        ];
    });
    g.head(public_group, move |r, m| {
        r.from(m, fx.alice);
        m.action = Some(Action::PinMessage);
        m.reply_to = reply(r.id(public_group, 2));
    });

    g.head(book_club, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::ChannelCreate {
            title: "Book Club 📚".into(),
        });
    });
    g.head(book_club, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::ChatAddUser {
            users: vec![fx.carol, fx.dave, fx.erin],
        });
    });
    g.head(book_club, move |r, m| {
        r.say(m, fx.carol, "This month: «Le Petit Prince» 🌹")
    });
    g.head(book_club, move |r, m| {
        r.say(m, fx.dave, "Chapter one");
        let mut d = r.document(m, DocumentKind::File, 200_000);
        (d.mime_type, d.file_name) = ("application/pdf".into(), Some("chapter1.pdf".into()));
        m.media = Some(Media::Document(d));
    });

    // Forum: topics are the ids of their topic_create messages (heads 1..=3).
    g.head(forum, move |r, m| {
        r.from(m, me);
        m.action = Some(Action::ChannelCreate {
            title: "Forum of Things".into(),
        });
    });
    for (title, icon_color) in TOPICS {
        g.head(forum, move |r, m| {
            r.from(m, me);
            m.action = Some(Action::TopicCreate {
                title: title.into(),
                icon_color,
            });
        });
    }
    g.head(forum, move |r, m| {
        r.say(m, fx.alice, "First announcement 📣");
        let t = r.id(forum, 1);
        m.reply_to = in_topic(t, t);
    });
    g.head(forum, move |r, m| {
        r.say(m, fx.bob, "Anyone up for a chat?");
        let t = r.id(forum, 2);
        m.reply_to = in_topic(t, t);
    });
    g.head(forum, move |r, m| {
        r.say(m, fx.carol, "Me!");
        m.reply_to = in_topic(r.id(forum, 5), r.id(forum, 2));
    });
    g.head(forum, move |r, m| {
        r.say(m, me, "How do I fix this?");
        let t = r.id(forum, 3);
        m.reply_to = in_topic(t, t);
        m.media = Some(r.photo(m, &["s", "m", "x"]));
    });
    g.head(forum, move |r, m| {
        r.say(m, fx.alice, "A message in General")
    });

    // The public channel: signed posts, reactions, edits, a closed poll.
    g.head(pc, |_, m| {
        m.action = Some(Action::ChannelCreate {
            title: "Daily Digest".into(),
        })
    });
    g.head(pc, |_, m| {
        let mut t = Text::default();
        t.plain("Today's digest: ");
        t.ent(E::Hashtag, "#news");
        t.plain(" and ");
        t.ent(E::Cashtag, "$TGX");
        t.plain(" up 5% 📈");
        t.into_message(m);
        m.post_author = Some("Editor Ellen".into());
        m.reactions = vec![
            Reaction {
                emoji: "👍".into(),
                count: 120,
                chosen: false,
            },
            Reaction {
                emoji: "❤️".into(),
                count: 33,
                chosen: true,
            },
        ];
    });
    g.head(pc, |r, m| {
        m.text = "Picture of the day".into();
        m.media = Some(r.photo(m, &["s", "m", "x", "y"]));
    });
    g.head(pc, |_, m| {
        m.text = "Correction: the meeting is at 10:00".into();
        m.edit_date = Some(m.date + 1_800);
    });
    g.head(pc, |r, m| {
        m.media = Some(Media::Poll {
            id: r.media_id(tag::POLL, m),
            question: "Best export format?".into(),
            answers: vec!["JSON".into(), "HTML".into(), "Both".into()],
            votes: vec![10, 5, 30],
            closed: true,
        });
    });
    g.head(pc, |r, m| {
        m.text = "Weekly recap 🎞️".into();
        let mut d = r.document(m, DocumentKind::Video, 600_000);
        (d.w, d.h, d.duration) = (Some(640), Some(360), Some(95));
        m.media = Some(Media::Document(d));
    });

    g.head(private_channel, |_, m| {
        m.out = true;
        m.action = Some(Action::ChannelCreate {
            title: "Private Diary".into(),
        });
    });
    g.head(private_channel, |_, m| {
        m.out = true;
        m.text = "Private thoughts 🤫".into();
    });

    g.head(left_public, |_, m| {
        m.action = Some(Action::ChannelCreate {
            title: "Old News".into(),
        })
    });
    g.head(left_public, |_, m| {
        m.text = "The last post you saw before leaving".into()
    });
    g.head(left_public, |r, m| m.media = Some(r.photo(m, &["m", "x"])));

    g.head(left_private, |_, m| {
        m.action = Some(Action::ChannelCreate {
            title: "Left Private Channel".into(),
        })
    });
    g.head(left_private, |_, m| m.text = "Secret stuff".into());
}

/// Text of the public channel's post 1, which two fixtures forward.
const CHANNEL_POST_1: &str = "Today's digest: #news and $TGX up 5% 📈";

/// Fills in the forum's topics once their creation messages have ids.
pub(crate) fn topics(r: &Resolve, fx: &Fx, chats: &mut [Chat]) {
    let peer = Peer::Channel(fx.forum);
    let forum = chats
        .iter_mut()
        .find(|c| c.id == fx.forum)
        .expect("forum exists");
    forum.topics = TOPICS
        .iter()
        .enumerate()
        .map(|(i, &(title, icon_color))| {
            let id = r.id(peer, i + 1);
            Topic {
                id,
                title: title.into(),
                date: r.date(peer, id),
                icon_color,
            }
        })
        .collect();
}

pub(crate) struct Account {
    pub saved_contacts: Vec<SavedContact>,
    pub top_peers: Vec<TopPeer>,
    pub authorizations: Vec<Authorization>,
    pub web_authorizations: Vec<WebAuthorization>,
    pub profile_photos: Vec<Photo>,
    pub stories: Vec<Story>,
}

const DAY: i32 = 86_400;

/// Everything of the account that is not a chat.
pub(crate) fn account(g: &Gen, fx: &Fx) -> Account {
    let seed = g.seed;
    let base = BASE_DATE as i32;
    let end = END_DATE as i32;
    let mut rng = super::rng::Rng::derive(&[seed, tag::AUTH]);

    let mut saved_contacts: Vec<SavedContact> = g
        .users
        .iter()
        .filter(|u| u.contact)
        .filter_map(|u| {
            Some(SavedContact {
                phone: u.phone.clone()?,
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                date: base + rng.below(300) as i32 * DAY,
            })
        })
        .collect();
    for (phone, first, last) in [
        ("15550199001", "Joe", "Plumber"),
        ("4930123456", "Dr. Müller", ""),
    ] {
        saved_contacts.push(SavedContact {
            phone: phone.into(),
            first_name: first.into(),
            last_name: last.into(),
            date: base + 40 * DAY,
        });
    }

    let top = |category, peer, rating| TopPeer {
        category,
        peer,
        rating,
    };
    let top_peers = vec![
        top(TopPeerCategory::Correspondents, Peer::User(fx.alice), 8.5),
        top(TopPeerCategory::Correspondents, Peer::User(fx.bob), 4.25),
        top(TopPeerCategory::Correspondents, Peer::User(fx.dave), 2.125),
        top(TopPeerCategory::Groups, Peer::Chat(fx.family), 6.5),
        top(
            TopPeerCategory::Groups,
            Peer::Channel(fx.public_group),
            1.75,
        ),
        top(
            TopPeerCategory::Channels,
            Peer::Channel(fx.public_channel),
            3.0,
        ),
        top(TopPeerCategory::BotsInline, Peer::User(fx.inline_bot), 1.5),
    ];

    let authorizations = vec![
        Authorization {
            hash: 0, // Telegram reports the current session with hash 0.
            current: true,
            device_model: "Pixel 8".into(),
            platform: "Android".into(),
            system_version: "SDK 34".into(),
            api_id: 6,
            app_name: "Telegram Android".into(),
            app_version: "11.2.3".into(),
            date_created: end - 200 * DAY,
            date_active: end - 3_600,
            ip: "203.0.113.5".into(),
            country: "Germany".into(),
            region: "Berlin".into(),
        },
        Authorization {
            hash: content::access_hash(seed, tag::AUTH, 1),
            current: false,
            device_model: "MacBook Pro".into(),
            platform: "macOS".into(),
            system_version: "14.5".into(),
            api_id: 2040,
            app_name: "Telegram Desktop".into(),
            app_version: "5.2.1".into(),
            date_created: base + 500 * DAY,
            date_active: end - 2 * DAY,
            ip: "198.51.100.7".into(),
            country: "Netherlands".into(),
            region: "North Holland".into(),
        },
    ];
    let web_authorizations = vec![WebAuthorization {
        hash: content::access_hash(seed, tag::AUTH, 2),
        bot_id: fx.helper_bot,
        domain: "example.org".into(),
        browser: "Firefox 128".into(),
        platform: "Linux".into(),
        date_created: base + 900 * DAY,
        date_active: end - 30 * DAY,
        ip: "192.0.2.44".into(),
        region: "Bavaria, DE".into(),
    }];

    // Newest first, as photos.getUserPhotos returns them.
    let profile_photos = [1_500, 700, 30]
        .iter()
        .enumerate()
        .map(|(i, &days)| {
            let id = content::media_id(seed, tag::PROFILE_PHOTO, 0, i as i32);
            content::photo(
                seed,
                id,
                base + days * DAY,
                &["a", "b", "c"],
                u64::MAX,
                &mut rng,
            )
        })
        .collect();

    let story = |id: i32, date: i32, caption: &str, media: Media| Story {
        id,
        date,
        expire_date: date + DAY,
        caption: caption.into(),
        media,
    };
    let photo = |n: i32, date: i32, rng: &mut super::rng::Rng| {
        let id = content::media_id(seed, tag::STORY_PHOTO, 0, n);
        Media::Photo(content::photo(
            seed,
            id,
            date,
            &["m", "x", "y"],
            u64::MAX,
            rng,
        ))
    };
    let (d3, d2, d1) = (end - 20 * DAY, end - 90 * DAY, end - 400 * DAY);
    let mut video = content::document(
        seed,
        content::media_id(seed, tag::STORY_DOCUMENT, 0, 2),
        d2,
        DocumentKind::Video,
        1_500_000,
        &mut rng,
    );
    (video.w, video.h, video.duration, video.file_name) = (Some(720), Some(1280), Some(15), None);
    let stories = vec![
        story(3, d3, "Sunset 🌅", photo(3, d3, &mut rng)),
        story(2, d2, "", Media::Document(video)),
        story(1, d1, "My first story", photo(1, d1, &mut rng)),
    ];

    Account {
        saved_contacts,
        top_peers,
        authorizations,
        web_authorizations,
        profile_photos,
        stories,
    }
}
