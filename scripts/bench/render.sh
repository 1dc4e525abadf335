#!/usr/bin/env bash
# Render benchmark: time and peak RSS of `tgtakeout render` for result.json
# and for the HTML archive, separately, from a store of ~1,000,000 messages.
#
#   bash scripts/bench/render.sh
#
# Builds release fakedc and tgtakeout, exports fakedc's `large` world
# (~1M messages, no files) once into target/bench/render/store.sqlite (kept
# and reused by later runs; delete it to rebuild), then renders it RUNS
# times per format, measuring wall time and the child's peak RSS (wait4
# rusage, from Python's stdlib), prints one table and writes it to
# target/bench/render.txt.
# Knobs: WORLD (default large), RUNS (default 3; the best time is reported).
# Goal: result.json at >= 200,000 messages/s, peak RSS < 100 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
world=${WORLD:-large}
runs=${RUNS:-3}
work=$root/target/bench/render
mkdir -p "$work"
echo "building release fakedc and tgtakeout" >&2
cargo build --release --locked --quiet -p fakedc -p tgtakeout
fakedc=$root/target/release/fakedc
tg=$root/target/release/tgtakeout
store=$work/store-$world.sqlite

if [ ! -f "$store" ]; then
    echo "exporting the $world world once (kept in $store)" >&2
    rm -rf "$work/export"
    mkdir -p "$work/export"
    log=$work/fakedc.log
    "$fakedc" serve --world "$world" --listen 127.0.0.1:0 --session-out "$work/session.json" >"$log" 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    for _ in $(seq 1 600); do grep -q "session file" "$log" && break; sleep 0.5; done
    "$tg" export --session "$work/session.json" --out "$work/export" --all-chats --full-public-chats --no-files --format none --quiet
    kill $pid; wait $pid 2>/dev/null || true
    trap - EXIT
    mv "$work/export/store.sqlite" "$store"
fi

python3 - "$tg" "$store" "$work" "$runs" <<'PY'
import json, os, resource, shutil, subprocess, sys, time
tg, store, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def one(fmt):
    out = os.path.join(work, "out-" + fmt)
    shutil.rmtree(out, ignore_errors=True)
    t = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.execv(tg, [tg, "render", "--store", store, "--out", out, "--format", fmt, "--utc", "--quiet"])
    _, status, ru = os.wait4(pid, 0)
    secs = time.monotonic() - t
    assert os.WEXITSTATUS(status) == 0, f"render {fmt} failed"
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    return secs, ru.ru_maxrss / 1024, size
rows = []
for fmt in ("json", "html"):
    best = None
    for _ in range(runs):
        r = one(fmt)
        best = r if best is None or r[0] < best[0] else (best[0], max(best[1], r[1]), best[2])
    rows.append((fmt, best))
n = int(subprocess.run(["sqlite3", store, "select count(*) from messages"], capture_output=True, text=True).stdout or 0) if shutil.which("sqlite3") else None
if n is None:
    import sqlite3
    n = sqlite3.connect(store).execute("select count(*) from messages").fetchone()[0]
lines = [f"store: {store} ({n} messages), best of {runs} runs, {os.cpu_count()} cpus",
         f"{'format':<8}{'seconds':>10}{'msgs/s':>12}{'peak RSS MB':>14}{'output MB':>12}"]
for fmt, (secs, rss, size) in rows:
    lines.append(f"{fmt:<8}{secs:>10.2f}{n/secs:>12,.0f}{rss:>14.1f}{size/1e6:>12.1f}")
text = "\n".join(lines)
print(text)
open(os.path.join(os.path.dirname(work), "render.txt"), "w").write(text + "\n")
PY
