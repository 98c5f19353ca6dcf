"""CRM mapping and sync through the Swift FFI: a bad mapping refused with its line
and reason, a mapping applied both ways, push / pull / sync against the in-process
HubSpot stand-in with typed reports."""

import pytest

import wacrm_swift as w
from conftest import ROOT, run

MAPPING = (ROOT / "tests/fixtures/crm_mapping.toml").read_text()


def contact(id: str, **kw: object) -> w.Contact:
    return w.Contact(id=id, tags=[], attributes={}, **kw)


def test_a_bad_mapping_is_refused_and_a_mapping_applies_both_ways() -> None:
    bad = MAPPING.replace('direction = "to_crm"', 'direction = "sideways"')
    problem = w.mapping_check(bad)
    assert problem is not None and problem.line == 14 and "sideways" in problem.reason
    assert w.mapping_check(MAPPING) is None
    with pytest.raises(w.WacrmError.Config):
        w.Mapping.parse(bad)
    m = w.Mapping.parse(MAPPING)
    assert [f.crm for f in m.info().fields] == ["email", "customer_rank", "sku", "city"]
    c = contact("c1", email="  Ana@Example.COM ")
    assert m.to_crm(c) == {"wacrm_id": "c1", "email": "ana@example.com", "customer_rank": "new customer", "city": ""}
    back = m.from_crm(c, {"city": "Porto", "customer_rank": "vip"})
    assert back.city == "Porto" and "rank" not in back.attributes


def test_push_pull_sync_against_the_stand_in() -> None:
    crm = w.CrmStandin("t-1")

    async def main() -> None:
        st = w.Stores("memory:")
        for i in range(3):
            await st.contact_upsert(contact(f"c{i}", email=f"user{i}@example.com", city="Lisboa"))
        m = w.Mapping.parse(MAPPING)
        sync = w.CrmSync(st, m, w.HubSpotSettings(token="t-1", base_url=crm.url()))
        pushed = await sync.push()
        assert pushed.created == 3 and pushed.rejected == 0
        assert sorted(r.properties["wacrm_id"] for r in crm.records()) == ["c0", "c1", "c2"]
        rec = next(r for r in crm.records() if r.properties["wacrm_id"] == "c1")
        assert crm.edit(rec.id, {"city": "Porto"}) is not None
        report = await sync.sync()
        assert report.pull.applied == 1
        got = await st.contact_get("c1")
        assert got is not None and got.city == "Porto"
        again = await sync.sync()
        assert again.pull.applied == 0 and again.push.created == 0 and again.push.updated == 0
        assert await sync.discrepancies() == []
        assert sync.health().successes >= 3
        with pytest.raises(w.WacrmError.Validation):
            w.CrmSync(st, m, w.HubSpotSettings(token=""))

    run(main())
