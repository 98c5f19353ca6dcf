"""The rest of the surface against the sandbox, each part through the blocking and the
async facade: client media, templates, numbers, profile and read receipts; stores by URL
with CSV import, segments and dedupe; the scheduler; assignment; CSV dedupe."""

import asyncio
import base64
import os
import time
from pathlib import Path
from typing import Any, Dict

import pytest

import wacrm
from wacrm import (
    Agent,
    AssignmentSettings,
    Contact,
    ContactFilter,
    DedupeCsvArgs,
    Enqueued,
    ImportArgs,
    LimitConfig,
    OutgoingMessage,
    PolicyConfig,
    Request,
    SchedulerSettings,
    Segment,
)
from wacrm.messages import Image, Template, Text
from wacrm.records import Assigned, Queued
from wacrm.types import BusinessProfile, Faults, NewTemplate, TemplateQuery

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

CSV = """id,name,phone,email,city,tags
c1,Ana Sousa,+351 912 345 678,ana@example.com,Lisboa,vip;hk
c2,Bruno Lima,+351 913 000 111,bruno@example.com,Porto,hk
c3,"Dora ""Dee"" Reis",+351 914 000 222,dora@example.com,Faro,extra,columns
c4,Carla Dias,not a phone,carla@example.com,Faro,
c5,Ana Souza,+351 912 345 678,ana@example.com,Lisboa,
c6,山田 太郎,+81 90-1234-5678,taro@example.jp,東京,jp
"""


def _files(tmp: Path) -> Dict[str, str]:
    (tmp / "logo.png").write_bytes(PNG)
    (tmp / "contacts.csv").write_text(CSV, encoding="utf-8")
    return {"png": str(tmp / "logo.png"), "csv": str(tmp / "contacts.csv"), "out": str(tmp / "down.png")}


def _client_round(c: Any, sb: wacrm.Sandbox, f: Dict[str, str], run: Any) -> None:
    number, waba = sb.phone_number_id, sb.waba_id
    media_id = run(c.upload_media(number, f["png"], "image/png"))
    assert isinstance(media_id, str) and media_id
    url = run(c.media_url(media_id))
    assert isinstance(url, wacrm.types.MediaUrl) and url.mime_type == "image/png"
    got = run(c.download_media(url.url, f["out"]))
    assert got.bytes == len(PNG) and Path(f["out"]).read_bytes() == PNG
    sent = run(c.send(number, "+15550002222", Image(id=media_id, caption="logo")))
    assert sent.message_id.startswith("wamid.")
    assert run(c.delete_media(media_id)).success is True
    with pytest.raises(wacrm.ValidationError):
        run(c.upload_media(number, f["png"], "application/x-nope"))
    name = f"promo_{os.getpid()}_{time.monotonic_ns()}"
    created = run(c.create_template(waba, NewTemplate(name, "en_US", "MARKETING",
                                                      [{"type": "BODY", "text": "Hello {{1}}"}])))
    assert created.id
    page = run(c.list_templates(waba, TemplateQuery(name=name)))
    assert isinstance(page, wacrm.types.TemplatePage)
    assert [t.name for t in page.items] == [name] and page.items[0].language == "en_US"
    assert name in [t.name for t in run(c.list_all_templates(waba))]
    assert run(c.delete_template(waba, name)).success is True
    numbers = run(c.list_phone_numbers(waba))
    assert number in [n.id for n in numbers.items]
    one = run(c.get_phone_number(number))
    assert isinstance(one, wacrm.types.PhoneNumber) and one.id == number and one.display_phone_number
    assert run(c.update_business_profile(number, BusinessProfile(about="Open 9–18 ☀"))).success is True
    assert run(c.get_business_profile(number)).about == "Open 9–18 ☀"
    inbound = sb.inbound_text("15550003333", "Eve", "hello")
    assert run(c.mark_read(number, inbound, True)).success is True


