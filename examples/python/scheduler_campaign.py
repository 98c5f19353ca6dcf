"""A paced campaign through the durable outbox (SQLite) against the sandbox: enqueue with
idempotency keys, run a worker, read the outbox stats. Policies hold back what they must."""

import os
import tempfile

import wacrm
from wacrm import messages, scheduler

sb = wacrm.Sandbox(mps=40)
db = os.path.join(tempfile.mkdtemp(), "outbox.db")
stores = wacrm.Stores(f"sqlite://{db}")
client = wacrm.Client(sb.access_token, sb.base_url)
s = wacrm.Scheduler(stores, client, limits={"mps": 40}, policies={"quiet_hours": None})
for i in range(100):
    s.enqueue(scheduler.outgoing(f"spring-sale:{i}", sb.phone_number_id, f"+1202555{i:04d}",
                                 messages.template("hello_world"), category="utility", campaign_id="spring-sale"))
# Free-form text to someone who never wrote: the 24 h window policy parks it with the reason.
s.enqueue(scheduler.outgoing("oops", sb.phone_number_id, "+12025559999", messages.text("hi"), category="service"))
report = s.run_until_idle(timeout_ms=60_000)
print("round:", report)
print("outbox:", s.stats())
for item in stores.outbox_items("parked"):
    print("parked:", item["recipient"], item["history"][-1])
