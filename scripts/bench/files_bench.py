#!/usr/bin/env python3
"""Files benchmark: tgtakeout's downloader against grammers' download_media
and Telethon's download_media (one file at a time), all downloading the
same ~1,000 files from fakedc, at each simulated round trip.

Run through files.sh, which builds the binaries and the venv and passes
their paths. Steps:

1. The world: `fakedc world --preset files --seed SEED`, with every file
   moved to dc 2 (the JSON's dc_id fields), because fakedc serves one dc
   here and Telethon cannot sign in to another fakedc dc (fakedc does no key
   exchange); served as a world file. Expected files and bytes are summed
   from that JSON: each message's photo (largest size) or document, in every
   chat that is a dialog.
2. The ceiling: a fresh fakedc at 0 ms and
   `grammers_download --ceiling SECS` (one connection, 8 requests of
   512 KiB in flight, nothing else to do), as `cargo bench -p fakedc --bench
   serve` measures it, in this run on this machine.
3. Per round trip, each client against its own freshly started `fakedc serve
   --world W --latency-ms L`:
     tgtakeout export --session S --out FRESH --all-chats --full-public-chats
         --no-left-chats --no-profile-photos --no-stories --no-contacts
         --max-file-size 64MB [--media ...] --quiet --json    (TGTAKEOUT_ARGS overrides)
     grammers_download S FRESH CAP
     telethon_files.py S FRESH          (TELETHON_CAP_SECS=CAP)
   measuring the child's wall time and peak RSS (os.wait4 ru_maxrss), and
   the file bytes fakedc served it (its stop report).

Rates are MB/s (10^6 bytes): tgtakeout: media bytes on disk / process wall
time (start-up, messages and finish included); grammers and Telethon: bytes
on disk / their own timer (client start to the last file; Telethon's excludes
interpreter start-up). A capped run (the CAP seconds passed) reports the rate
of what it did. Stdlib only.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_bench import FakeDc  # noqa: E402  (same directory)


def log(msg):
    print(msg, file=sys.stderr, flush=True)




# ---------------------------------------------------------------- world


def make_world(args, work):
    """Writes the benchmark world; returns (path, expected files, expected bytes)."""
    raw = os.path.join(work, "files-world.json")
    subprocess.run([args.fakedc, "world", "--preset", "files", "--seed", str(args.seed), "--out", raw],
                   check=True, stdout=subprocess.DEVNULL)
    with open(raw, encoding="utf-8") as f:
        world = json.load(f)

    def rehome(o):
        if isinstance(o, dict):
            if "dc_id" in o and ("sizes" in o or "mime_type" in o):
                o["dc_id"] = 2
            for v in o.values():
                rehome(v)
        elif isinstance(o, list):
            for v in o:
                rehome(v)

    for key in ("messages", "profile_photos", "stories"):
        rehome(world.get(key, []))
    left = {c["id"] for c in world["chats"] if c.get("left")}
    files = nbytes = 0
    sizes = []
    for m in world["messages"]:
        if m["peer"]["type"] != "user" and m["peer"]["id"] in left:
            continue
        media = m.get("media") or {}
        size = None
        if "sizes" in media:
            size = max(s["size"] for s in media["sizes"])
        elif "mime_type" in media:
            size = media["size"]
        if size is not None:
            files += 1
            nbytes += size
            sizes.append(size)
    path = os.path.join(work, "files-world-dc2.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(world, f)
    os.remove(raw)
    sizes.sort()
    return path, files, nbytes, sizes


def media_json_keys_ok(path):
    """The world format names media as this script expects (guards the rehoming)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return '"dc_id": 2' in text or '"dc_id":2' in text


# ---------------------------------------------------------------- measuring


