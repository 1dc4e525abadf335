#!/usr/bin/env bash
# Files benchmark: tgtakeout's downloader vs grammers' and Telethon's
# download_media (one file at a time), all downloading fakedc's `files`
# world (~1,000 files, 1 KB to 50 MiB, ~1.7 GB) at 0 and 50 ms round trip,
# and fakedc's serving ceiling measured in the same run.
#
#   bash scripts/bench/files.sh
#
# Builds release fakedc, tgtakeout and the grammers_download example, sets up
# the Telethon venv (TELETHON_VENV, default target/telethon-venv, shared with
# scripts/telethon/check.sh: telethon 1.45 + cryptg), then runs
# files_bench.py, which prints one table (MB/s and peak RSS per client and
# round trip) and checks (byte counts against the world), and writes them to
# target/bench/files.txt. Needs ~2 GB free disk (one download at a time,
# deleted after each run). See scripts/bench/README.md.
#
# Knobs: LATENCIES (default 0,50), CAP_SECS (default 180: grammers and
# Telethon start no new file after it and report the rate so far), SEED
# (world seed, default 1), TGTAKEOUT_ARGS (replaces the export flags),
# REPEAT (runs of every client per round trip, interleaved; the median is
# reported, default 1), NO_TELETHON=1, PYTHON (interpreter making the venv), TELETHON_VENV,
# BENCH_KEEP=1 (keep every download under target/bench/files-work).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
venv=${TELETHON_VENV:-target/telethon-venv}
req=$root/scripts/telethon/requirements.txt

echo "building release fakedc, tgtakeout and grammers_download" >&2
cargo build --release --locked --quiet -p fakedc -p tgtakeout
cargo build --release --locked --quiet -p fakedc --example grammers_download

if [ -z "${NO_TELETHON:-}" ]; then
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
    python=$venv/bin/python
else
    python=${PYTHON:-python3}
fi

args=(
    --fakedc "$root/target/release/fakedc"
    --tgtakeout "$root/target/release/tgtakeout"
    --grammers "$root/target/release/examples/grammers_download"
    --python "$python"
    --latencies "${LATENCIES:-0,50}"
    --cap "${CAP_SECS:-180}"
    --seed "${SEED:-1}"
    --out "$root/target/bench"
)
[ -z "${TGTAKEOUT_ARGS:-}" ] || args+=(--tgtakeout-args "$TGTAKEOUT_ARGS")
[ -z "${NO_TELETHON:-}" ] || args+=(--no-telethon)
[ -z "${BENCH_KEEP:-}" ] || args+=(--keep)
[ -z "${REPEAT:-}" ] || args+=(--repeat "$REPEAT")
# exec: signals reach the Python driver directly, which stops every server.
exec "$python" -u "$root/scripts/bench/files_bench.py" "${args[@]}"
