#!/usr/bin/env python3
"""Telethon 1.45 against fakedc: every count and byte must match the world.

Usage: check.py WORLD_JSON SESSION_JSON
       check.py augment IN_JSON OUT_JSON N

WORLD_JSON is the ground truth (`fakedc world --out`), SESSION_JSON the
session file `fakedc serve --session-out` wrote (docs/session-file.md).
Prints one line per failed check (every check with CHECK_VERBOSE=1), a
summary, and last a line `N passed, M failed`. Exit status 0 only when
nothing failed.

`augment` writes a copy of a world with N more private chats of one message
each, dated after everything else: enough of them push the dialog list past
Telethon's page of 100, so iter_dialogs has to page.
"""

import asyncio
import json
import os
import sys
import time
import traceback

import telethon
from telethon import TelegramClient, errors, functions, types
from telethon.crypto import AuthKey
from telethon.sessions import StringSession

# Telethon has no request timeout: a request fakedc never answers would hang
# forever. Every step runs under one of these.
STEP_TIMEOUT = 60
TOTAL_TIMEOUT = 150

# ---------------------------------------------------------------- file bytes
# The derivation of docs/world-format.md, "File contents".
M = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def hash_words(words):
    h = GOLDEN
    for w in words:
        h = mix(h ^ (w & M))
    return h


def file_seed(world_seed, kind, file_id, letter=None):
    return hash_words([world_seed, kind, file_id, ord(letter) if letter else 0])


