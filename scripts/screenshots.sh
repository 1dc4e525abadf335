#!/usr/bin/env bash
# Regenerates docs/screenshots/index.png and docs/screenshots/chat.png: runs
# `tgtakeout demo` (fakedc in-process, small world, dates in UTC) into
# target/screenshots and photographs the index and one chat page with
# headless Chromium (Debian package `chromium`).
#
#   bash scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "needs chromium (Debian: apt-get install chromium)" >&2; exit 1; }
cargo build --locked --quiet -p tgtakeout
out=$root/target/screenshots
rm -rf "$out"
"$root/target/debug/tgtakeout" demo --out "$out" --utc --quiet
# The chat with Alice: a personal chat with replies, media, a contact and a location.
chat=$(grep -l "<title>Alice Liddell</title>" "$out"/chats/*/messages.html | head -1)
shot() {
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$out/.chromium" --window-size=900,1100 --screenshot="$2" "file://$1" 2>/dev/null
}
shot "$out/index.html" "$root/docs/screenshots/index.png"
shot "$chat" "$root/docs/screenshots/chat.png"
ls -l docs/screenshots
