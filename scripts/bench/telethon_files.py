#!/usr/bin/env python3
"""Download every message's file with Telethon, one at a time, as a Python
user would: the files benchmark's Telethon client.

Usage: telethon_files.py SESSION_JSON OUT_DIR

SESSION_JSON is the session file `fakedc serve --session-out` wrote
(docs/session-file.md): its home dc's address and auth key go into a
StringSession, so no key exchange and no sign-in. Inside one
`client.takeout(..., files=True, max_file_size=...)` it walks
`iter_dialogs()` and, for each dialog, `iter_messages(dialog, wait_time=0)`,
and awaits `download_media(message, file=OUT_DIR/PEER_ID)` for each message
with a photo or document (Telethon picks the part size, 128 KiB for files
under 100 MB, and fetches one part at a time; cryptg does the AES).

TELETHON_CAP_SECS (default 180): start no new file after this many seconds
and report what was done ("capped": true).

Prints one JSON line on stdout: files, bytes (summed from the files on disk),
seconds (connect to the last file written; interpreter start-up excluded),
capped, errors (downloads that failed or whose size on disk differs from the
size the message states) and whether cryptg was in use.
"""

import asyncio
import json
import os
import sys
import time

import telethon
from telethon import TelegramClient, utils
from telethon.crypto import AuthKey
from telethon.sessions import StringSession

MAX_FILE_SIZE = 4000 << 20


async def download_all(session_path, out_dir, cap):
    with open(session_path, encoding="utf-8") as f:
        session = json.load(f)
    home = next(d for d in session["dcs"] if d["id"] == session["home_dc"])
    ss = StringSession()
    ss.set_dc(home["id"], home["ip"], home["port"])
    ss.auth_key = AuthKey(bytes.fromhex(home["auth_key"]))
    client = TelegramClient(ss, api_id=1, api_hash="x", receive_updates=False)

    t0 = time.monotonic()
    files = nbytes = errors = 0
    first_error = ""
    capped = False
    await client.connect()
    try:
        async with client.takeout(contacts=False, users=True, chats=True, megagroups=True,
                                  channels=True, files=True, max_file_size=MAX_FILE_SIZE) as t:
            async for dialog in t.iter_dialogs():
                peer_id = utils.get_peer_id(dialog.entity)
                async for m in t.iter_messages(dialog, wait_time=0):
                    if m.photo is None and m.document is None:
                        continue
                    if time.monotonic() - t0 >= cap:
                        capped = True
                        break
                    expected = m.file.size
                    try:
                        path = await t.download_media(m, file=os.path.join(out_dir, f"{peer_id}_{m.id}"))
                        size = os.path.getsize(path)
                    except Exception as e:  # a benchmark reports, it does not stop
                        errors += 1
                        first_error = first_error or f"{peer_id}_{m.id}: {e!r}"
                        continue
                    files += 1
                    nbytes += size
                    if size != expected:
                        errors += 1
                        first_error = first_error or f"{path}: {size} bytes on disk, {expected} expected"
                if capped:
                    break
    finally:
        await client.disconnect()
    seconds = time.monotonic() - t0
    try:
        from telethon.crypto import aes
        crypto = "cryptg" if getattr(aes, "cryptg", None) else "python"
    except ImportError:
        crypto = "unknown"
    return {
        "client": f"Telethon {telethon.__version__} download_media",
        "crypto": crypto,
        "files": files,
        "bytes": nbytes,
        "seconds": seconds,
        "capped": capped,
        "cap_secs": cap,
        "errors": errors,
        "first_error": first_error,
    }


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(sys.argv[2], exist_ok=True)
    cap = float(os.environ.get("TELETHON_CAP_SECS", "180"))
    print(json.dumps(asyncio.run(download_all(sys.argv[1], sys.argv[2], cap))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
