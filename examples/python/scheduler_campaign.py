"""A paced campaign through the durable outbox (SQLite) against the sandbox: enqueue with
idempotency keys, run a worker, read the outbox stats. Policies hold back what they must."""

import os
import tempfile

import wacrm
from wacrm import LimitConfig, OutgoingMessage, PolicyConfig, SchedulerSettings
from wacrm.messages import Template, Text

sb = wacrm.Sandbox(mps=40)
db = os.path.join(tempfile.mkdtemp(), "outbox.db")
stores = wacrm.Stores(f"sqlite://{db}")
client = wacrm.Client(sb.access_token, sb.base_url)
s = wacrm.Scheduler(stores, client, SchedulerSettings(limits=LimitConfig(mps=40), policies=PolicyConfig(quiet_hours=None)))
for i in range(100):
    s.enqueue(OutgoingMessage(f"spring-sale:{i}", sb.phone_number_id, f"+1202555{i:04d}", Template("hello_world"),
                              category="utility", campaign_id="spring-sale"))
# Free-form text to someone who never wrote: the 24 h window policy parks it with the reason.
s.enqueue(OutgoingMessage("oops", sb.phone_number_id, "+12025559999", Text("hi"), category="service"))
report = s.run_until_idle(timeout_ms=60_000)
print("round:", report)
print("outbox:", s.stats())
for item in stores.outbox_items("parked"):
    print("parked:", item.recipient, item.history[-1])
