//! JSON text the way Telegram Desktop lays it out: one space of indentation
//! per level, `"key": value`, keys whose value would be empty left out.
//! Built per message into a reused buffer, so memory stays flat however
//! long the export is.

/// Appends `s` as a JSON string. Like Telegram Desktop it escapes U+2028
/// and U+2029 (so the file is also valid JavaScript); other control
/// characters become \u00XX (Telegram Desktop writes "\xNN", which JSON
/// parsers reject).
pub fn string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let b = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        // Fast skip over the bytes that never need escaping.
        while i < b.len() && !SPECIAL[b[i] as usize] {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let c = b[i];
        // Only ASCII specials and U+2028/U+2029 (E2 80 A8/A9) need work; every
        // other byte, multi-byte UTF-8 included, is copied as is.
        let esc: &str = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            0xE2 if i + 2 < b.len() && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9) => {
                if b[i + 2] == 0xA8 { "\\u2028" } else { "\\u2029" }
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            use std::fmt::Write;
            let _ = write!(out, "\\u{:04x}", c);
            i += 1;
        } else {
            i += if c == 0xE2 { 3 } else { 1 };
            out.push_str(esc);
        }
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Bytes that may need escaping: controls, '"', '\\', and 0xE2 (the lead
/// byte of U+2028/U+2029).
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[0xE2] = true;
    t
};

pub fn quoted(s: &str) -> String {
    let mut o = String::new();
    string(&mut o, s);
    o
}

/// Telegram Desktop prints doubles with std::to_string ("%f").
pub fn double(v: f64) -> String {
    format!("{v:.6}")
}

/// An object whose members are serialized values; written at a nesting
/// depth (the number of spaces before its closing brace).
#[derive(Default)]
pub struct Obj {
    pub members: Vec<(&'static str, String)>,
}

impl Obj {
    pub fn new() -> Obj {
        Obj { members: Vec::new() }
    }
    /// A raw JSON value (number, true/false, nested text); empty = left out.
    pub fn raw(&mut self, key: &'static str, v: impl Into<String>) -> &mut Self {
        let v = v.into();
        if !v.is_empty() {
            self.members.push((key, v));
        }
        self
    }
    /// A string value; an empty string is left out.
    pub fn str(&mut self, key: &'static str, v: &str) -> &mut Self {
        if !v.is_empty() {
            self.members.push((key, quoted(v)));
        }
        self
    }
    /// A string value written even when empty.
    pub fn str_always(&mut self, key: &'static str, v: &str) -> &mut Self {
        self.members.push((key, quoted(v)));
        self
    }
    /// A string, or null when empty (Telegram Desktop's StringAllowNull).
    pub fn str_or_null(&mut self, key: &'static str, v: &str) -> &mut Self {
        self.members.push((key, if v.is_empty() { "null".into() } else { quoted(v) }));
        self
    }
    pub fn num(&mut self, key: &'static str, v: impl std::fmt::Display) -> &mut Self {
        self.members.push((key, v.to_string()));
        self
    }
    pub fn bool(&mut self, key: &'static str, v: bool) -> &mut Self {
        self.members.push((key, if v { "true" } else { "false" }.into()));
        self
    }
    /// Serializes at `depth` (members are indented depth + 1).
    pub fn write(&self, out: &mut String, depth: usize) {
        out.push('{');
        for (i, (k, v)) in self.members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('\n');
            indent(out, depth + 1);
            string(out, k);
            out.push_str(": ");
            out.push_str(v);
        }
        out.push('\n');
        indent(out, depth);
        out.push('}');
    }
    pub fn to_string(&self, depth: usize) -> String {
        let mut s = String::new();
        self.write(&mut s, depth);
        s
    }
}

/// An object written straight into the output (no per-member allocation):
/// the message objects, one per message, go through this.
pub struct ObjW<'a> {
    out: &'a mut String,
    depth: usize,
    first: bool,
}

impl<'a> ObjW<'a> {
    pub fn new(out: &'a mut String, depth: usize) -> ObjW<'a> {
        out.push('{');
        ObjW { out, depth, first: true }
    }
    fn key(&mut self, key: &str) {
        self.out.push_str(if self.first { "\n" } else { ",\n" });
        self.first = false;
        indent(self.out, self.depth + 1);
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\": ");
    }
    /// A raw JSON value; empty = left out.
    pub fn raw(&mut self, key: &str, v: &str) -> &mut Self {
        if !v.is_empty() {
            self.key(key);
            self.out.push_str(v);
        }
        self
    }
    /// A string value; an empty string is left out.
    pub fn str(&mut self, key: &str, v: &str) -> &mut Self {
        if !v.is_empty() {
            self.key(key);
            string(self.out, v);
        }
        self
    }
    /// A string, or null when empty.
    pub fn str_or_null(&mut self, key: &str, v: &str) -> &mut Self {
        self.key(key);
        if v.is_empty() { self.out.push_str("null") } else { string(self.out, v) }
        self
    }
    pub fn num(&mut self, key: &str, v: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write;
        self.key(key);
        let _ = write!(self.out, "{v}");
        self
    }
    pub fn bool(&mut self, key: &str, v: bool) -> &mut Self {
        self.key(key);
        self.out.push_str(if v { "true" } else { "false" });
        self
    }
    pub fn finish(self) {
        self.out.push('\n');
        indent(self.out, self.depth);
        self.out.push('}');
    }
}

/// An array of serialized values at `depth`.
pub fn array(values: &[String], depth: usize) -> String {
    let mut out = String::from("[");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        indent(&mut out, depth + 1);
        out.push_str(v);
    }
    out.push('\n');
    indent(&mut out, depth);
    out.push(']');
    out
}

pub fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip_through_serde() {
        let s = "a\"b\\c\n\r\t\u{1}\u{2028}😀<script>";
        let q = quoted(s);
        assert!(q.contains("\\u0001") && q.contains("\\u2028"));
        assert_eq!(serde_json::from_str::<String>(&q).unwrap(), s);
    }

    #[test]
    fn layout_matches_telegram_desktop() {
        let mut o = Obj::new();
        o.num("id", 1).str("empty", "").str("type", "message");
        assert_eq!(o.to_string(1), "{\n  \"id\": 1,\n  \"type\": \"message\"\n }");
        assert_eq!(array(&["1".into()], 0), "[\n 1\n]");
    }
}
