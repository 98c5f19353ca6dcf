"""Anchor for the storing webhook endpoint (`--bench webhook_ingest`): pywa's
FastAPI handler, signature checked with the app secret, each status written to
SQLite (one committed row per status, a redelivery ignored by the primary key),
served by uvicorn as pywa's documentation shows.

Usage: python webhook_ingest_pywa.py PORT SQLITE_PATH APP_SECRET
The caller waits for the port to accept connections. pywa answers 200 first
and runs the handler as a background task, so the caller times the run until
every status is in SQLite, not until the last answer."""
import logging
import sqlite3
import sys
import threading

import uvicorn
from fastapi import FastAPI
from pywa import WhatsApp, types

port, db_path, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
logging.disable(logging.WARNING)

init = sqlite3.connect(db_path)
init.execute("PRAGMA journal_mode=WAL")
init.execute(
    "CREATE TABLE IF NOT EXISTS statuses (message_id TEXT NOT NULL, status TEXT NOT NULL, "
    "at INTEGER NOT NULL, PRIMARY KEY (message_id, status))"
)
init.commit()
init.close()

# pywa runs sync handlers in FastAPI's thread pool: one connection per thread.
local = threading.local()


def conn() -> sqlite3.Connection:
    c = getattr(local, "c", None)
    if c is None:
        c = sqlite3.connect(db_path, timeout=30)
        c.execute("PRAGMA synchronous=NORMAL")
        local.c = c
    return c


app = FastAPI()
wa = WhatsApp(
    phone_id="106540352242922",
    token="anchor-token",
    server=app,
    webhook_endpoint="/wh",
    verify_token="vt",
    app_secret=secret,
    validate_updates=True,
)


@wa.on_message_status()
def on_status(_: WhatsApp, s: types.MessageStatus) -> None:
    c = conn()
    c.execute(
        "INSERT OR IGNORE INTO statuses (message_id, status, at) VALUES (?, ?, ?)",
        (s.id, s.status.value, int(s.timestamp.timestamp())),
    )
    c.commit()


uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
