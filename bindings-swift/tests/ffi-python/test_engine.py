"""The engine objects through the same FFI scaffolding Swift uses: async calls that
overlap, typed errors from async calls, objects passed to constructors, records in
and out, and a foreign trait (EventSink) called back from Rust."""

import asyncio
import hashlib
import hmac
import json
import os
import tempfile
import time

import pytest

import wacrm_swift as w
from conftest import WEBHOOK_FIXTURES, run

J = w.JsonValue
HELLO = w.OutboundMessage.TEMPLATE(w.Template(name="hello_world", language="en_US", components=[]))


def client_for(sb: w.Sandbox) -> w.Client:
    return w.Client(sb.access_token(), sb.base_url(), None)


def test_client_sends_and_async_errors_are_typed() -> None:
    sb = w.Sandbox(w.SandboxOptions())
    c = client_for(sb)

    async def main() -> None:
        r = await c.send(sb.phone_number_id(), "+15550001111", HELLO, None, None)
        assert r.messages[0].id.startswith("wamid.") and r.contacts[0].input == "+15550001111"
        bad = w.OutboundMessage.TEMPLATE(w.Template(name="nope", language="en_US", components=[]))
        with pytest.raises(w.WacrmError.Template) as info:
            await c.send(sb.phone_number_id(), "+15550001111", bad, None, None)
        assert info.value.graph_code == 132001 and info.value.retryable is False
        text = await c.send_text(sb.phone_number_id(), "+15550001111", "hi")
        assert text.messages[0].id.startswith("wamid.")

    run(main())
    assert [e.msg_type for e in sb.ledger()] == ["template", "text"]


def test_management_calls_return_records() -> None:
    sb = w.Sandbox(w.SandboxOptions())
    c = client_for(sb)
    pid = sb.phone_number_id()

    async def main() -> None:
        page = await c.list_templates(sb.waba_id(), w.TemplateQuery())
        assert isinstance(page, w.TemplatePage) and all(isinstance(t, w.MessageTemplate) for t in page.items)
        hello = await c.list_all_templates(sb.waba_id(), w.TemplateQuery(name="hello_world"))
        assert [t.name for t in hello] == ["hello_world"]
        assert hello[0].status == w.TemplateStatus.APPROVED() and hello[0].category == w.TemplateCategory.UTILITY()
        assert isinstance(hello[0].components[0], J.OBJECT)
        numbers = await c.list_phone_numbers(sb.waba_id())
        assert pid in [n.id for n in numbers.items]
        one = await c.get_phone_number(pid)
        assert isinstance(one, w.PhoneNumber) and one.display_phone_number
        ok = await c.update_business_profile(pid, w.BusinessProfile(about="Open 9-5", websites=["https://x.test"]))
        assert ok.success is True
        profile = await c.get_business_profile(pid)
        assert profile.about == "Open 9-5" and profile.websites == ["https://x.test"]
        path = os.path.join(tempfile.mkdtemp(), "a.jpg")
        with open(path, "wb") as f:
            f.write(b"\xff\xd8\xff" + b"x" * 100)
        media_id = await c.upload_media(pid, path, "image/jpeg", None)
        url = await c.media_url(media_id)
        assert isinstance(url, w.MediaUrl) and url.file_size == 103 and url.mime_type == "image/jpeg"
        got = await c.download_media(url.url, path + ".out")
        assert got.bytes == 103
        assert (await c.delete_media(media_id)).success is True
        with pytest.raises(w.WacrmError.Validation):
            await c.upload_media(pid, path, "text/x-unknown-kind", None)

    run(main())


def test_async_calls_overlap() -> None:
    sb = w.Sandbox(w.SandboxOptions())
    sb.set_faults(w.Faults(latency_ms=300))
    c = client_for(sb)

    async def main() -> float:
        start = time.perf_counter()
        await asyncio.gather(*[c.send(sb.phone_number_id(), f"+1555777{i:04d}", HELLO, None, None) for i in range(8)])
        return time.perf_counter() - start

    # Sequential calls would take 8 x 300 ms.
    assert run(main()) < 8 * 0.3 / 2


def write_csv(d: str) -> str:
    path = os.path.join(d, "c.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,name,phone,tags\nc1,Ana,+351 912 345 678,hk\nc2,Bad,nope,\nc3,山田 太郎,+81 90-1234-5678,hk\n"
                "c4,Ana,+351 912 345 678,\n")
    return path


