"""The rest of the surface against the sandbox, each part through the blocking and the
async facade: client media, templates, numbers, profile and read receipts; stores by URL
with CSV import, segments and dedupe; the scheduler; assignment; CSV dedupe."""

import asyncio
import base64
import os
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import wacrm
from wacrm import assignment, messages, scheduler

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
    url = run(c.media_url(media_id))
    assert url["mime_type"] == "image/png"
    got = run(c.download_media(url["url"], f["out"]))
    assert got["bytes"] == len(PNG) and Path(f["out"]).read_bytes() == PNG
    sent = run(c.send(number, "+15550002222", messages.image(media_id=media_id, caption="logo")))
    assert sent["messages"][0]["id"].startswith("wamid.")
    assert run(c.delete_media(media_id))["success"] is True
    with pytest.raises(wacrm.ValidationError):
        run(c.upload_media(number, f["png"], "application/x-nope"))
    name = f"promo_{os.getpid()}_{time.monotonic_ns()}"
    created = run(c.create_template(waba, {"name": name, "language": "en_US", "category": "MARKETING",
                                           "components": [{"type": "BODY", "text": "Hello {{1}}"}]}))
    assert created["id"]
    page = run(c.list_templates(waba, name=name))
    assert [t["name"] for t in page["items"]] == [name]
    assert name in [t["name"] for t in run(c.list_all_templates(waba))]
    assert run(c.delete_template(waba, name))["success"] is True
    numbers = run(c.list_phone_numbers(waba))
    assert number in [n["id"] for n in numbers["items"]]
    assert run(c.get_phone_number(number))["id"] == number
    assert run(c.update_business_profile(number, {"about": "Open 9–18 ☀"}))["success"] is True
    assert run(c.get_business_profile(number))["about"] == "Open 9–18 ☀"
    inbound = sb.inbound_text("15550003333", "Eve", "hello")
    assert run(c.mark_read(number, inbound, True))["success"] is True


def test_client_surface_sync_and_async(tmp_path: Path) -> None:
    sb = wacrm.Sandbox()
    f = _files(tmp_path)
    _client_round(wacrm.Client(sb.access_token, sb.base_url), sb, f, lambda v: v)
    # The same round through the async facade, each awaitable driven by its own loop run.
    ac = wacrm.AsyncClient(sb.access_token, sb.base_url)
    _client_round(ac, sb, f, lambda aw: asyncio.run(_await(aw)))


async def _await(aw: Any) -> Any:
    return await aw


def test_unknown_operation_is_a_validation_error() -> None:
    sb = wacrm.Sandbox()
    c = wacrm.Client(sb.access_token, sb.base_url)
    with pytest.raises(wacrm.ValidationError) as info:
        c._call("launch_rockets")
    assert "unknown client operation" in str(info.value)


def test_async_calls_overlap() -> None:
    sb = wacrm.Sandbox()
    sb.set_faults(latency_ms=300)
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
    report = st.import_contacts_csv(f["csv"], ["id=external_id", "name=name", "phone=phone", "email=email",
                                               "city=city", "tags=tags"], id_column="id", region="PT",
                                    require_phone=True)
    assert [b["line"] for b in report["bad_rows"]] == [4, 5]
    assert report["imported"] + report["duplicates_in_file"] == 4
    assert st.get_contact("c6")["name"] == "山田 太郎"
    hk = st.segment_members("hk", tags_all=["hk"])
    assert sorted(c["id"] for c in hk) == ["c1", "c2"]
    assert st.find_contact_by_phone("+819012345678")["id"] == "c6"
    # Another spelling of Ana with her email: found and merged, history kept.
    st.upsert_contact({"id": "c7", "name": "Ana Souza", "email": "ana@example.com", "city": "Lisboa",
                       "e164": "+351960000000"})
    out = st.dedupe_contacts(merge=True)
    pairs = {(p["a"], p["b"]) for p in out["result"]["pairs"]}
    assert ("c1", "c7") in pairs, out["result"]["pairs"]
    assert out["merged"]["merged"] >= 1
    assert st.get_contact("c7") is None or st.get_contact("c1") is None
    # The async facade over the same database sees the same contacts.
    ast = wacrm.AsyncStores(f"sqlite://{tmp_path / 'crm.db'}")
    assert asyncio.run(_await(ast.get_contact("c2")))["name"] == "Bruno Lima"
    assert asyncio.run(_await(ast.outbox_stats()))["sent"] == 0
    with pytest.raises(wacrm.ConfigError):
        wacrm.Stores("mysql://nope")


