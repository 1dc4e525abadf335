//! Message text with entities turned into Telegram Desktop's text parts:
//! entities carry UTF-16 offsets, so the text is sliced in UTF-16 code
//! units, and nested or overlapping entities are dropped the way Telegram
//! Desktop drops them (an entity starting before the end of the previous
//! one is skipped; touching entities are both kept).

use grammers_tl_types as tl;

/// Telegram Desktop's text part kinds, named as result.json names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    Plain,
    Unknown,
    Mention,
    Hashtag,
    BotCommand,
    Link,
    Email,
    Bold,
    Italic,
    Code,
    Pre,
    TextLink,
    MentionName,
    Phone,
    Cashtag,
    Underline,
    Strikethrough,
    Blockquote,
    BankCard,
    Spoiler,
    CustomEmoji,
}

impl PartKind {
    pub fn name(self) -> &'static str {
        use PartKind::*;
        match self {
            Plain => "plain",
            Unknown => "unknown",
            Mention => "mention",
            Hashtag => "hashtag",
            BotCommand => "bot_command",
            Link => "link",
            Email => "email",
            Bold => "bold",
            Italic => "italic",
            Code => "code",
            Pre => "pre",
            TextLink => "text_link",
            MentionName => "mention_name",
            Phone => "phone",
            Cashtag => "cashtag",
            Underline => "underline",
            Strikethrough => "strikethrough",
            Blockquote => "blockquote",
            BankCard => "bank_card",
            Spoiler => "spoiler",
            CustomEmoji => "custom_emoji",
        }
    }
}

/// The extra field some parts carry (Telegram Desktop's `additional`).
#[derive(Clone, Debug, PartialEq)]
pub enum Extra {
    None,
    /// pre: language.
    Language(String),
    /// text_link: href.
    Href(String),
    /// mention_name: user_id.
    UserId(i64),
    /// custom_emoji: document_id.
    DocumentId(i64),
    /// blockquote: collapsed.
    Collapsed(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TextPart {
    pub kind: PartKind,
    pub text: String,
    pub extra: Extra,
}

fn entity(e: &tl::enums::MessageEntity) -> Option<(i32, i32, PartKind, Extra)> {
    use tl::enums::MessageEntity as E;
    use PartKind as K;
    Some(match e {
        E::Unknown(x) => (x.offset, x.length, K::Unknown, Extra::None),
        E::Mention(x) => (x.offset, x.length, K::Mention, Extra::None),
        E::Hashtag(x) => (x.offset, x.length, K::Hashtag, Extra::None),
        E::BotCommand(x) => (x.offset, x.length, K::BotCommand, Extra::None),
        E::Url(x) => (x.offset, x.length, K::Link, Extra::None),
        E::Email(x) => (x.offset, x.length, K::Email, Extra::None),
        E::Bold(x) => (x.offset, x.length, K::Bold, Extra::None),
        E::Italic(x) => (x.offset, x.length, K::Italic, Extra::None),
        E::Code(x) => (x.offset, x.length, K::Code, Extra::None),
        E::Pre(x) => (x.offset, x.length, K::Pre, Extra::Language(x.language.clone())),
        E::TextUrl(x) => (x.offset, x.length, K::TextLink, Extra::Href(x.url.clone())),
        E::MentionName(x) => (x.offset, x.length, K::MentionName, Extra::UserId(x.user_id)),
        E::InputMessageEntityMentionName(x) => (x.offset, x.length, K::MentionName, Extra::None),
        E::Phone(x) => (x.offset, x.length, K::Phone, Extra::None),
        E::Cashtag(x) => (x.offset, x.length, K::Cashtag, Extra::None),
        E::Underline(x) => (x.offset, x.length, K::Underline, Extra::None),
        E::Strike(x) => (x.offset, x.length, K::Strikethrough, Extra::None),
        E::BankCard(x) => (x.offset, x.length, K::BankCard, Extra::None),
        E::Spoiler(x) => (x.offset, x.length, K::Spoiler, Extra::None),
        E::CustomEmoji(x) => (x.offset, x.length, K::CustomEmoji, Extra::DocumentId(x.document_id)),
        E::Blockquote(x) => (x.offset, x.length, K::Blockquote, Extra::Collapsed(x.collapsed)),
        // Newer entity kinds Telegram Desktop's export does not know: their
        // text stays in the neighbouring plain parts.
        _ => return None,
    })
}

/// Like [`parts`], taking the text by value: a text without entities (most
/// of them) becomes its one part without a copy.
pub fn parts_owned(text: String, entities: &[tl::enums::MessageEntity]) -> Vec<TextPart> {
    if entities.is_empty() {
        return if text.is_empty() { Vec::new() } else { vec![plain(text)] };
    }
    parts(&text, entities)
}

/// Splits `text` into parts by `entities` (UTF-16 offsets), as Telegram
/// Desktop's ParseText does.
pub fn parts(text: &str, entities: &[tl::enums::MessageEntity]) -> Vec<TextPart> {
    if entities.is_empty() {
        return if text.is_empty() { Vec::new() } else { vec![plain(text.to_string())] };
    }
    let units: Vec<u16> = text.encode_utf16().collect();
    // Telegram Desktop bounds entities by the UTF-8 length (a quirk kept for
    // identical output) and then slices in UTF-16 units, clamping.
    let bound = text.len() as i64;
    let slice = |from: i64, to: i64| -> String {
        let n = units.len() as i64;
        let (a, b) = (from.clamp(0, n) as usize, to.clamp(0, n) as usize);
        String::from_utf16_lossy(&units[a..b.max(a)])
    };
    let mut out = Vec::new();
    let mut offset: i64 = 0;
    for e in entities {
        let Some((start, length, kind, extra)) = entity(e) else { continue };
        let (start, length) = (start as i64, length as i64);
        if start < offset || length <= 0 || start + length > bound {
            continue;
        }
        if start > offset {
            out.push(plain(slice(offset, start)));
        }
        out.push(TextPart { kind, text: slice(start, start + length), extra });
        offset = start + length;
    }
    // Telegram Desktop closes with addTextPart(UTF-8 length): when the text
    // has non-ASCII characters and the entities reach its end, that adds an
    // empty plain part (a trailing "" in "text"), which we keep.
    if bound > offset {
        out.push(plain(slice(offset, units.len() as i64)));
    }
    out
}

fn plain(text: String) -> TextPart {
    TextPart { kind: PartKind::Plain, text, extra: Extra::None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tl::enums::MessageEntity as E;

    fn bold(offset: i32, length: i32) -> E {
        E::Bold(tl::types::MessageEntityBold { offset, length })
    }

    #[test]
    fn plain_text_is_one_part_and_empty_text_none() {
        assert_eq!(parts("hi", &[]), vec![plain("hi".into())]);
        assert!(parts("", &[]).is_empty());
    }

    #[test]
    fn surrogate_pairs_count_as_two_units() {
        // "😀" is 2 UTF-16 units; bold covers "ab" after it.
        let p = parts("😀ab c", &[bold(2, 2)]);
        assert_eq!(p.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(), ["😀", "ab", " c"]);
        assert_eq!(p[1].kind, PartKind::Bold);
    }
}