def test_stores_scheduler_assignment() -> None:
    sb = w.Sandbox(w.SandboxOptions())
    d = tempfile.mkdtemp()
    path = write_csv(d)
    st = w.Stores(f"sqlite://{os.path.join(d, 'crm.db')}")
    client = client_for(sb)
    policies = w.policy_config_default()
    policies.quiet_hours = None  # a recipient's night must not defer this test's sends
    sched = w.Scheduler(st, client, w.SchedulerSettings(policies=policies))
    a = w.Assignment(st, w.AssignmentSettings(hard_cap=1))

    async def main() -> None:
        report = await st.contacts_import_csv(w.ImportArgs(
            path=path, map=["id=external_id", "name=name", "phone=phone", "tags=tags"], id_column="id", region="PT"))
        assert isinstance(report, w.ImportReport) and [b.line for b in report.bad_rows] == [3]
        hk = w.Segment(name="hk", filter=w.ContactFilter(tags_all=["hk"], attributes={}, has_phone=True))
        members = await st.segment_members(hk)
        assert sorted(m.id for m in members) == ["c1", "c3"] and all(isinstance(m, w.Contact) for m in members)
        for m in members:
            out = w.OutgoingMessage(idempotency_key=f"k-{m.id}", phone_number_id=sb.phone_number_id(),
                                    recipient=m.e164, message=HELLO, category=w.Category.UTILITY, lane=w.Lane.NOTIFICATION)
            assert await sched.enqueue(out) == w.Enqueued.NEW
            assert await sched.enqueue(out) == w.Enqueued.DUPLICATE
        r = await sched.run_until_idle(0, 10_000)
        assert isinstance(r, w.RoundReport) and r.sent == 2
        stats = await sched.stats()
        assert stats == await st.outbox_stats() and stats.sent == 2
        sent = await st.outbox_items("sent", 10)
        assert len(sent) == 2 and all(isinstance(i.state, w.OutboxState.SENT) for i in sent)
        assert sent[0].category == w.Category.UTILITY and isinstance(sent[0].payload, J.OBJECT)
        assert {i.recipient for i in await st.outbox_items(None, 10)} == {"+351912345678", "+819012345678"}
        assert await st.outbox_items("queued", 10) == []

        ana = w.Agent(id="ana", name="Ana", presence=w.Presence.ONLINE, capacity=5, skills=["pt"], teams=[])
        assert await a.upsert_agent(ana) == []
        first = await a.assign(w.Request(conversation_id="v1", contact_id="c1", required_skills=[], preferred_skills=[]))
        assert isinstance(first, w.Outcome.ASSIGNED) and first.agent_id == "ana" and isinstance(first.reason, w.Reason)
        second = await a.assign(w.Request(conversation_id="v2", contact_id="c3", required_skills=[], preferred_skills=[]))
        assert isinstance(second, w.Outcome.QUEUED) and second.position == 1
        assert a.loads() == {"ana": 1} and a.queue_len() == 1
        after = await a.release("v1")
        assert [o.conversation_id for o in after] == ["v2"]
        assert await a.set_presence("ana", w.Presence.AWAY) == []

        dupes = await st.contacts_dedupe(w.dedupe_config_default(), False)
        assert isinstance(dupes, w.DedupeOutcome) and dupes.merged is None
        assert any(sorted(c.members) == ["c1", "c4"] for c in dupes.result.clusters)
        assert dupes.result.stats.records == 3
        dd = await w.contacts_dedupe_csv(w.DedupeCsvArgs(paths=[path], map=["name=name", "phone=phone"], id_column="id", region="PT"))
        # "nope" is kept for the comparison: a record is not dropped for one field.
        assert [b.line for b in dd.reports[0].bad_rows] == []
        assert [sorted(c.members) for c in dd.result.clusters] == [["c1", "c4"]]

    run(main())
    assert len(sb.ledger()) == 2


def test_contact_records_round_trip() -> None:
    st = w.Stores("memory:")
    attrs = {
        "plan": J.TEXT(value="gold"), "visits": J.INT(value=3), "score": J.FLOAT(value=0.5),
        "vip": J.BOOL(value=True), "gone": J.NULL(),
        "history": J.ARRAY(items=[J.OBJECT(fields={"sku": J.TEXT(value="A-1"), "qty": J.INT(value=2)})]),
    }
    c = w.Contact(id="k1", e164="+351912345678", name="Ana", tags=["vip", "hk"], attributes=attrs)

    async def main() -> None:
        stored = await st.contact_upsert(c)
        assert stored.version >= 1 and stored.tags == ["hk", "vip"]
        got = await st.contact_get("k1")
        assert got is not None and got.attributes == attrs and got.name == "Ana"
        assert (await st.contact_find_by_phone("+351912345678")).id == "k1"
        assert await st.contact_get("nobody") is None
        assert await st.conversations_open() == [] and await st.messages_for_contact("k1") == []

    run(main())


class Collect(w.EventSink):
    def __init__(self) -> None:
        self.events: list = []

    def on_event(self, event: w.WebhookEvent) -> None:
        self.events.append(event)


