//! Everything that goes from the store into HTML passes through here:
//! text is entity-escaped, links are kept only for safe schemes, file
//! paths are percent-encoded and must stay inside the archive.

/// Escapes text for element content and quoted attribute values.
pub fn push(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    push(&mut o, s);
    o
}

/// Escaped text with line breaks kept as <br>.
pub fn push_multiline(out: &mut String, s: &str) {
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        push(out, line);
    }
}

/// The schemes a link may have; anything else is shown as text.
pub const SAFE_SCHEMES: [&str; 4] = ["http", "https", "tg", "mailto"];

/// The URL to put in an href, or None when it must stay text. A bare
/// "example.com/x" (Telegram's url entities often have no scheme) gets
/// "http://".
pub fn safe_url(url: &str) -> Option<String> {
    if url.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let scheme_end = url.find(':');
    let first_sep = url.find(['/', '?', '#']);
    match scheme_end {
        // A colon before any '/', '?', '#': that is the scheme.
        Some(i) if first_sep.is_none_or(|j| i < j) => {
            let scheme = url[..i].to_ascii_lowercase();
            SAFE_SCHEMES.contains(&scheme.as_str()).then(|| url.to_string())
        }
        _ if url.starts_with("//") || url.starts_with('/') => None,
        _ => Some(format!("http://{url}")),
    }
}

/// Percent-encodes a relative file path for an href/src ('/' kept).
pub fn path_url(p: &str) -> String {
    let mut o = String::with_capacity(p.len());
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' | b'@' => o.push(b as char),
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_inert() {
        assert_eq!(esc("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
    }

    #[test]
    fn only_safe_schemes_link() {
        assert_eq!(safe_url("https://a.b/c").as_deref(), Some("https://a.b/c"));
        assert_eq!(safe_url("example.com/x").as_deref(), Some("http://example.com/x"));
        assert_eq!(safe_url("tg://resolve?domain=x").as_deref(), Some("tg://resolve?domain=x"));
        assert_eq!(safe_url("mailto:a@b.c").as_deref(), Some("mailto:a@b.c"));
        for bad in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "java\tscript:x", "data:text/html,x", "vbscript:x", "file:///etc/passwd", "//evil.com", ""] {
            assert_eq!(safe_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(path_url("chats/a b\"<.jpg"), "chats/a%20b%22%3C.jpg");
    }
}
