#!/usr/bin/env python3
"""upload.getFile throughput with 1 MiB parts, which grammers 0.11 cannot
receive (it rejects server messages of 1,044,448 bytes or more), measured
with Telethon 1.45 against a running fakedc; 512 KiB parts for comparison.

Usage (scripts/bench/getfile.sh runs it): getfile_1mib.py SESSION_FILE [SECONDS]
Prints MB/s (10^6 bytes) for 1 and 8 clients, each client with 8 requests
in flight.
"""
import asyncio
import json
import sys
import time

from telethon import TelegramClient
from telethon.crypto import AuthKey
from telethon.sessions import StringSession
from telethon.tl.functions.upload import GetFileRequest
from telethon.tl.types import InputDocumentFileLocation, InputPeerSelf

MIB = 1 << 20
IN_FLIGHT = 8


def client_for(session):
    home = next(d for d in session["dcs"] if d["id"] == session["home_dc"])
    ss = StringSession()
    ss.set_dc(home["id"], home["ip"], home["port"])
    ss.auth_key = AuthKey(bytes.fromhex(home["auth_key"]))
    return TelegramClient(ss, api_id=1, api_hash="x", receive_updates=False, timeout=30)


async def one_mib_document(client):
    # Saved Messages holds exactly_1MiB.bin (docs/world-format.md).
    async for m in client.iter_messages(InputPeerSelf(), wait_time=0):
        doc = getattr(m, "document", None)
        if doc is not None and doc.size == MIB:
            return InputDocumentFileLocation(doc.id, doc.access_hash, doc.file_reference, "")
    raise SystemExit("no 1 MiB document in Saved Messages")


async def measure(clients, location, part, seconds):
    offsets = [o for o in range(0, MIB, part)]
    end = time.monotonic() + seconds
    total = 0

    async def worker(c, k):
        nonlocal total
        i = k
        while time.monotonic() < end:
            r = await c(GetFileRequest(location, offset=offsets[i % len(offsets)], limit=part))
            assert len(r.bytes) == part, len(r.bytes)
            total += len(r.bytes)
            i += 1

    start = time.monotonic()
    await asyncio.gather(*(worker(c, k) for c in clients for k in range(IN_FLIGHT)))
    return total / (time.monotonic() - start) / 1e6


async def main():
    session = json.load(open(sys.argv[1]))
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    clients = [client_for(session) for _ in range(8)]
    for c in clients:
        await c.connect()
    location = await one_mib_document(clients[0])
    for part, name in ((MIB, "1 MiB"), (MIB // 2, "512 KiB")):
        for n in (1, 8):
            rate = await measure(clients[:n], location, part, seconds)
            print(f"  {n} client(s) getFile {name:>7} parts: {rate:8.1f} MB/s", flush=True)
    for c in clients:
        await c.disconnect()


asyncio.run(main())