def file_bytes(seed, size):
    out = bytearray()
    for i in range((size + 7) // 8):
        out += mix((seed + (i + 1) * GOLDEN) & M).to_bytes(8, "little")
    return bytes(out[:size])


assert file_bytes(file_seed(42, 2, 5001), 8).hex() == "ee66871765926bae"

# ---------------------------------------------------------------- checks


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    verbose = os.environ.get("CHECK_VERBOSE", "") not in ("", "0")

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            if self.verbose:
                print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok

    def equal(self, name, got, want):
        return self.check(got == want, name, f"got {short(got)}, want {short(want)}")


def short(v, n=300):
    s = repr(v)
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


def first_diff(got, want):
    """Describe where two lists first differ."""
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"first difference at index {i}: got {short(g)}, want {short(w)}; lengths {len(got)} vs {len(want)}"
    return f"lengths {len(got)} vs {len(want)}"


# ---------------------------------------------------------------- the world


class World:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            w = json.load(f)
        self.seed = w.get("seed", 0)
        self.self_id = w["self_id"]
        self.users = {u["id"]: u for u in w["users"]}
        self.chats = {c["id"]: c for c in w.get("chats", [])}
        # Histories in order of first appearance (fakedc's tie-break for
        # dialogs with the same top date), messages ascending by id.
        self.histories = {}
        for m in w.get("messages", []):
            key = (m["peer"]["type"], m["peer"]["id"])
            self.histories.setdefault(key, []).append(m)
        for msgs in self.histories.values():
            msgs.sort(key=lambda m: m["id"])

    def is_dialog(self, key):
        kind, pid = key
        if kind == "user":
            return pid in self.users
        # A basic group upgraded to a supergroup stays a dialog (deactivated,
        # with migrated_to), as Telegram lists it.
        c = self.chats.get(pid)
        return c is not None and not c.get("left")

    def dialogs(self):
        """docs/fakedc.md: every history but those of chats the account
        left, newest top message first, ties in history order."""
        order = []
        for slot, (key, msgs) in enumerate(self.histories.items()):
            if msgs and self.is_dialog(key):
                order.append((-msgs[-1]["date"], slot, key))
        order.sort()
        return [key for _, _, key in order]

    def chat_title(self, key):
        kind, pid = key
        if kind == "user":
            if pid == self.self_id:
                return "Saved Messages"
            u = self.users[pid]
            return (u.get("first_name", "") + " " + u.get("last_name", "")).strip() or "(deleted)"
        return self.chats[pid]["title"]


def peer_key(peer):
    if isinstance(peer, types.PeerUser):
        return ("user", peer.user_id)
    if isinstance(peer, types.PeerChat):
        return ("chat", peer.chat_id)
    if isinstance(peer, types.PeerChannel):
        return ("channel", peer.channel_id)
    raise TypeError(f"not a peer: {peer!r}")


def input_peer(world, key):
    kind, pid = key
    if kind == "user":
        if pid == world.self_id:
            return types.InputPeerSelf()
        return types.InputPeerUser(pid, world.users[pid]["access_hash"])
    if kind == "chat":
        return types.InputPeerChat(pid)
    return types.InputPeerChannel(pid, world.chats[pid]["access_hash"])


# ---------------------------------------------------------------- comparing


def telethon_row(m):
    """What we compare of one Telethon message."""
    text = m.message if isinstance(m, types.Message) else ""
    return {
        "id": m.id,
        "date": int(m.date.timestamp()),
        "text": text or "",
    }


def world_row(m):
    return {"id": m["id"], "date": m["date"], "text": m.get("text", "")}


def telethon_extra(m):
    edit = getattr(m, "edit_date", None)
    reply = m.reply_to.reply_to_msg_id if isinstance(m.reply_to, types.MessageReplyHeader) else None
    media = None
    if isinstance(m, types.MessageService):
        media = "service"
    elif isinstance(m.media, types.MessageMediaPhoto):
        media = ("photo", m.media.photo.id)
    elif isinstance(m.media, types.MessageMediaDocument):
        media = ("document", m.media.document.id, m.media.document.size)
    elif m.media is not None:
        media = type(m.media).__name__
    return {
        "out": bool(m.out),
        "edit_date": int(edit.timestamp()) if edit else None,
        "reply_to": reply,
        "media": media,
    }


WORLD_MEDIA_TL = {
    "contact": "MessageMediaContact",
    "geo": "MessageMediaGeo",
    "poll": "MessageMediaPoll",
}


def world_extra(m):
    media = None
    if m.get("action") is not None:
        media = "service"
    elif m.get("media"):
        md = m["media"]
        if md["type"] == "photo":
            media = ("photo", md["id"])
        elif md["type"] == "document":
            media = ("document", md["id"], md["size"])
        else:
            media = WORLD_MEDIA_TL.get(md["type"], md["type"])
    return {
        "out": bool(m.get("out")),
        "edit_date": m.get("edit_date"),
        "reply_to": (m.get("reply_to") or {}).get("msg_id"),
        "media": media,
    }


def expected_download(world, wm):
    """(bytes, description) Telethon's download_media must produce for a
    world message: a photo's largest size, a document's main file."""
    md = wm["media"]
    if md["type"] == "photo":
        # Telethon picks the biggest PhotoSize by byte size.
        size = max(md["sizes"], key=lambda s: s["size"])
        return file_bytes(file_seed(world.seed, 1, md["id"], size["type"]), size["size"]), f"photo {md['id']} size {size['type']}"
    return file_bytes(file_seed(world.seed, 2, md["id"]), md["size"]), f"{md['kind']} {md.get('file_name') or md['id']}"


# ---------------------------------------------------------------- the run


async def step(what, coro):
    try:
        return await asyncio.wait_for(coro, STEP_TIMEOUT)
    except asyncio.TimeoutError:
        raise TimeoutError(f"{what}: no answer within {STEP_TIMEOUT} s") from None


async def collect(what, agen):
    async def run():
        return [x async for x in agen]

    return await step(what, run())


async def run(world, session, c):
    home = next(d for d in session["dcs"] if d["id"] == session["home_dc"])
    ss = StringSession()
    ss.set_dc(home["id"], home["ip"], home["port"])
    ss.auth_key = AuthKey(bytes.fromhex(home["auth_key"]))

    client = TelegramClient(ss, api_id=1, api_hash="x", receive_updates=False,
                            connection_retries=2, retry_delay=1, timeout=10)
    t0 = time.monotonic()
    await step("connect", client.connect())
    try:
        c.check(await step("is_user_authorized", client.is_user_authorized()), "signed in with the provisioned key")

        me = await step("get_me", client.get_me())
        su = world.users[world.self_id]
        c.equal("get_me id", me.id, su["id"])
        c.equal("get_me access_hash", me.access_hash, su["access_hash"])
        c.equal("get_me first_name", me.first_name, su.get("first_name"))
        c.equal("get_me last_name", me.last_name, su.get("last_name"))
        c.equal("get_me username", me.username, su.get("username"))
        c.equal("get_me phone", me.phone, su.get("phone"))
        c.check(me.is_self, "get_me is self")

        all_sizes = [m["media"]["size"] for msgs in world.histories.values() for m in msgs
                     if m.get("media", {}).get("type") == "document"]
        max_file_size = max(all_sizes + [1 << 20]) * 2

        kept = {}  # (peer key, msg id) -> telethon message, for downloads
        counts = {"dialogs": 0, "messages": 0, "downloaded": 0}
        async with client.takeout(contacts=True, users=True, chats=True, megagroups=True,
                                  channels=True, files=True, max_file_size=max_file_size) as t:
            c.check(client.session.takeout_id is not None, "takeout session started")

            # ---- dialogs
            want_dialogs = world.dialogs()
            it = t.iter_dialogs()
            dialogs = await collect("iter_dialogs", it)
            got_dialogs = [peer_key(d.dialog.peer) for d in dialogs]
            counts["dialogs"] = len(got_dialogs)
            c.equal("dialog count", len(got_dialogs), len(want_dialogs))
            c.equal("iter_dialogs total", it.total, len(want_dialogs))
            c.check(set(got_dialogs) == set(want_dialogs), "dialog peers",
                    f"missing {sorted(set(want_dialogs) - set(got_dialogs))}, "
                    f"unexpected {sorted(set(got_dialogs) - set(want_dialogs))}")
            c.check(got_dialogs == want_dialogs, "dialog order", first_diff(got_dialogs, want_dialogs))
            for d in dialogs:
                key = peer_key(d.dialog.peer)
                if key not in world.histories:
                    continue
                top = world.histories[key][-1]
                c.equal(f"dialog {key} top message", d.dialog.top_message, top["id"])
                c.check(d.entity is not None and d.entity.id == key[1], f"dialog {key} entity")
                if key[0] != "user":
                    c.equal(f"dialog {key} title", d.title, world.chats[key[1]]["title"])

            # ---- histories: every dialog, then every other history that is
            # still readable (public channels the account left; should a
            # dialog be missing, its history all the same).
            targets = [(key, d.entity) for key, d in zip(got_dialogs, dialogs)]
            for key in world.histories:
                if key not in got_dialogs and world.is_dialog(key):
                    targets.append((key, input_peer(world, key)))
            left = await step("channels.getLeftChannels",
                              t(functions.channels.GetLeftChannelsRequest(offset=0)))
            left_ids = sorted(ch.id for ch in left.chats)
            want_left = sorted(pid for pid, ch in world.chats.items()
                               if ch.get("left") and ch["kind"] != "group")
            c.equal("left channels", left_ids, want_left)
            for ch in left.chats:
                key = ("channel", ch.id)
                if key not in world.histories:
                    continue
                if world.chats[ch.id].get("username"):
                    c.check(isinstance(ch, types.Channel), f"left public channel {key} is a full channel", type(ch).__name__)
                    targets.append((key, ch))
                else:
                    # A private channel the account left: Telegram refuses its history.
                    try:
                        await collect(f"history {key}", t.iter_messages(ch, wait_time=0))
                        c.check(False, f"history of left private channel {key}", "expected CHANNEL_PRIVATE")
                    except errors.ChannelPrivateError:
                        c.check(True, "left private channel refuses history")

            for key, entity in targets:
                name = f"history {key} {world.chat_title(key)!r}"
                want = world.histories.get(key, [])
                msgs = await collect(name, t.iter_messages(entity, wait_time=0))
                counts["messages"] += len(msgs)
                msgs.reverse()  # oldest first, as the world
                got_rows = [telethon_row(m) for m in msgs]
                want_rows = [world_row(m) for m in want]
                c.equal(f"{name} count", len(msgs), len(want))
                for field in ("id", "date", "text"):
                    g = [r[field] for r in got_rows]
                    w = [r[field] for r in want_rows]
                    c.check(g == w, f"{name} {field}s", first_diff(g, w))
                g = [telethon_extra(m) for m in msgs]
                w = [world_extra(m) for m in want]
                c.check(g == w, f"{name} out/edit_date/reply_to/media", first_diff(g, w))
                c.check(all(peer_key(m.peer_id) == key for m in msgs), f"{name} peer of every message")
                for m in msgs:
                    kept[(key, m.id)] = m

            # ---- reverse=True (offset_id=1, add_offset=-100 windows) over the
            # biggest common-box history and the biggest channel history.
            by_size = sorted(targets, key=lambda kv: -len(world.histories.get(kv[0], [])))
            picked = [next((kv for kv in by_size if kv[0][0] != "channel"), None),
                      next((kv for kv in by_size if kv[0][0] == "channel"), None)]
            for key, entity in filter(None, picked):
                name = f"history {key} reverse=True"
                msgs = await collect(name, t.iter_messages(entity, reverse=True, wait_time=0))
                g = [telethon_row(m) for m in msgs]
                w = [world_row(m) for m in world.histories.get(key, [])]
                c.check(g == w, name, first_diff(g, w))

            # ---- downloads: one file of each kind, and the 1 MiB boundary
            # files of Saved Messages.
            picks = []
            seen = set()
            for key, msgs in world.histories.items():
                for wm in msgs:
                    md = wm.get("media")
                    if not md or md["type"] not in ("photo", "document") or (key, wm["id"]) not in kept:
                        continue
                    kind = md["type"] if md["type"] == "photo" else md["kind"]
                    if md.get("file_name") in ("exactly_1MiB.bin", "1MiB_plus_1.bin"):
                        kind = md["file_name"]
                    elif md["type"] == "document" and md.get("dc_id") != 2:
                        kind = kind + "@dc" + str(md.get("dc_id"))
                    if kind not in seen:
                        seen.add(kind)
                        picks.append((key, wm))
            c.check({"photo", "video", "voice", "file", "exactly_1MiB.bin", "1MiB_plus_1.bin"} <= seen,
                    "world has files of every kind to download", f"kinds: {sorted(seen)}")
            for key, wm in picks:
                want_bytes, what = expected_download(world, wm)
                name = f"download {what} (message {wm['id']} of {key})"
                data = await step(name, t.download_media(kept[(key, wm["id"])], file=bytes))
                counts["downloaded"] += len(data or b"")
                if data == want_bytes:
                    c.check(True, name)
                elif data is None:
                    c.check(False, name, "download_media returned None")
                else:
                    at = next((i for i, (a, b) in enumerate(zip(data, want_bytes)) if a != b), min(len(data), len(want_bytes)))
                    c.check(False, name, f"{len(data)} bytes, want {len(want_bytes)}; first difference at byte {at}")

            takeout_id = client.session.takeout_id
        # Leaving the block finished the takeout with success=True; Telethon
        # raises if the server answered false.
        c.check(True, "takeout finished with success")
        c.check(client.session.takeout_id is None, "takeout id cleared", f"still {takeout_id}")
        print(f"telethon {telethon.__version__} (layer {telethon.tl.alltlobjects.LAYER}): "
              f"{counts['dialogs']} dialogs, {counts['messages']} messages, "
              f"{len(picks)} files ({counts['downloaded']} bytes) in {time.monotonic() - t0:.1f} s", flush=True)
    finally:
        await client.disconnect()


def augment(src, dst, n):
    with open(src, encoding="utf-8") as f:
        w = json.load(f)
    box = [m["id"] for m in w["messages"] if m["peer"]["type"] in ("user", "chat")]
    next_id = max(box, default=0) + 1
    date = max((m["date"] for m in w["messages"]), default=1600000000)
    next_user = max(u["id"] for u in w["users"]) + 1
    for i in range(n):
        uid = next_user + i
        w["users"].append({"id": uid, "access_hash": 7_000_000 + uid, "first_name": f"Pager {i}", "dc_id": 2})
        date += 60
        w["messages"].append({"id": next_id + i, "peer": {"type": "user", "id": uid},
                              "from": {"type": "user", "id": uid}, "date": date,
                              "text": f"page filler {i} ✉️"})
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(w, f, ensure_ascii=False, indent=1)
    return 0


async def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    world = World(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        session = json.load(f)
    c = Checks()
    try:
        await asyncio.wait_for(run(world, session, c), TOTAL_TIMEOUT)
    except BaseException as e:  # any raise is a failure, reported with its trace
        traceback.print_exc()
        c.check(False, "the run raised", f"{type(e).__name__}: {e}")
    print(f"{c.passed} passed, {c.failed} failed", flush=True)
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "augment":
        sys.exit(augment(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    sys.exit(asyncio.run(main()))
