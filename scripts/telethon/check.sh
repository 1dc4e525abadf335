#!/usr/bin/env bash
# Telethon 1.45 (a second, independent real client) against fakedc.
#
# Sets up its own Python venv (TELETHON_VENV, default target/telethon-venv;
# reused when present), builds fakedc (unless FAKEDC_BIN is set), and runs
# two passes. Each pass writes a generated world as JSON (the ground truth),
# serves exactly that file with `fakedc serve`, and runs check.py, which
# compares everything Telethon gets against the JSON:
#
#   small   `fakedc world --preset small`: every fixture, one page per chat.
#   paging  the medium preset plus 20 one-message private chats (over 100
#           dialogs): iter_dialogs and iter_messages both have to page.
#
# The server is always stopped. The last line is "N passed, M failed" (all
# passes); the exit status is non-zero on any failure.
#
# Knobs: SEED (world seed, default 1), PASSES (default "small paging"),
# PYTHON (interpreter making the venv, default python3), FAKEDC_BIN (use
# this binary, build nothing), FAKEDC_PROFILE (release, the default, or dev:
# after `cargo test` the dev build is already there; fakedc's dependencies
# are optimised in dev too, and Python is the bottleneck anyway),
# TELETHON_VENV, CHECK_VERBOSE=1 (print every check, not only failures).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/scripts/telethon
SEED=${SEED:-1}
PASSES=${PASSES:-small paging}
venv=${TELETHON_VENV:-target/telethon-venv}

passed=0
failed=0
fail() {
    echo "telethon check: $*" >&2
    echo "$passed passed, $((failed + 1)) failed"
    exit 1
}

# ---- Python environment
if [ ! -x "$venv/bin/python" ]; then
    echo "creating venv $venv" >&2
    "${PYTHON:-python3}" -m venv "$venv" || fail "cannot create a venv with ${PYTHON:-python3}"
fi
stamp="$venv/.tgtakeout-requirements"
if ! cmp -s "$here/requirements.txt" "$stamp"; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" \
        || fail "pip install -r $here/requirements.txt failed"
    cp "$here/requirements.txt" "$stamp"
fi
py=$venv/bin/python

# ---- fakedc
if [ -z "${FAKEDC_BIN:-}" ]; then
    case ${FAKEDC_PROFILE:-release} in
    release) cargo build --release --locked --quiet -p fakedc || fail "cargo build --release -p fakedc failed"
        FAKEDC_BIN=$root/target/release/fakedc ;;
    dev) cargo build --locked --quiet -p fakedc || fail "cargo build -p fakedc failed"
        FAKEDC_BIN=$root/target/debug/fakedc ;;
    *) fail "FAKEDC_PROFILE must be release or dev" ;;
    esac
fi
[ -x "$FAKEDC_BIN" ] || fail "no fakedc binary at $FAKEDC_BIN"

work=$(mktemp -d "${TMPDIR:-/tmp}/telethon-check.XXXXXX")
server=
checker=
stop_checker() {
    if [ -n "$checker" ]; then
        kill -TERM "$checker" 2>/dev/null || true
        wait "$checker" 2>/dev/null || true
        checker=
    fi
}
stop_server() {
    if [ -n "$server" ]; then
        if kill -0 "$server" 2>/dev/null; then
            kill -TERM "$server" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$server" 2>/dev/null || true
        fi
        wait "$server" 2>/dev/null || true
        server=
    fi
}
trap 'stop_checker; stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_pass NAME WORLD_JSON: serve the world, run check.py, add up its counts.
run_pass() {
    local name=$1 world=$2 dir=$work/$1
    "$FAKEDC_BIN" serve --world "$world" --seed "$SEED" --listen 127.0.0.1:0 \
        --session-out "$dir/session.json" >"$dir/server.out" 2>"$dir/server.err" &
    server=$!
    # fakedc prints "session file: ..." once the file is written.
    for _ in $(seq 300); do
        grep -q '^session file:' "$dir/server.out" 2>/dev/null && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q '^session file:' "$dir/server.out"; then
        cat "$dir/server.out" "$dir/server.err" >&2
        fail "[$name] fakedc serve did not start"
    fi
    sed -n '1,2p' "$dir/server.out" | sed "s/^/[$name] /" >&2

    local status=0 start=$SECONDS
    # In the background, so that a signal to this script acts at once (bash
    # runs traps only when a foreground child ends; `wait` is interrupted).
    timeout --kill-after=10 240 "$py" -u "$here/check.py" "$world" "$dir/session.json" \
        >"$dir/check.out" &
    checker=$!
    wait "$checker" || status=$?
    checker=
    stop_server
    sed "s/^/[$name] /" "$dir/check.out"
    local summary
    summary=$(tail -n 1 "$dir/check.out")
    if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        [ "$status" -eq 0 ] || [ "${BASH_REMATCH[2]}" -ne 0 ] || failed=$((failed + 1))
    else
        echo "[$name] check.py ended without a summary (status $status; 124 and up: timed out)" >&2
        failed=$((failed + 1))
    fi
    if [ "$status" -ne 0 ]; then
        echo "[$name] --- fakedc's log (last 40 lines) ---" >&2
        tail -n 40 "$dir/server.err" >&2
    fi
    echo "[$name] $((SECONDS - start)) s" >&2
}

for pass in $PASSES; do
    mkdir -p "$work/$pass"
    case $pass in
    small)
        "$FAKEDC_BIN" world --preset small --seed "$SEED" --out "$work/$pass/world.json" >&2 \
            || fail "fakedc world failed"
        ;;
    paging)
        "$FAKEDC_BIN" world --preset medium --seed "$SEED" --out "$work/$pass/medium.json" >&2 \
            || fail "fakedc world failed"
        "$py" "$here/check.py" augment "$work/$pass/medium.json" "$work/$pass/world.json" 20 \
            || fail "check.py augment failed"
        ;;
    *) fail "unknown pass $pass (small, paging)" ;;
    esac
    run_pass "$pass" "$work/$pass/world.json"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
