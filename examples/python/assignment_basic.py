"""Route conversations to agents: least-loaded with a hard cap, skills, a queue when
everyone is full, and the queue drained when a conversation is released."""

import wacrm
from wacrm import Agent, AssignmentSettings, Request

a = wacrm.Assignment(wacrm.Stores(), AssignmentSettings(hard_cap=2))
a.upsert_agent(Agent("ana", skills=["pt", "vip"]))
a.upsert_agent(Agent("ben", skills=["en"]))
print(a.assign(Request("conv-1", "cust-1", required_skills=["pt"])))
for i in range(2, 5):
    print(a.assign(Request(f"conv-{i}", f"cust-{i}")))
print("full, queued:", a.assign(Request("conv-5", "cust-5")))
print("loads:", a.loads(), "queue:", a.queue_len())
print("released conv-1:", a.release("conv-1"))
