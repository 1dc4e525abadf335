//! The archive's stylesheet: readable without JavaScript, no external
//! fonts or images (system fonts only), light and dark schemes.

pub const CSS: &str = r#"/* tgtakeout HTML archive */
:root { --bg: #fff; --fg: #000; --muted: #70777b; --line: #e3e6e8; --link: #168acd; --bubble: #f5f5f5; --service: #e8ecee; --accent: #3e6e93; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #17212b; --fg: #f5f5f5; --muted: #8b9aa7; --line: #0e1621; --link: #6ab3f3; --bubble: #182533; --service: #1e2c3a; --accent: #71baf2; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
.page_wrap { max-width: 760px; margin: 0 auto; }
.page_header { position: sticky; top: 0; background: var(--bg); border-bottom: 1px solid var(--line); padding: 12px 16px; display: flex; gap: 12px; align-items: center; z-index: 1; }
.page_header .title { font-weight: 600; font-size: 16px; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.page_body { padding: 8px 16px 24px; }
.pagination { display: block; text-align: center; padding: 10px; margin: 8px 0; background: var(--service); border-radius: 6px; }
.section { padding: 10px 0; border-bottom: 1px solid var(--line); display: flex; gap: 12px; align-items: center; }
.section .name { font-weight: 600; }
.section .details { color: var(--muted); font-size: 13px; }
.userpic { width: 42px; height: 42px; border-radius: 50%; flex: none; display: flex; align-items: center; justify-content: center; color: #fff; font-weight: 600; background: var(--accent); }
.message { padding: 6px 0; }
.message.service { text-align: center; }
.message.service .body { display: inline-block; background: var(--service); color: var(--muted); border-radius: 12px; padding: 3px 12px; font-size: 13px; }
.message .from_name { color: var(--accent); font-weight: 600; }
.message .date { float: right; color: var(--muted); font-size: 12px; }
.message .body { margin-top: 2px; overflow-wrap: anywhere; }
.message.joined { padding-top: 0; }
.forwarded, .reply_to { border-left: 2px solid var(--accent); padding-left: 8px; margin: 4px 0; color: var(--muted); font-size: 13px; }
.media { margin: 6px 0; }
.media img, .media video { max-width: 100%; max-height: 420px; border-radius: 6px; display: block; }
.media audio { width: 100%; }
.media_note { color: var(--muted); font-style: italic; }
.media_file { display: inline-block; padding: 6px 10px; background: var(--bubble); border-radius: 6px; }
pre { background: var(--bubble); padding: 8px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; }
code { background: var(--bubble); padding: 0 3px; border-radius: 3px; }
blockquote { margin: 4px 0; padding-left: 10px; border-left: 3px solid var(--accent); }
.spoiler { background: var(--muted); color: transparent; border-radius: 3px; }
.spoiler:hover, .spoiler:focus { background: transparent; color: inherit; }
.reactions { margin-top: 4px; display: flex; gap: 6px; flex-wrap: wrap; }
.reaction { background: var(--service); border-radius: 12px; padding: 1px 8px; font-size: 13px; }
.poll, .contact, .location { background: var(--bubble); border-radius: 6px; padding: 8px 10px; margin: 6px 0; }
.poll .answer { display: flex; justify-content: space-between; }
.edited { color: var(--muted); font-size: 12px; }
.footer { color: var(--muted); font-size: 12px; text-align: center; padding: 16px; }
.search input { width: 100%; padding: 8px 10px; font-size: 15px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.search .hit { padding: 8px 0; border-bottom: 1px solid var(--line); display: block; }
.search .hit .where { color: var(--muted); font-size: 12px; }
:target { background: var(--service); border-radius: 6px; }
"#;