def test_client_surface_sync_and_async(tmp_path: Path) -> None:
    sb = wacrm.Sandbox()
    f = _files(tmp_path)
    _client_round(wacrm.Client(sb.access_token, sb.base_url), sb, f, lambda v: v)
    # The same round through the async facade, each awaitable driven by its own loop run.
    ac = wacrm.AsyncClient(sb.access_token, sb.base_url)
    _client_round(ac, sb, f, lambda aw: asyncio.run(_await(aw)))


async def _await(aw: Any) -> Any:
    return await aw


def test_async_calls_overlap() -> None:
    sb = wacrm.Sandbox()
    sb.set_faults(Faults(latency_ms=300))
    ac = wacrm.AsyncClient(sb.access_token, sb.base_url)

    async def main() -> float:
        start = time.perf_counter()
        await asyncio.gather(*[ac.send_text(sb.phone_number_id, f"+1555777{i:04d}", "hi") for i in range(8)])
        return time.perf_counter() - start

    sb.inbound_text("15557770000", "x", "open the window")
    # Sequential calls would take 8 x 300 ms; overlapping ones about one latency.
    assert asyncio.run(main()) < 8 * 0.3 / 2


def test_stores_import_segments_and_dedupe(tmp_path: Path) -> None:
    f = _files(tmp_path)
    st = wacrm.Stores(f"sqlite://{tmp_path / 'crm.db'}")
    report = st.contacts_import_csv(ImportArgs(f["csv"], ["id=external_id", "name=name", "phone=phone", "email=email",
                                                         "city=city", "tags=tags"], id_column="id", region="PT",
                                               require_phone=True))
    assert [b.line for b in report.bad_rows] == [4, 5]
    assert all(b.reason for b in report.bad_rows)
    assert report.imported + report.duplicates_in_file == 4
    c6 = st.contact_get("c6")
    assert isinstance(c6, Contact) and c6.name == "山田 太郎" and c6.e164 == "+819012345678"
    hk = st.segment_members(Segment("hk", ContactFilter(tags_all=["hk"], has_phone=True)))
    assert sorted(c.id for c in hk) == ["c1", "c2"]
    found = st.contact_find_by_phone("+819012345678")
    assert found is not None and found.id == "c6"
    # Another spelling of Ana with her email: found and merged, history kept.
    stored = st.contact_upsert(Contact("c7", name="Ana Souza", email="ana@example.com", city="Lisboa",
                                       e164="+351960000000"))
    assert stored.id == "c7" and stored.version >= 1
    out = st.contacts_dedupe(merge=True)
    pairs = {(p.a, p.b) for p in out.result.pairs}
    assert ("c1", "c7") in pairs, out.result.pairs
    assert out.merged is not None and out.merged.merged >= 1
    assert st.contact_get("c7") is None or st.contact_get("c1") is None
    # The async facade over the same database sees the same contacts.
    ast = wacrm.AsyncStores(f"sqlite://{tmp_path / 'crm.db'}")
    c2 = asyncio.run(_await(ast.contact_get("c2")))
    assert c2 is not None and c2.name == "Bruno Lima"
    assert asyncio.run(_await(ast.outbox_stats())).sent == 0
    with pytest.raises(wacrm.ConfigError):
        wacrm.Stores("mysql://nope")


