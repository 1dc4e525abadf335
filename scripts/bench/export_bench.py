#!/usr/bin/env python3
"""Export benchmark: tgtakeout against Telethon, both exporting from fakedc.

Run through export.sh, which builds the binaries and the venv and passes
their paths. For every world and simulated round trip it runs, each against a
freshly started `fakedc serve` (fresh takeout state):

  tgtakeout export --session S --out FRESH_DIR --all-chats --full-public-chats --no-files --quiet --json
  telethon_export.py S FRESH.sqlite      (Telethon 1.45 + cryptg, capped)

and measures messages stored, wall time and the child's peak RSS (ru_maxrss of
exactly that child, from os.wait4). Then it prints one table and writes it to
OUT/export.txt.

Rates:
  tgtakeout  messages in its store (counted with sqlite3) / wall seconds of the
             whole process (start, connect, takeout, export, finish, exit).
  Telethon   messages in its SQLite / its export seconds (connect to takeout
             finished, interpreter start-up and imports excluded), so the ratio
             errs in Telethon's favour.

Stdlib only; any Python 3.9+ runs it.
"""

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes


def run_measured(argv, stdout_path, stderr_path, timeout, env=None):
    """Run argv to completion; (exit code, wall seconds, peak RSS KiB, cpu
    seconds, timed_out). Peak RSS and CPU are that child's own (os.wait4)."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, start_new_session=True)
        timed_out = []

        def kill():
            timed_out.append(True)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
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
            timer.cancel()
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime, bool(timed_out)


class FakeDc:
    """`fakedc serve` on a free loopback port, for one run."""

    def __init__(self, binary, world, latency_ms, workdir):
        self.session = os.path.join(workdir, "session.json")
        self.out_path = os.path.join(workdir, "fakedc.out")
        self.err_path = os.path.join(workdir, "fakedc.err")
        self.argv = [binary, "serve", "--world", world, "--latency-ms", str(latency_ms),
                     "--listen", "127.0.0.1:0", "--session-out", self.session]
        self.proc = None
        self.world_line = ""
        self.world_messages = None

    def start(self, timeout=180):
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self._out, stderr=self._err, start_new_session=True)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                text = self.stdout()
                if re.search(r"^session file:", text, re.M):
                    m = re.search(r"^world: (.*)$", text, re.M)
                    self.world_line = m.group(1) if m else ""
                    m = re.search(r"(\d+) messages", self.world_line)
                    self.world_messages = int(m.group(1)) if m else None
                    return
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise
        self.stop()
        raise RuntimeError(f"fakedc serve did not start:\n{self.stdout()}\n{self.stderr()[-3000:]}")

    def stdout(self):
        with open(self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self._out.close()
        self._err.close()

    def served(self):
        """(requests by method, errors by name) from the stop report."""
        requests, errors = {}, {}
        for line in self.stdout().splitlines():
            m = re.match(r"^\s+(\d+)\s+error (\S+)$", line)
            if m:
                errors[m.group(2)] = int(m.group(1))
                continue
            m = re.match(r"^\s+(\d+)\s+([a-zA-Z]+\.[a-zA-Z]+|invoke\w+)$", line)
            if m:
                requests[m.group(2)] = int(m.group(1))
        return requests, errors

    def warnings(self):
        return [l for l in self.stderr().splitlines() if re.search(r"\b(WARN|ERROR)\b", l)]


# ---------------------------------------------------------------- stores


def marked_id(peer):
    """tgtakeout's peer key (user1, chat1, channel1) as Telethon's marked id."""
    m = re.fullmatch(r"(user|chat|channel)(\d+)", peer)
    if not m:
        return None
    n = int(m.group(2))
    return {"user": n, "chat": -n, "channel": -(10**12) - n}[m.group(1)]


def tgtakeout_store(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        total = db.execute("SELECT count(*) FROM messages").fetchone()[0]
        per_peer = {marked_id(p): n for p, n in db.execute("SELECT peer, count(*) FROM messages GROUP BY peer")}
        info = {}
        for p, kind, name, left, only_mine in db.execute(
                "SELECT peer, kind, name, left_chat, only_mine FROM dialogs"):
            info[marked_id(p)] = {"peer": p, "kind": kind, "name": name, "left": bool(left), "only_mine": bool(only_mine)}
    finally:
        db.close()
    return total, per_peer, info


def telethon_store(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        total = db.execute("SELECT count(*) FROM messages").fetchone()[0]
        per_peer = dict(db.execute("SELECT peer_id, count(*) FROM messages GROUP BY peer_id"))
        done = {p for (p,) in db.execute("SELECT peer_id FROM dialogs WHERE done = 1")}
    finally:
        db.close()
    return total, per_peer, done


def compare(tg_per_peer, tg_info, te_per_peer, te_done, te_capped):
    """Human-readable notes on where the two stores differ."""
    notes = []
    differ = [(p, tg_per_peer.get(p, 0), te_per_peer.get(p, 0)) for p in sorted(te_done)
              if tg_per_peer.get(p, 0) != te_per_peer.get(p, 0)]
    for p, a, b in differ:
        i = tg_info.get(p, {})
        notes.append(f"chat {i.get('peer', p)} {i.get('name', '')!r}: tgtakeout {a}, Telethon {b}")
    if not te_capped:
        only_tg = [p for p in tg_per_peer if p not in te_per_peer]
        for p in sorted(only_tg):
            i = tg_info.get(p, {})
            why = []
            if i.get("left"):
                why.append("left chat")
            if i.get("only_mine"):
                why.append("own messages only, via messages.search")
            notes.append(f"only tgtakeout has chat {i.get('peer', p)} {i.get('name', '')!r} ({', '.join(why) or 'not in Telethon dialogs'}): "
                         f"{tg_per_peer[p]} messages")
        for p in sorted(p for p in te_per_peer if p not in tg_per_peer):
            notes.append(f"only Telethon has chat {p}: {te_per_peer[p]} messages")
    checked = len(te_done)
    return checked, notes


# ---------------------------------------------------------------- one cell


def bench_tgtakeout(args, world, latency, workdir):
    dc = FakeDc(args.fakedc, world, latency, workdir)
    dc.start()
    out_dir = os.path.join(workdir, "tgtakeout-out")
    try:
        code, wall, rss, cpu, timed_out = run_measured(
            [args.tgtakeout, "export", "--session", dc.session, "--out", out_dir,
             "--all-chats", "--full-public-chats", "--no-files", "--quiet", "--json"],
            os.path.join(workdir, "tgtakeout.json"), os.path.join(workdir, "tgtakeout.err"),
            timeout=args.tgtakeout_timeout)
    finally:
        dc.stop()
    r = {"code": code, "wall": wall, "rss_kib": rss, "cpu": cpu, "timed_out": timed_out,
         "world_messages": dc.world_messages, "world_line": dc.world_line}
    r["requests"], r["errors"] = dc.served()
    r["fakedc_warnings"] = dc.warnings()
    with open(os.path.join(workdir, "tgtakeout.err"), encoding="utf-8", errors="replace") as f:
        r["stderr"] = f.read().strip()
    try:
        with open(os.path.join(workdir, "tgtakeout.json"), encoding="utf-8") as f:
            r["summary"] = json.load(f)
    except (OSError, ValueError):
        r["summary"] = {}
    store = os.path.join(out_dir, "store.sqlite")
    if os.path.exists(store):
        r["messages"], r["per_peer"], r["info"] = tgtakeout_store(store)
    else:
        r["messages"], r["per_peer"], r["info"] = 0, {}, {}
    r["rate"] = r["messages"] / wall if wall > 0 else 0.0
    if not args.keep:
        shutil.rmtree(out_dir, ignore_errors=True)
    return r


def bench_telethon(args, world, latency, workdir):
    dc = FakeDc(args.fakedc, world, latency, workdir)
    dc.start()
    db = os.path.join(workdir, "telethon.sqlite")
    env = dict(os.environ, TELETHON_CAP_SECS=str(args.telethon_cap))
    try:
        code, wall, rss, cpu, timed_out = run_measured(
            [args.python, "-u", args.telethon_script, dc.session, db],
            os.path.join(workdir, "telethon.json"), os.path.join(workdir, "telethon.err"),
            timeout=args.telethon_cap + 120, env=env)
    finally:
        dc.stop()
    r = {"code": code, "wall": wall, "rss_kib": rss, "cpu": cpu, "timed_out": timed_out}
    r["requests"], r["errors"] = dc.served()
    r["fakedc_warnings"] = dc.warnings()
    with open(os.path.join(workdir, "telethon.err"), encoding="utf-8", errors="replace") as f:
        r["stderr"] = f.read().strip()
    try:
        with open(os.path.join(workdir, "telethon.json"), encoding="utf-8") as f:
            r["report"] = json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        r["report"] = {}
    if os.path.exists(db):
        r["messages"], r["per_peer"], r["done"] = telethon_store(db)
    else:
        r["messages"], r["per_peer"], r["done"] = 0, {}, set()
    secs = r["report"].get("seconds") or wall
    r["seconds"] = secs
    r["rate"] = r["messages"] / secs if secs > 0 else 0.0
    r["capped"] = bool(r["report"].get("capped"))
    if not args.keep:
        try:
            os.remove(db)
        except OSError:
            pass
    return r


# ---------------------------------------------------------------- output


def mb(kib):
    return kib / 1024.0


def table(rows):
    head = ["world", "RTT", "tgtakeout msgs/s", "tgtakeout peak RSS MB",
            "Telethon msgs/s", "Telethon peak RSS MB", "ratio"]
    body = []
    for world, latency, tg, te in rows:
        te_rate = f"{te['rate']:,.0f}" + (" (capped)" if te["capped"] else "") if te else "-"
        te_rss = f"{mb(te['rss_kib']):.1f}" if te else "-"
        ratio = f"{tg['rate'] / te['rate']:.1f}x" if te and te["rate"] > 0 else "-"
        body.append([world, f"{latency} ms", f"{tg['rate']:,.0f}", f"{mb(tg['rss_kib']):.1f}", te_rate, te_rss, ratio])
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    lines = [fmt(head), "  ".join("-" * w for w in widths)] + [fmt(r) for r in body]
    return "\n".join(lines)


MAX_NOTES = 12


def mismatches(rows):
    """One line per cell where the two stores disagree on a chat both finished."""
    out = []
    for world, latency, tg, te in rows:
        if not te:
            continue
        diff = [p for p in te["done"] if tg["per_peer"].get(p, 0) != te["per_peer"].get(p, 0)]
        if diff:
            a = sum(tg["per_peer"].get(p, 0) for p in diff)
            b = sum(te["per_peer"].get(p, 0) for p in diff)
            out.append(f"COUNT MISMATCH {world} @ {latency} ms: in {len(diff)} chats both exported, "
                       f"tgtakeout stored {a:,} messages and Telethon {b:,} ({a - b:+,}); rates are as measured")
        elif te["capped"]:
            # A capped run compares only the chats it finished (the newest);
            # check the total against an uncapped Telethon run of the same world.
            full = next((t for w, l, _, t in rows if w == world and t and not t["capped"]), None)
            if full and full["messages"] != tg["messages"]:
                out.append(f"COUNT MISMATCH {world} @ {latency} ms: tgtakeout stored {tg['messages']:,} messages, "
                           f"Telethon's uncapped export of the same world {full['messages']:,} "
                           f"({tg['messages'] - full['messages']:+,})")
    return out


def details(rows):
    lines = []
    for world, latency, tg, te in rows:
        lines.append(f"{world} @ {latency} ms (world: {tg['world_line']})")
        s = tg["summary"]
        lines.append(f"  tgtakeout: {tg['messages']:,} messages in {tg['wall']:.2f} s wall "
                     f"(its own timer {s.get('seconds', 0):.2f} s; JSON messages_total {s.get('messages_total', '?')}), "
                     f"CPU {tg['cpu']:.2f} s, peak RSS {mb(tg['rss_kib']):.1f} MB, exit {tg['code']}; "
                     f"fakedc served {tg['requests'].get('messages.getHistory', 0):,} getHistory, "
                     f"{tg['requests'].get('messages.search', 0):,} search")
        if te:
            rep = te["report"]
            lines.append(f"  Telethon {rep.get('telethon', '?')} ({rep.get('crypto', '?')}): {te['messages']:,} messages in "
                         f"{te['seconds']:.2f} s of export ({te['wall']:.2f} s wall with start-up), "
                         f"{rep.get('dialogs_done', '?')} dialogs done, CPU {te['cpu']:.2f} s, "
                         f"peak RSS {mb(te['rss_kib']):.1f} MB (own ru_maxrss {mb(rep.get('peak_rss_kib', 0)):.1f} MB), exit {te['code']}; "
                         f"fakedc served {te['requests'].get('messages.getHistory', 0):,} getHistory"
                         + (f"; CAPPED at {rep.get('cap_secs', 0):.0f} s: rate so far" if te["capped"] else ""))
        for who, r in (("tgtakeout", tg), ("Telethon", te)):
            if not r:
                continue
            if r["errors"]:
                lines.append(f"  {who}: fakedc answered errors: " + ", ".join(f"{k} x{v}" for k, v in sorted(r["errors"].items())))
            if r["code"] != 0 or r["timed_out"]:
                lines.append(f"  {who}: FAILED (exit {r['code']}{', killed at timeout' if r['timed_out'] else ''}): {r['stderr'][-1500:]}")
            elif r["stderr"]:
                lines.append(f"  {who} stderr: {r['stderr'][-800:]}")
            if r["fakedc_warnings"]:
                lines.append(f"  {who}: fakedc logged {len(r['fakedc_warnings'])} warnings, first: {r['fakedc_warnings'][0][:300]}")
        s = tg["summary"]
        if s and s.get("messages_total") != tg["messages"]:
            lines.append(f"  MISMATCH: tgtakeout's JSON says {s.get('messages_total')} messages, its store holds {tg['messages']}")
        if tg["wall"] > 300:
            lines.append(f"  NOTE: the tgtakeout run took {tg['wall']:.0f} s (over 5 min)")
        if te:
            checked, notes = compare(tg["per_peer"], tg["info"], te["per_peer"], te["done"], te["capped"])
            if te["capped"]:
                lines.append(f"  per-chat counts: {checked} chats Telethon finished before the cap compared with tgtakeout's")
            else:
                diff = tg["messages"] - te["messages"]
                lines.append(f"  per-chat counts: all {checked} chats compared; tgtakeout {tg['messages']:,} vs Telethon "
                             f"{te['messages']:,} (difference {diff:+,})")
            if notes:
                shown = notes if len(notes) <= MAX_NOTES else notes[:MAX_NOTES] + [f"... and {len(notes) - MAX_NOTES} more chats"]
                lines.extend("    " + n for n in shown)
            else:
                lines.append("    identical")
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fakedc", required=True)
    ap.add_argument("--tgtakeout", required=True)
    ap.add_argument("--python", required=True, help="interpreter with telethon and cryptg")
    ap.add_argument("--telethon-script", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "telethon_export.py"))
    ap.add_argument("--worlds", default="medium,large")
    ap.add_argument("--latencies", default="0,50")
    ap.add_argument("--telethon-cap", type=float, default=float(os.environ.get("TELETHON_CAP_SECS", "180")))
    ap.add_argument("--tgtakeout-timeout", type=float, default=900)
    ap.add_argument("--no-telethon", action="store_true")
    ap.add_argument("--out", default="target/bench")
    ap.add_argument("--keep", action="store_true", help="keep the stores under OUT/work")
    args = ap.parse_args()

    # SIGTERM unwinds like Ctrl-C, so that every fakedc and exporter is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.makedirs(args.out, exist_ok=True)
    work_root = os.path.join(args.out, "work")
    shutil.rmtree(work_root, ignore_errors=True)
    rows = []
    t_start = time.monotonic()
    for world in args.worlds.split(","):
        for latency in [int(x) for x in args.latencies.split(",")]:
            cell = os.path.join(work_root, f"{world}-{latency}ms")
            os.makedirs(os.path.join(cell, "tgtakeout"))
            log(f"[{world} @ {latency} ms] tgtakeout ...")
            tg = bench_tgtakeout(args, world, latency, os.path.join(cell, "tgtakeout"))
            log(f"[{world} @ {latency} ms] tgtakeout: {tg['messages']:,} messages in {tg['wall']:.2f} s "
                f"= {tg['rate']:,.0f} msgs/s, peak RSS {mb(tg['rss_kib']):.1f} MB (exit {tg['code']})")
            te = None
            if not args.no_telethon:
                os.makedirs(os.path.join(cell, "telethon"))
                log(f"[{world} @ {latency} ms] Telethon (cap {args.telethon_cap:.0f} s) ...")
                te = bench_telethon(args, world, latency, os.path.join(cell, "telethon"))
                log(f"[{world} @ {latency} ms] Telethon: {te['messages']:,} messages in {te['seconds']:.2f} s "
                    f"= {te['rate']:,.0f} msgs/s{' (capped)' if te['capped'] else ''}, "
                    f"peak RSS {mb(te['rss_kib']):.1f} MB (exit {te['code']})")
            rows.append((world, latency, tg, te))

    cap_note = (f"Telethon runs stop after {args.telethon_cap:.0f} s (TELETHON_CAP_SECS); a capped rate is the rate so far."
                if not args.no_telethon else "Telethon not run.")
    text = "\n".join([
        "tgtakeout export benchmark: fakedc worlds into the store (--all-chats --full-public-chats --no-files), "
        "against Telethon iter_messages into SQLite",
        f"host: {os.cpu_count()} CPUs; {cap_note}",
        "tgtakeout rate = messages in store / process wall time; Telethon rate = messages in SQLite / its export time "
        "(start-up excluded); ratio = tgtakeout / Telethon. Peak RSS = the exporter process's ru_maxrss.",
        "",
        table(rows),
        "",
        *([*mismatches(rows), ""] if mismatches(rows) else []),
        details(rows),
        "",
        f"total benchmark time {time.monotonic() - t_start:.0f} s",
    ])
    print(text, flush=True)
    with open(os.path.join(args.out, "export.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    log(f"written to {os.path.join(args.out, 'export.txt')}")
    failed = any(tg["code"] != 0 or (te and te["code"] != 0) for _, _, tg, te in rows)
    if failed:
        log(f"a run failed: logs kept in {work_root}")
    elif not args.keep:
        shutil.rmtree(work_root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