def test_scheduler_sends_a_campaign_sync_and_async() -> None:
    sb = wacrm.Sandbox()
    st = wacrm.Stores()
    c = wacrm.Client(sb.access_token, sb.base_url)
    s = wacrm.Scheduler(st, c, limits={"mps": 50}, policies={"quiet_hours": None})
    for i in range(20):
        r = s.enqueue(scheduler.outgoing(f"camp-{i}", sb.phone_number_id, f"+1555100{i:04d}",
                                         messages.template("hello_world"), campaign_id="camp"))
        assert r == "new"
    # Enqueuing the same key again is a no-op.
    assert s.enqueue(scheduler.outgoing("camp-0", sb.phone_number_id, "+15551000000",
                                        messages.template("hello_world"))) == "duplicate"
    report = s.run_until_idle(timeout_ms=20_000)
    assert report["sent"] == 20
    assert s.stats()["sent"] == 20 and s.stats()["parked"] == 0
    assert len(sb.ledger()) == 20
    # A free-form message outside the window is parked with the reason, never dropped silently.
    s.enqueue(scheduler.outgoing("free-1", sb.phone_number_id, "+15552000000", messages.text("hi"),
                                 category="service"))
    s.run_until_idle(timeout_ms=5_000)
    parked = st.outbox_items("parked")
    assert len(parked) == 1 and "24 h" in " ".join(parked[0]["history"])

    async def main() -> Dict[str, Any]:
        a = wacrm.AsyncScheduler(st, wacrm.AsyncClient(sb.access_token, sb.base_url), policies={"quiet_hours": None})
        for i in range(5):
            await a.enqueue(scheduler.outgoing(f"async-{i}", sb.phone_number_id, f"+1555300{i:04d}",
                                               messages.template("hello_world")))
        await a.run_until_idle(timeout_ms=10_000)
        stats: Dict[str, Any] = await a.stats()
        return stats

    assert asyncio.run(main())["sent"] == 25
    assert len(sb.ledger()) == 25


def test_assignment_least_loaded_and_release() -> None:
    st = wacrm.Stores()
    a = wacrm.Assignment(st, hard_cap=2)
    a.upsert_agent(assignment.agent("ana", skills=["pt"]))
    a.upsert_agent(assignment.agent("ben"))
    outcomes: List[Dict[str, Any]] = [a.assign(assignment.request(f"conv{i}", f"cust{i}")) for i in range(4)]
    assert all(o["outcome"] == "assigned" for o in outcomes), outcomes
    assert a.loads() == {"ana": 2, "ben": 2}
    queued = a.assign(assignment.request("conv9", "cust9"))
    assert queued["outcome"] == "queued" and a.queue_len() == 1
    released = a.release("conv0")
    assert any(o["outcome"] == "assigned" and o["conversation_id"] == "conv9" for o in released)
    skilled = wacrm.Assignment(wacrm.Stores())
    skilled.upsert_agent(assignment.agent("ana", skills=["pt"]))
    skilled.upsert_agent(assignment.agent("ben"))
    o = skilled.assign(assignment.request("c", "x", required_skills=["pt"]))
    assert o["agent_id"] == "ana"

    async def main() -> Dict[str, int]:
        aa = wacrm.AsyncAssignment(wacrm.Stores(), strategy="round_robin")
        await aa.upsert_agent(assignment.agent("x"))
        await aa.assign(assignment.request("c1", "k1"))
        return await aa.loads()

    assert asyncio.run(main()) == {"x": 1}
    with pytest.raises(wacrm.ValidationError):
        wacrm.Assignment(st, strategy="coin_flip")


def test_dedupe_csv_reports_bad_rows_and_finds_pairs(tmp_path: Path) -> None:
    f = _files(tmp_path)
    out = wacrm.contacts.dedupe_csv([f["csv"]], ["name=name", "phone=phone", "email=email", "city=city"],
                                    id_column="id", region="PT")
    assert [b["line"] for b in out["reports"][0]["bad_rows"]] == [4, 5]
    pairs = [(p["a"], p["b"]) for p in out["result"]["pairs"]]
    assert ("c1", "c5") in pairs
