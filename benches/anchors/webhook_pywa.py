"""Anchor for the C2 webhook bench: pywa verifying and parsing the same bodies.

Usage: webhook_pywa.py APP_SECRET BODY_FILE SIGNATURE [BODY_FILE SIGNATURE ...]
Prints bodies/s (one line per body): the median of ROUNDS rounds of SECONDS
each (environment WACRM_ANCHOR_ROUNDS, WACRM_ANCHOR_SECS; 1 round of 3 s by
default), the bodies taking turns so that a machine's drift hits them alike. Each body is verified with pywa's
X-Hub-Signature-256 check, decoded into pywa's RawUpdate and turned into
pywa's typed objects (Message, or one MessageStatus per status in the batch),
which is what pywa does for each webhook it dispatches.
"""

import json
import os
import statistics
import sys
import time

from pywa import WhatsApp, utils
from pywa.types import Message, MessageStatus
from pywa.types.base_update import RawUpdate

SECONDS = float(os.environ.get("WACRM_ANCHOR_SECS", "3"))
ROUNDS = int(os.environ.get("WACRM_ANCHOR_ROUNDS", "1"))


def one(client, secret, body, sig):
    if not utils.webhook_updates_validator(
        app_secret=secret, request_body=body, x_hub_signature=sig
    ):
        raise SystemExit("signature did not verify")
    update = RawUpdate(body, hmac_header=sig, update_hash="")
    value = update["entry"][0]["changes"][0]["value"]
    if "messages" in value:
        return [Message.from_update(client=client, update=update)]
    return [
        MessageStatus.from_update(client=client, update=update, status_idx=i)
        for i in range(len(value["statuses"]))
    ]


def main():
    secret = sys.argv[1]
    client = WhatsApp(token="x", phone_id="106540352242922", server=None)
    pairs = sys.argv[2:]
    bodies = []
    for i in range(0, len(pairs), 2):
        with open(pairs[i], "rb") as f:
            body = f.read()
        sig = pairs[i + 1]
        expected = len(json.loads(body)["entry"][0]["changes"][0]["value"].get("statuses", [0]))
        assert len(one(client, secret, body, sig)) == expected
        bodies.append((body, sig))
    rates = [[] for _ in bodies]
    for _ in range(ROUNDS):
        for (body, sig), got in zip(bodies, rates):
            n = 0
            start = time.perf_counter()
            while time.perf_counter() - start < SECONDS:
                for _ in range(200):
                    one(client, secret, body, sig)
                n += 200
            got.append(n / (time.perf_counter() - start))
    for got in rates:
        print(statistics.median(got))


if __name__ == "__main__":
    main()
