//! Entities carry UTF-16 offsets: the text must be sliced in UTF-16 code
//! units (emoji are surrogate pairs, skin tones and combining marks are
//! separate code points), nested entities dropped and touching ones kept,
//! as Telegram Desktop's ParseText does.

use grammers_tl_types as tl;
use takeout_render::text::{Extra, PartKind, parts};
use tl::enums::MessageEntity as E;

fn u16len(s: &str) -> i32 {
    s.encode_utf16().count() as i32
}

/// (offset, length) of `sub` in `text`, in UTF-16 units.
fn at(text: &str, sub: &str) -> (i32, i32) {
    let i = text.find(sub).unwrap();
    (u16len(&text[..i]), u16len(sub))
}

fn bold(r: (i32, i32)) -> E {
    E::Bold(tl::types::MessageEntityBold { offset: r.0, length: r.1 })
}
fn italic(r: (i32, i32)) -> E {
    E::Italic(tl::types::MessageEntityItalic { offset: r.0, length: r.1 })
}

fn texts(p: &[takeout_render::text::TextPart]) -> Vec<(&str, &str)> {
    p.iter().map(|p| (p.kind.name(), p.text.as_str())).collect()
}

#[test]
fn emoji_skin_tones_and_flags_are_sliced_by_utf16_units() {
    let t = "a😀b👍🏽c🇫🇷d";
    let p = parts(t, &[bold(at(t, "😀b")), italic(at(t, "👍🏽")), bold(at(t, "🇫🇷d"))]);
    // The last entity reaches the end of a non-ASCII text: Telegram
    // Desktop's ParseText then adds an empty plain part (it closes with the
    // UTF-8 length).
    assert_eq!(texts(&p), [("plain", "a"), ("bold", "😀b"), ("italic", "👍🏽"), ("plain", "c"), ("bold", "🇫🇷d"), ("plain", "")]);
}

#[test]
fn combining_characters_stay_with_their_base() {
    let t = "cafe\u{301} x\u{308}y na\u{303}o";
    let p = parts(t, &[bold(at(t, "cafe\u{301}")), italic(at(t, "x\u{308}y"))]);
    assert_eq!(texts(&p), [("bold", "cafe\u{301}"), ("plain", " "), ("italic", "x\u{308}y"), ("plain", " na\u{303}o")]);
}

#[test]
fn nested_entities_are_dropped_and_touching_ones_kept() {
    let t = "outer inner|touch|ing";
    let outer = at(t, "outer inner");
    let inner = at(t, "inner");
    let p = parts(t, &[bold(outer), italic(inner), italic(at(t, "|touch")), bold(at(t, "|ing"))]);
    assert_eq!(texts(&p), [("bold", "outer inner"), ("italic", "|touch"), ("bold", "|ing")]);
}

#[test]
fn extras_are_kept_and_out_of_range_entities_ignored() {
    let t = "see docs 😀";
    let url = E::TextUrl(tl::types::MessageEntityTextUrl { offset: 4, length: 4, url: "https://x.y".into() });
    let past_end = bold((u16len(t), 5));
    let zero = italic((0, 0));
    let p = parts(t, &[zero, url, past_end]);
    assert_eq!(texts(&p), [("plain", "see "), ("text_link", "docs"), ("plain", " 😀")]);
    assert_eq!(p[1].extra, Extra::Href("https://x.y".into()));
    assert_eq!(p[1].kind, PartKind::TextLink);
}

#[test]
fn an_entity_splitting_a_surrogate_pair_does_not_panic() {
    let t = "😀😀";
    let p = parts(t, &[bold((1, 2))]);
    assert_eq!(p.len(), 3);
    // Each half of a split pair becomes U+FFFD, as a lone surrogate does in Qt's toUtf8.
    assert_eq!(p.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(), ["\u{fffd}", "\u{fffd}\u{fffd}", "\u{fffd}"]);
}
