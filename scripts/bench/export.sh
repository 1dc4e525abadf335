#!/usr/bin/env bash
# Export benchmark: tgtakeout vs Telethon 1.45, both exporting fakedc's medium
# and large worlds into SQLite, at 0 and 50 ms simulated round trip.
#
#   bash scripts/bench/export.sh
#
# Builds release fakedc and tgtakeout, sets up the Telethon venv
# (TELETHON_VENV, default target/telethon-venv, shared with
# scripts/telethon/check.sh and installed from its requirements.txt:
# telethon 1.45 + cryptg), then runs export_bench.py, which prints one table
# (world, RTT, msgs/s and peak RSS of each exporter, ratio) and details, and
# writes them to target/bench/export.txt. See scripts/bench/README.md.
#
# Knobs: WORLDS (default medium,large), LATENCIES (default 0,50),
# TELETHON_CAP_SECS (default 180: a Telethon run stops there and reports the
# rate so far), PYTHON (interpreter making the venv, default python3),
# TELETHON_VENV, BENCH_KEEP=1 (keep the stores under target/bench/work).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv=${TELETHON_VENV:-target/telethon-venv}
req=$root/scripts/telethon/requirements.txt

echo "building release fakedc and tgtakeout" >&2
cargo build --release --locked --quiet -p fakedc -p tgtakeout

if [ ! -x "$venv/bin/python" ]; then
    echo "creating venv $venv" >&2
    "${PYTHON:-python3}" -m venv "$venv"
fi
# Same stamp as scripts/telethon/check.sh: install only when requirements change.
stamp="$venv/.tgtakeout-requirements"
if ! cmp -s "$req" "$stamp"; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
fi

args=(
    --fakedc "$root/target/release/fakedc"
    --tgtakeout "$root/target/release/tgtakeout"
    --python "$venv/bin/python"
    --worlds "${WORLDS:-medium,large}"
    --latencies "${LATENCIES:-0,50}"
    --telethon-cap "${TELETHON_CAP_SECS:-180}"
    --out "$root/target/bench"
)
[ -z "${BENCH_KEEP:-}" ] || args+=(--keep)
# exec: signals reach the Python driver directly, which stops every server.
exec "$venv/bin/python" -u "$root/scripts/bench/export_bench.py" "${args[@]}"
