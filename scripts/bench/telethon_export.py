#!/usr/bin/env python3
"""Export an account into SQLite with Telethon, as a Python user would.

Usage: telethon_export.py SESSION_JSON OUT_SQLITE

SESSION_JSON is the session file `fakedc serve --session-out` wrote
(docs/session-file.md): its home dc's address and auth key go into a
StringSession, so no key exchange and no sign-in. Inside one
`client.takeout(...)` it walks `iter_dialogs()` and, for each dialog,
`iter_messages(dialog, wait_time=0)`, inserting (peer id, message id, date,
text, raw TL bytes) with executemany per batch and committing per chat.

TELETHON_CAP_SECS (default 180): stop after this many seconds of exporting,
keep what was stored, and report the rate so far ("capped": true).

Prints one JSON line on stdout: messages stored, dialogs done, seconds
(connect to takeout finished), rate, capped, peak RSS (own ru_maxrss), and
whether cryptg was in use.
"""

import asyncio
import json
import os
import resource
import sqlite3
import sys
import time

import telethon
from telethon import TelegramClient, utils
from telethon.crypto import AuthKey
from telethon.sessions import StringSession

BATCH = 1000


async def export(session_path, db_path, cap):
    with open(session_path, encoding="utf-8") as f:
        session = json.load(f)
    home = next(d for d in session["dcs"] if d["id"] == session["home_dc"])
    ss = StringSession()
    ss.set_dc(home["id"], home["ip"], home["port"])
    ss.auth_key = AuthKey(bytes.fromhex(home["auth_key"]))

    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE IF NOT EXISTS messages (peer_id INTEGER, msg_id INTEGER, date INTEGER, "
               "text TEXT, raw BLOB, PRIMARY KEY (peer_id, msg_id))")
    db.execute("CREATE TABLE IF NOT EXISTS dialogs (peer_id INTEGER PRIMARY KEY, title TEXT, "
               "messages INTEGER, done INTEGER)")
    db.commit()

    client = TelegramClient(ss, api_id=1, api_hash="x", receive_updates=False)
    t0 = time.monotonic()
    stored = 0
    dialogs_done = 0
    capped = False
    await client.connect()
    try:
        async with client.takeout(contacts=True, users=True, chats=True, megagroups=True,
                                  channels=True, files=False) as t:
            async for dialog in t.iter_dialogs():
                peer_id = utils.get_peer_id(dialog.entity)
                n = 0
                batch = []
                async for m in t.iter_messages(dialog, wait_time=0):
                    batch.append((peer_id, m.id, int(m.date.timestamp()),
                                  getattr(m, "message", None) or "", bytes(m)))
                    if len(batch) >= BATCH:
                        db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?)", batch)
                        n += len(batch)
                        batch.clear()
                        if time.monotonic() - t0 >= cap:
                            capped = True
                            break
                db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?)", batch)
                n += len(batch)
                db.execute("INSERT OR REPLACE INTO dialogs VALUES (?, ?, ?, ?)",
                           (peer_id, dialog.name, n, 0 if capped else 1))
                db.commit()
                stored += n
                if capped:
                    break
                dialogs_done += 1
                if time.monotonic() - t0 >= cap:
                    capped = True
                    break
    finally:
        await client.disconnect()
        db.close()
    seconds = time.monotonic() - t0
    try:
        from telethon.crypto import aes
        crypto = "cryptg" if getattr(aes, "cryptg", None) else "python"
    except ImportError:
        crypto = "unknown"
    return {
        "telethon": telethon.__version__,
        "crypto": crypto,
        "messages": stored,
        "dialogs_done": dialogs_done,
        "seconds": seconds,
        "rate": stored / seconds if seconds > 0 else 0.0,
        "capped": capped,
        "cap_secs": cap,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    cap = float(os.environ.get("TELETHON_CAP_SECS", "180"))
    result = asyncio.run(export(sys.argv[1], sys.argv[2], cap))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
