"""Anchor: pywa 4.5 verifies X-Hub-Signature-256 (its webhook_updates_validator)
and builds the typed update exactly as its server does for each request
(RawUpdate → handler type → <Update>.from_update). argv: body file, app secret,
signature header. Prints bodies/second on one thread."""
import sys
import time

from pywa import WhatsApp, utils
from pywa.types.base_update import RawUpdate
from pywa.server import get_update_hash

body = open(sys.argv[1], "rb").read()
secret, signature = sys.argv[2], sys.argv[3]
wa = WhatsApp(phone_id="1", token="x", server=None, verify_token=None, app_secret=secret)


def one():
    assert utils.webhook_updates_validator(secret, body, signature)
    raw = RawUpdate(body, hmac_header=signature, update_hash=get_update_hash(body))
    handler = wa._get_handler_type(raw)
    if handler is not None:
        wa._handlers_to_updates[handler].from_update(client=wa, update=raw)


one()
n = 0
start = time.perf_counter()
while time.perf_counter() - start < 3.0:
    for _ in range(200):
        one()
    n += 200
print(f"{n / (time.perf_counter() - start):.0f}")