def run_measured(argv, stdout_path, stderr_path, timeout, env=None):
    """Run argv to completion; (exit code, wall seconds, peak RSS KiB, CPU
    seconds, timed out). Peak RSS is the highest VmHWM read from /proc every
    20 ms: ru_maxrss from wait4 cannot be used, because Linux carries the
    forking parent's RSS (this driver's, tens of MB with the world loaded)
    into the child's high-water mark across exec."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, start_new_session=True)
        peak = [0]
        done = threading.Event()

        def poll():
            path = f"/proc/{proc.pid}/status"
            while not done.is_set():
                try:
                    with open(path) as f:
                        m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
                    if m:
                        peak[0] = max(peak[0], int(m.group(1)))
                except OSError:
                    pass
                if time.monotonic() - t0 > timeout:
                    timed_out.append(True)
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    return
                done.wait(0.02)

        timed_out = []
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): take the child down with us.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(proc.pid, 0)
            raise
        finally:
            done.set()
            poller.join()
        wall = time.monotonic() - t0
    return os.waitstatus_to_exitcode(status), wall, peak[0] or ru.ru_maxrss, ru.ru_utime + ru.ru_stime, bool(timed_out)


def file_bytes_served(dc):
    m = re.search(r"bytes served \((\d+) in file parts\)", dc.stdout())
    return int(m.group(1)) if m else 0


def disk_usage(root, skip_top_level=False):
    """(files, bytes) under root, each inode once (hard links are one file);
    with skip_top_level, files directly in root (the store, result.json)
    are not counted."""
    seen = set()
    files = nbytes = 0
    for dirpath, _, names in os.walk(root):
        if skip_top_level and os.path.abspath(dirpath) == os.path.abspath(root):
            continue
        for n in names:
            st = os.lstat(os.path.join(dirpath, n))
            if not os.path.isfile(os.path.join(dirpath, n)) or (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            files += 1
            nbytes += st.st_size
    return files, nbytes


def run_client(args, name, world, latency, cell, argv_of, env=None, timeout=None):
    workdir = os.path.join(cell, name)
    os.makedirs(workdir)
    dc = FakeDc(args.fakedc, world, latency, workdir)
    dc.start()
    out_dir = os.path.join(workdir, "out")
    try:
        code, wall, rss, cpu, timed_out = run_measured(
            argv_of(dc.session, out_dir), os.path.join(workdir, "stdout"), os.path.join(workdir, "stderr"),
            timeout=timeout or args.cap + 300, env=env)
    finally:
        dc.stop()
    r = {"name": name, "code": code, "wall": wall, "rss_kib": rss, "cpu": cpu, "timed_out": timed_out}
    r["requests"], r["errors_served"] = dc.served()
    r["served"] = file_bytes_served(dc)
    r["fakedc_warnings"] = dc.warnings()
    with open(os.path.join(workdir, "stderr"), encoding="utf-8", errors="replace") as f:
        r["stderr"] = f.read().strip()
    with open(os.path.join(workdir, "stdout"), encoding="utf-8", errors="replace") as f:
        lines = f.read().strip().splitlines()
    try:
        r["report"] = json.loads(lines[-1]) if lines else {}
    except ValueError:
        r["report"] = {}
    if not isinstance(r["report"], dict):
        r["report"] = {}
    r["disk_files"], r["disk_bytes"] = disk_usage(out_dir, skip_top_level=(name == "tgtakeout")) \
        if os.path.isdir(out_dir) else (0, 0)
    if not args.keep:
        shutil.rmtree(out_dir, ignore_errors=True)
    return r


def bench_cell(args, world, latency, cell):
    """Every client `args.repeat` times, interleaved (the machine's load
    changes over minutes); per client, the run with the median rate, its
    peak RSS raised to the highest of all its runs, and every rate."""
    runs = {}
    tg_args = args.tgtakeout_args.split()
    for rep in range(args.repeat):
        tag = f" (run {rep + 1} of {args.repeat})" if args.repeat > 1 else ""
        rcell = os.path.join(cell, f"run{rep + 1}")
        log(f"[{latency} ms] tgtakeout{tag} ...")
        r = run_client(
            args, "tgtakeout", world, latency, rcell,
            lambda s, out: [args.tgtakeout, "export", "--session", s, "--out", out, *tg_args],
            timeout=args.tgtakeout_timeout)
        r["seconds"], r["capped"] = r["wall"], False
        runs.setdefault("tgtakeout", []).append(r)
        log_row(latency, r)

        log(f"[{latency} ms] grammers download_media, one file at a time (cap {args.cap:.0f} s){tag} ...")
        r = run_client(
            args, "grammers", world, latency, rcell,
            lambda s, out: [args.grammers, s, out, str(args.cap)])
        r["seconds"] = r["report"].get("seconds") or r["wall"]
        r["capped"] = bool(r["report"].get("capped"))
        runs.setdefault("grammers", []).append(r)
        log_row(latency, r)

        if not args.no_telethon:
            log(f"[{latency} ms] Telethon download_media, one file at a time (cap {args.cap:.0f} s){tag} ...")
            env = dict(os.environ, TELETHON_CAP_SECS=str(args.cap))
            r = run_client(
                args, "telethon", world, latency, rcell,
                lambda s, out: [args.python, "-u", args.telethon_script, s, out], env=env)
            r["seconds"] = r["report"].get("seconds") or r["wall"]
            r["capped"] = bool(r["report"].get("capped"))
            runs.setdefault("telethon", []).append(r)
            log_row(latency, r)
    rows = {}
    for key, rs in runs.items():
        for r in rs:
            r["rate"] = r["disk_bytes"] / r["seconds"] / 1e6 if r["seconds"] > 0 else 0.0
        by_rate = sorted(rs, key=lambda r: r["rate"])
        median = dict(by_rate[len(by_rate) // 2])
        median["rss_kib"] = max(r["rss_kib"] for r in rs)
        median["all_rates"] = [r["rate"] for r in rs]
        median["all_runs"] = rs
        rows[key] = median
    return rows


def log_row(latency, r):
    log(f"[{latency} ms] {r['name']}: {r['disk_files']} files, {r['disk_bytes']:,} bytes on disk "
        f"({r['served']:,} file bytes served) in {r.get('seconds', r['wall']):.1f} s, "
        f"peak RSS {r['rss_kib'] / 1024:.1f} MB, exit {r['code']}")


# ---------------------------------------------------------------- output


def table(results, ceiling):
    head = ["RTT", "client", "files", "MB downloaded", "seconds", "MB/s", "peak RSS MB", "tgtakeout is"]
    body = []
    for latency, rows in results:
        tg = rows["tgtakeout"]
        for key in ("tgtakeout", "grammers", "telethon"):
            r = rows.get(key)
            if not r:
                continue
            label = {"tgtakeout": "tgtakeout export",
                     "grammers": "grammers download_media (sequential)",
                     "telethon": "Telethon download_media (sequential, cryptg)"}[key]
            if key == "tgtakeout":
                vs = f"{tg['rate'] / ceiling:.0%} of ceiling" if latency == 0 and ceiling else ""
            else:
                vs = f"{tg['rate'] / r['rate']:.1f}x" if r["rate"] > 0 else "-"
            body.append([f"{latency} ms", label, f"{r['disk_files']}", f"{r['disk_bytes'] / 1e6:,.1f}",
                         f"{r['seconds']:.1f}", f"{r['rate']:.1f}" + (" (capped)" if r["capped"] else ""),
                         f"{r['rss_kib'] / 1024:.1f}", vs])
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(head), "  ".join("-" * w for w in widths)] + [fmt(r) for r in body])


def checks(results, want_files, want_bytes):
    lines = []
    for latency, rows in results:
        for key, r in [(k, run) for k, m in rows.items() for run in m["all_runs"]]:
            problems = []
            rep = r["report"]
            if r["code"] != 0 or r["timed_out"]:
                problems.append(f"FAILED (exit {r['code']}{', killed at timeout' if r['timed_out'] else ''}): "
                                f"{r['stderr'][-1500:]}")
            if rep.get("errors"):
                problems.append(f"{rep['errors']} file errors, first: {rep.get('first_error', '')}")
            if key == "tgtakeout":
                # tgtakeout may also write thumbnails; every message file must be there.
                if r["disk_bytes"] < want_bytes or r["disk_files"] < want_files:
                    problems.append(f"BYTE COUNT MISMATCH: {r['disk_files']} files, {r['disk_bytes']:,} bytes on disk; "
                                    f"the world has {want_files} files, {want_bytes:,} bytes")
            elif not r["capped"] and (r["disk_files"], r["disk_bytes"]) != (want_files, want_bytes):
                problems.append(f"BYTE COUNT MISMATCH: {r['disk_files']} files, {r['disk_bytes']:,} bytes; "
                                f"the world has {want_files} files, {want_bytes:,} bytes")
            refetched = r["served"] - r["disk_bytes"]
            if refetched > 0.01 * max(r["disk_bytes"], 1):
                problems.append(f"fakedc served {r['served']:,} file bytes, {refetched:,} more than on disk")
            errs = ", ".join(f"{k} x{v}" for k, v in sorted(r["errors_served"].items()))
            detail = (f"  {latency} ms {key}: wall {r['wall']:.1f} s, CPU {r['cpu']:.1f} s, "
                      f"{r['requests'].get('upload.getFile', 0):,} upload.getFile, "
                      f"{r['served']:,} file bytes served" + (f"; fakedc answered errors: {errs}" if errs else ""))
            lines.append(detail)
            if r["fakedc_warnings"]:
                lines.append(f"    fakedc logged {len(r['fakedc_warnings'])} warnings, first: {r['fakedc_warnings'][0][:300]}")
            lines.extend("    " + p for p in problems)
            if key == "tgtakeout" and not problems:
                lines.append(f"    all {want_files} message files present ({r['disk_files']} files on disk)")
            elif not problems and not r["capped"]:
                lines.append(f"    exactly the world's {want_files} files and {want_bytes:,} bytes")
    return lines


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fakedc", required=True)
    ap.add_argument("--tgtakeout", required=True)
    ap.add_argument("--grammers", required=True, help="the grammers_download example binary")
    ap.add_argument("--python", required=True, help="interpreter with telethon and cryptg")
    ap.add_argument("--telethon-script", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "telethon_files.py"))
    ap.add_argument("--tgtakeout-args", default="")
    ap.add_argument("--latencies", default="0,50")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cap", type=float, default=180, help="seconds after which grammers and Telethon start no new file")
    ap.add_argument("--tgtakeout-timeout", type=float, default=900)
    ap.add_argument("--ceiling-secs", type=float, default=5)
    ap.add_argument("--repeat", type=int, default=1, help="runs of every client per round trip (median reported)")
    ap.add_argument("--no-telethon", action="store_true")
    ap.add_argument("--out", default="target/bench")
    ap.add_argument("--keep", action="store_true", help="keep every download under OUT/files-work")
    args = ap.parse_args()
    if not args.tgtakeout_args:
        args.tgtakeout_args = default_tgtakeout_args(args.tgtakeout)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.makedirs(args.out, exist_ok=True)
    work = os.path.join(args.out, "files-work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    t_start = time.monotonic()

    world, want_files, want_bytes, sizes = make_world(args, work)
    if not media_json_keys_ok(world):
        raise SystemExit("the world JSON has no dc_id 2 after rehoming: has docs/world-format.md changed?")
    log(f"world: fakedc files preset, seed {args.seed}: {want_files} files, {want_bytes:,} bytes")

    log(f"ceiling: grammers, 1 connection, 8 x 512 KiB getFile in flight, {args.ceiling_secs:.0f} s ...")
    cdir = os.path.join(work, "ceiling")
    os.makedirs(cdir)
    ceilings = []
    for rep in range(args.repeat):
        rdir = os.path.join(cdir, f"run{rep + 1}")
        os.makedirs(rdir)
        dc = FakeDc(args.fakedc, world, 0, rdir)
        dc.start()
        try:
            out = subprocess.run([args.grammers, "--ceiling", str(args.ceiling_secs), dc.session],
                                 check=True, capture_output=True, text=True).stdout
        finally:
            dc.stop()
        ceilings.append(json.loads(out.strip().splitlines()[-1])["ceiling_mb_s"])
        log(f"ceiling: {ceilings[-1]:.1f} MB/s")
    ceiling = sorted(ceilings)[len(ceilings) // 2]

    results = []
    for latency in [int(x) for x in args.latencies.split(",")]:
        cell = os.path.join(work, f"{latency}ms")
        results.append((latency, bench_cell(args, world, latency, cell)))

    n = len(sizes)
    text = "\n".join([
        "tgtakeout files benchmark: fakedc's files world, every message file, against grammers' and Telethon's "
        "download_media one file at a time",
        f"world: files preset, seed {args.seed}, every file on dc 2: {want_files} files, {want_bytes:,} bytes "
        f"({want_bytes / 1e6:,.1f} MB); smallest {sizes[0]:,} B, median {sizes[n // 2]:,} B, "
        f"largest {sizes[-1]:,} B; {sum(1 for s in sizes if s > 10_000_000)} over 10 MB",
        f"host: {os.cpu_count()} CPUs (client and server share them); MB = 10^6 bytes",
        f"tgtakeout: {os.path.basename(args.tgtakeout)} export {args.tgtakeout_args}",
        f"grammers and Telethon start no new file after {args.cap:.0f} s; a capped rate is the rate of what they did.",
        "tgtakeout's MB/s = media bytes on disk / process wall time; the others' = bytes on disk / their own timer.",
        "",
        f"fakedc serving ceiling, this run: {ceiling:.1f} MB/s (1 grammers connection, 8 x 512 KiB upload.getFile "
        f"in flight, {args.ceiling_secs:.0f} s, 0 ms" + (f"; median of {', '.join(f'{c:.1f}' for c in ceilings)})"
                                                          if len(ceilings) > 1 else ")"),
        "fakedc serving ceiling, last measured by `cargo bench -p fakedc --bench serve` (scripts/bench/README.md): "
        "165-235 MB/s with 512 KiB parts",
        "",
        table(results, ceiling),
        *([f"{args.repeat} runs per client and round trip, interleaved; the table shows the median run "
           "(peak RSS: the highest of all runs). Every run's MB/s:"]
          + [f"  {lat} ms {k}: " + ", ".join(f"{x:.1f}" for x in m["all_rates"]) for lat, rows in results
             for k, m in rows.items()] if args.repeat > 1 else []),
        "",
        "checks:",
        *checks(results, want_files, want_bytes),
        "",
        f"total benchmark time {time.monotonic() - t_start:.0f} s",
    ])
    print(text, flush=True)
    with open(os.path.join(args.out, "files.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    log(f"written to {os.path.join(args.out, 'files.txt')}")
    failed = any(r["code"] != 0 for _, rows in results for r in rows.values())
    if failed:
        log(f"a run failed: logs kept in {work}")
    elif not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def default_tgtakeout_args(binary):
    """Every chat and every message media kind, nothing else (no left chats,
    profile photos, stories or contacts, which the other clients do not
    fetch), files up to 64 MB. `--media` only if this tgtakeout has it."""
    base = ("--all-chats --full-public-chats --no-left-chats --no-profile-photos --no-stories --no-contacts "
            "--max-file-size 64MB")
    help_text = subprocess.run([binary, "export", "--help"], capture_output=True, text=True).stdout
    if "--media" in help_text:
        base += " --media all"
    return base + " --quiet --json"


if __name__ == "__main__":
    sys.exit(main())