def test_scheduler_sends_a_campaign_sync_and_async() -> None:
    sb = wacrm.Sandbox()
    st = wacrm.Stores()
    c = wacrm.Client(sb.access_token, sb.base_url)
    settings = SchedulerSettings(limits=LimitConfig(mps=50), policies=PolicyConfig(quiet_hours=None))
    s = wacrm.Scheduler(st, c, settings)
    for i in range(20):
        r = s.enqueue(OutgoingMessage(f"camp-{i}", sb.phone_number_id, f"+1555100{i:04d}",
                                      Template("hello_world"), campaign_id="camp"))
        assert r is Enqueued.NEW
    # Enqueuing the same key again is a no-op.
    assert s.enqueue(OutgoingMessage("camp-0", sb.phone_number_id, "+15551000000",
                                     Template("hello_world"))) is Enqueued.DUPLICATE
    report = s.run_until_idle(timeout_ms=20_000)
    assert report.sent == 20
    assert s.stats().sent == 20 and s.stats().parked == 0
    assert len(sb.ledger()) == 20
    # A free-form message outside the window is parked with the reason, never dropped silently.
    s.enqueue(OutgoingMessage("free-1", sb.phone_number_id, "+15552000000", Text("hi"), category="service"))
    s.run_until_idle(timeout_ms=5_000)
    parked = st.outbox_items("parked")
    assert len(parked) == 1 and parked[0].state.state == "parked" and "24 h" in (parked[0].state.reason or "")
    assert "24 h" in " ".join(parked[0].history)
    sent = st.outbox_items("sent", limit=5)
    assert len(sent) == 5 and all(i.campaign_id == "camp" and (i.state.message_id or "").startswith("wamid.")
                                  for i in sent)

    async def main() -> wacrm.records.OutboxStats:
        a = wacrm.AsyncScheduler(st, wacrm.AsyncClient(sb.access_token, sb.base_url),
                                 SchedulerSettings(policies=PolicyConfig(quiet_hours=None)))
        for i in range(5):
            await a.enqueue(OutgoingMessage(f"async-{i}", sb.phone_number_id, f"+1555300{i:04d}",
                                            Template("hello_world")))
        await a.run_until_idle(timeout_ms=10_000)
        return await a.stats()

    assert asyncio.run(main()).sent == 25
    assert len(sb.ledger()) == 25


def test_assignment_least_loaded_and_release() -> None:
    st = wacrm.Stores()
    a = wacrm.Assignment(st, AssignmentSettings(hard_cap=2))
    a.upsert_agent(Agent("ana", skills=["pt"]))
    a.upsert_agent(Agent("ben"))
    outcomes = [a.assign(Request(f"conv{i}", f"cust{i}")) for i in range(4)]
    assert all(isinstance(o, Assigned) for o in outcomes), outcomes
    assert a.loads() == {"ana": 2, "ben": 2}
    queued = a.assign(Request("conv9", "cust9"))
    assert isinstance(queued, Queued) and queued.position >= 0 and a.queue_len() == 1
    released = a.release("conv0")
    assert any(isinstance(o, Assigned) and o.conversation_id == "conv9" for o in released)
    skilled = wacrm.Assignment(wacrm.Stores())
    skilled.upsert_agent(Agent("ana", skills=["pt"]))
    skilled.upsert_agent(Agent("ben"))
    o = skilled.assign(Request("c", "x", required_skills=["pt"]))
    assert isinstance(o, Assigned) and o.agent_id == "ana" and o.reason.strategy

    async def main() -> Dict[str, int]:
        aa = wacrm.AsyncAssignment(wacrm.Stores(), AssignmentSettings(strategy="round_robin"))
        await aa.upsert_agent(Agent("x"))
        await aa.assign(Request("c1", "k1"))
        return await aa.loads()

    assert asyncio.run(main()) == {"x": 1}
    with pytest.raises(wacrm.ValidationError):
        wacrm.Assignment(st, AssignmentSettings(strategy="coin_flip"))  # type: ignore[arg-type]


def test_dedupe_csv_reports_bad_rows_and_finds_pairs(tmp_path: Path) -> None:
    f = _files(tmp_path)
    out = wacrm.contacts.dedupe_csv(DedupeCsvArgs([f["csv"]], ["name=name", "phone=phone", "email=email", "city=city"],
                                                  id_column="id", region="PT"))
    # Line 4 has extra columns; line 5 ("not a phone") is kept for the comparison:
    # a record is not dropped for one field that does not validate.
    assert [b.line for b in out.reports[0].bad_rows] == [4]
    pairs = [(p.a, p.b) for p in out.result.pairs]
    assert ("c1", "c5") in pairs
    assert out.result.stats.records >= 4 and any(c.survivor for c in out.result.clusters)
