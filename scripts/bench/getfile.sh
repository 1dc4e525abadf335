#!/usr/bin/env bash
# fakedc's upload.getFile throughput with 1 MiB parts (and 512 KiB), using
# Telethon because grammers 0.11 cannot receive 1 MiB parts. One command:
#   bash scripts/bench/getfile.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${TELETHON_VENV:-target/telethon-venv}"
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r scripts/telethon/requirements.txt; }
cargo build --release --locked -q -p fakedc
work=$(mktemp -d)
trap 'kill "${srv:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
target/release/fakedc serve --world small --session-out "$work/session.json" > "$work/fakedc.log" 2>&1 &
srv=$!
for _ in $(seq 100); do [ -s "$work/session.json" ] && break; sleep 0.1; done
echo "fakedc upload.getFile, Telethon 1.45 client, 8 requests in flight per client:"
"$VENV/bin/python" scripts/bench/getfile_1mib.py "$work/session.json" "${SECONDS_PER_FIGURE:-3}"