def test_foreign_event_sink_receives_each_event() -> None:
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "9", "display_phone_number": "1"},
        "statuses": [{"id": f"wamid.{i}", "status": s, "timestamp": "1", "recipient_id": "1"} for i, s in enumerate(["sent", "delivered", "read"])],
        "messages": [{"from": "81", "id": "wamid.M", "timestamp": "1", "type": "text", "text": {"body": "日本 😀"}}]}}]}]},
        ensure_ascii=False).encode()
    sig = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    sink = Collect()
    assert w.webhook_dispatch("s3cret", body, sig, sink) == 4
    assert [type(e).__name__ for e in sink.events] == ["WebhookEvent.MESSAGE"] + ["WebhookEvent.STATUS"] * 3
    assert sink.events[0].event.content.body == "日本 😀"
    assert [e.event.status for e in sink.events[1:]] == [w.StatusKind.SENT(), w.StatusKind.DELIVERED(), w.StatusKind.READ()]
    with pytest.raises(w.WacrmError.Webhook):
        w.webhook_dispatch("other", body, sig, Collect())


def test_sandbox_inbound_reaches_the_sink_typed() -> None:
    sb = w.Sandbox(w.SandboxOptions())
    mid = sb.inbound_text("15550002222", "Bo", "hello")
    assert mid.startswith("wamid.")
    # The same fixture set the core tests use parses through the sink too.
    sink = Collect()
    raw = (WEBHOOK_FIXTURES / "text.json").read_bytes()
    sig = "sha256=" + hmac.new(b"k", raw, hashlib.sha256).hexdigest()
    assert w.webhook_dispatch("k", raw, sig, sink) == len(sink.events) >= 1


def test_outbox_and_message_records_are_typed() -> None:
    sb = w.Sandbox(w.SandboxOptions())
    st = w.Stores("memory:")
    policies = w.policy_config_default()
    policies.quiet_hours = None
    sched = w.Scheduler(st, client_for(sb), w.SchedulerSettings(policies=policies, worker=w.worker_settings_default()))
    nope = w.OutboundMessage.TEMPLATE(w.Template(name="nope", language="en_US", components=[]))

    def item(key: str, to: str, msg: w.OutboundMessage) -> w.OutgoingMessage:
        return w.OutgoingMessage(idempotency_key=key, phone_number_id=sb.phone_number_id(), recipient=to,
                                 message=msg, category=w.Category.UTILITY, lane=w.Lane.NOTIFICATION)

    async def main() -> None:
        await st.contact_upsert(w.Contact(id="c1", e164="+15550001111", tags=[], attributes={}))
        await sched.enqueue(item("a", "+15550001111", HELLO))
        await sched.enqueue(item("b", "+15550002222", nope))
        r = await sched.run_until_idle(0, 10_000)
        assert (r.sent, r.parked) == (1, 1)
        (parked,) = await st.outbox_items("parked", 10)
        assert isinstance(parked.state, w.OutboxState.PARKED) and "132001" in parked.state.reason
        # The stored error crosses as the same ErrorDetails record the errors use.
        assert isinstance(parked.last_error, w.ErrorDetails)
        assert parked.last_error.code == "TEMPLATE" and parked.last_error.graph_code == 132001
        (rec,) = await st.messages_for_contact("c1")
        assert isinstance(rec, w.MessageRecord) and rec.direction == w.Direction.OUTBOUND
        assert rec.msg_type == "template" and rec.id.startswith("wamid.") and rec.error is None
        assert isinstance(rec.body, J.OBJECT)

    run(main())


def test_settings_records_cross_both_ways() -> None:
    sb = w.Sandbox(w.SandboxOptions(mps=500.0))
    st = w.Stores("memory:")
    limits = w.limit_config_default()
    limits.mps = 7
    limits.mps_by_number = {sb.phone_number_id(): 9}
    worker = w.worker_settings_default()
    worker.batch = 3
    w.Scheduler(st, client_for(sb), w.SchedulerSettings(limits=limits, worker=worker, tier_cap=1000))
    assert w.limit_config_default().mps != 7  # the defaults are fresh values, not shared state
    assert w.dedupe_config_default().max_block > 0
    with pytest.raises(w.WacrmError.Validation):
        w.Assignment(st, w.AssignmentSettings(strategy="coin_toss"))
    w.Assignment(st, w.AssignmentSettings(strategy="round_robin", sla_ms=60_000))

    async def main() -> None:
        c = client_for(sb)
        approved = await c.list_all_templates(sb.waba_id(), w.TemplateQuery(status=w.TemplateStatus.APPROVED(), category=w.TemplateCategory.MARKETING()))
        assert approved and all(t.category == w.TemplateCategory.MARKETING() for t in approved)
        await st.contact_upsert(w.Contact(id="a", tags=["x"], attributes={"tier": J.TEXT(value="gold")}))
        await st.contact_upsert(w.Contact(id="b", tags=["x"], attributes={"tier": J.TEXT(value="silver")}))
        gold = w.Segment(name="gold", filter=w.ContactFilter(tags_all=["x"], attributes={"tier": J.TEXT(value="gold")}))
        assert [m.id for m in await st.segment_members(gold)] == ["a"]

    run(main())
