//! The offline search: a generated data file (one `TGTS.push(...)` line
//! per chat, loaded with <script src>, since pages opened from file://
//! may not fetch()) and a small script that filters it and shows hits with
//! textContent only, so no message text can become markup.

/// Longest text kept per message in the index (characters).
pub const SNIPPET_CHARS: usize = 400;

pub const SEARCH_JS: &str = r##"// tgtakeout offline search: data from search_data.js (window.TGTS), no network.
(function () {
  "use strict";
  var chats = window.TGTC || [];
  var rows = [];
  (window.TGTS || []).forEach(function (chunk) {
    for (var i = 0; i < chunk.length; i++) rows.push(chunk[i]);
  });
  var input = document.getElementById("q");
  var out = document.getElementById("results");
  var count = document.getElementById("count");
  function page(n) { return n <= 1 ? "messages.html" : "messages" + n + ".html"; }
  function run() {
    var q = input.value.trim().toLowerCase();
    while (out.firstChild) out.removeChild(out.firstChild);
    if (q.length < 2) { count.textContent = ""; return; }
    var shown = 0, total = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (r[3].toLowerCase().indexOf(q) < 0) continue;
      total++;
      if (shown >= 200) continue;
      shown++;
      var chat = chats[r[0]] || ["", ""];
      var a = document.createElement("a");
      a.className = "hit";
      a.href = chat[0] + "/" + page(r[1]) + "#message" + r[2];
      var where = document.createElement("div");
      where.className = "where";
      where.textContent = chat[1];
      var text = document.createElement("div");
      text.textContent = r[3];
      a.appendChild(where);
      a.appendChild(text);
      out.appendChild(a);
    }
    count.textContent = total + (total === 1 ? " message" : " messages") + (total > shown ? " (first " + shown + " shown)" : "");
  }
  input.addEventListener("input", run);
  // search.html#q=word opens with that query (bookmarkable, no server needed).
  var m = /^#q=(.*)$/.exec(window.location.hash);
  if (m) { try { input.value = decodeURIComponent(m[1]); } catch (e) { input.value = m[1]; } }
  run();
})();
"##;
