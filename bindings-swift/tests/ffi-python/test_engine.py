"""The engine objects through the same FFI scaffolding Swift uses: async calls that
overlap, typed errors from async calls, objects passed to constructors, and a foreign
trait (EventSink) called back from Rust."""

import asyncio
import hashlib
import hmac
import json
import os
import tempfile
import time

import pytest

import wacrm_swift as w

TEMPLATE = {"type": "template", "content": {"name": "hello_world", "language": "en_US", "components": []}}


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_client_sends_and_async_errors_are_typed() -> None:
    sb = w.Sandbox(None, None)
    c = w.Client(sb.access_token(), sb.base_url(), None)

    async def main() -> None:
        r = json.loads(await c.call("send", json.dumps({"from": sb.phone_number_id(), "to": "+15550001111", "message": TEMPLATE})))
        assert r["messages"][0]["id"].startswith("wamid.")
        bad = dict(TEMPLATE, content=dict(TEMPLATE["content"], name="nope"))
        with pytest.raises(w.WacrmError.Template) as info:
            await c.call("send", json.dumps({"from": sb.phone_number_id(), "to": "+15550001111", "message": bad}))
        assert info.value.graph_code == 132001 and info.value.retryable is False
        with pytest.raises(w.WacrmError.Validation):
            await c.call("launch_rockets", "{}")
        numbers = json.loads(await c.call("list_phone_numbers", json.dumps({"waba": sb.waba_id()})))
        assert sb.phone_number_id() in [n["id"] for n in numbers["items"]]

    run(main())
    assert len(json.loads(sb.ledger())) == 1


def test_async_calls_overlap() -> None:
    sb = w.Sandbox(None, None)
    sb.set_faults(json.dumps({"latency_ms": 300}))
    c = w.Client(sb.access_token(), sb.base_url(), None)

    async def main() -> float:
        start = time.perf_counter()
        await asyncio.gather(*[
            c.call("send", json.dumps({"from": sb.phone_number_id(), "to": f"+1555777{i:04d}", "message": TEMPLATE}))
            for i in range(8)
        ])
        return time.perf_counter() - start

    # Sequential calls would take 8 x 300 ms.
    assert run(main()) < 8 * 0.3 / 2


def test_stores_scheduler_assignment() -> None:
    sb = w.Sandbox(None, None)
    d = tempfile.mkdtemp()
    path = os.path.join(d, "c.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,name,phone,tags\nc1,Ana,+351 912 345 678,hk\nc2,Bad,nope,\nc3,山田 太郎,+81 90-1234-5678,hk\n")
    st = w.Stores(f"sqlite://{os.path.join(d, 'crm.db')}")
    client = w.Client(sb.access_token(), sb.base_url(), None)
    sched = w.Scheduler(st, client, json.dumps({"policies": {"quiet_hours": None}}))
    a = w.Assignment(st, json.dumps({"hard_cap": 1}))

    async def main() -> None:
        report = json.loads(await st.call("contacts_import_csv", json.dumps(
            {"path": path, "map": ["id=external_id", "name=name", "phone=phone", "tags=tags"], "id_column": "id", "region": "PT"})))
        assert [b["line"] for b in report["bad_rows"]] == [3]
        members = json.loads(await st.call("segment_members", json.dumps({"name": "hk", "filter": {"tags_all": ["hk"], "has_phone": True}})))
        assert sorted(m["id"] for m in members) == ["c1", "c3"]
        for m in members:
            out = {"idempotency_key": f"k-{m['id']}", "phone_number_id": sb.phone_number_id(), "recipient": m["e164"],
                   "message": TEMPLATE, "category": "utility", "lane": "notification", "campaign_id": None,
                   "not_before": 0, "event_key": None, "promotion": False, "automated": False}
            assert json.loads(await sched.call("enqueue", json.dumps(out))) == "new"
        r = json.loads(await sched.call("run_until_idle", json.dumps({"timeout_ms": 10_000})))
        assert r["sent"] == 2
        await a.call("upsert_agent", json.dumps({"id": "ana", "name": "Ana", "presence": "online", "capacity": 5}))
        first = json.loads(await a.call("assign", json.dumps({"conversation_id": "v1", "contact_id": "c1", "priority": 0,
                                                              "required_skills": [], "preferred_skills": [],
                                                              "previous_agent": None, "team": None, "arrived_at": 0})))
        assert first["outcome"] == "assigned"
        dd = json.loads(await w.contacts_dedupe_csv(json.dumps({"paths": [path], "map": ["name=name", "phone=phone"], "id_column": "id", "region": "PT"})))
        assert [b["line"] for b in dd["reports"][0]["bad_rows"]] == [3]

    run(main())
    assert len(json.loads(sb.ledger())) == 2


class Collect(w.EventSink):
    def __init__(self) -> None:
        self.events: list = []

    def on_event(self, event_json: str) -> None:
        self.events.append(json.loads(event_json))


def test_foreign_event_sink_receives_each_event() -> None:
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "9", "display_phone_number": "1"},
        "statuses": [{"id": f"wamid.{i}", "status": s, "timestamp": "1", "recipient_id": "1"} for i, s in enumerate(["sent", "delivered", "read"])],
        "messages": [{"from": "81", "id": "wamid.M", "timestamp": "1", "type": "text", "text": {"body": "日本 😀"}}]}}]}]},
        ensure_ascii=False).encode()
    sig = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    sink = Collect()
    assert w.webhook_dispatch("s3cret", body, sig, sink) == 4
    assert [e["kind"] for e in sink.events] == ["message", "status", "status", "status"]
    assert sink.events[0]["content"]["body"] == "日本 😀"
    with pytest.raises(w.WacrmError.Webhook):
        w.webhook_dispatch("other", body, sig, Collect())
