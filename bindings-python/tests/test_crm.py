"""CRM mapping and sync through the binding: a bad mapping refused with its line
and reason, a mapping applied to a contact both ways, and push / pull / sync
against the in-process HubSpot stand-in with typed reports and discrepancies."""

import asyncio
import dataclasses
import pathlib

import pytest

import wacrm
from wacrm import ConfigError, Contact, ValidationError
from wacrm.crm import AsyncCrmSync, CrmStandin, CrmSync, HubSpotSettings, Mapping, PushReport

MAPPING = (pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures/crm_mapping.toml").read_text()


def test_a_bad_mapping_is_refused_with_its_line_and_reason() -> None:
    bad = MAPPING.replace('direction = "to_crm"', 'direction = "sideways"')
    problem = Mapping.check(bad)
    assert problem is not None and problem.line == 14 and "sideways" in problem.reason
    assert Mapping.check(MAPPING) is None
    with pytest.raises(ConfigError) as refused:
        Mapping.parse(bad)
    assert "line 14" in str(refused.value)
    unknown = Mapping.check(MAPPING.replace('"trim", "lowercase"', '"trim", "shout"'))
    assert unknown is not None and unknown.line > 0 and "shout" in unknown.reason


def test_a_mapping_applied_to_a_contact_both_ways() -> None:
    m = Mapping.parse(MAPPING)
    info = m.info()
    assert info.crm_id_property == "wacrm_id" and info.maps == ["sku"]
    assert [(f.local, f.crm, f.direction) for f in info.fields][0] == ("email", "email", "both")
    assert info.fields[0].transform == ["trim", "lowercase"]
    c = Contact(id="c1", email="  Ana@Example.COM ", attributes={"product": "Widget"})
    props = m.to_crm(c)
    # city is empty and its null policy is "clear": HubSpot clears on "".
    assert props == {"wacrm_id": "c1", "email": "ana@example.com", "customer_rank": "new customer",
                     "sku": "SKU-001", "city": ""}
    back = m.from_crm(c, {"sku": "SKU-001", "city": "Porto", "customer_rank": "vip", "email": "x@y.z"})
    assert back.attributes["product"] == "Widget" and back.city == "Porto" and back.email == "x@y.z"
    # customer_rank is to_crm only: never pulled.
    assert "rank" not in back.attributes
    with pytest.raises(ValidationError):
        m.to_crm(dataclasses.replace(c, attributes={"product": "Unknown"}))


def test_push_pull_sync_against_the_stand_in() -> None:
    crm = CrmStandin("t-123")
    stores = wacrm.Stores("memory:")
    for i in range(3):
        stores.contact_upsert(Contact(id=f"c{i}", email=f"user{i}@example.com", city="Lisboa",
                                      attributes={"product": "Widget"}))
    mapping = Mapping.parse(MAPPING)
    with pytest.raises(ValidationError):
        CrmSync(stores, mapping, HubSpotSettings(token=""))
    sync = CrmSync(stores, mapping, HubSpotSettings(token="t-123", base_url=crm.url))
    first = sync.push()
    assert isinstance(first, PushReport) and first.created == 3 and first.rejected == 0
    assert sorted(r.properties["wacrm_id"] for r in crm.records()) == ["c0", "c1", "c2"]
    assert crm.stats().records == 3

    rec = next(r for r in crm.records() if r.properties["wacrm_id"] == "c1")
    assert crm.edit(rec.id, {"city": "Porto"}) is not None
    assert crm.edit("999999", {"city": "x"}) is None
    report = sync.sync()
    assert report.pull.applied == 1 and report.push.created == 0
    c1 = stores.contact_get("c1")
    assert c1 is not None and c1.city == "Porto"
    # Nothing changed since: a second run does nothing.
    again = sync.sync()
    assert again.pull.applied == 0 and again.push.updated == 0 and again.push.created == 0
    assert sync.discrepancies() == []
    assert sync.health().successes >= 3

    # A wrong token is an authentication failure, typed.
    denied = CrmSync(stores, mapping, HubSpotSettings(token="wrong", base_url=crm.url, name="other"))
    with pytest.raises(wacrm.WacrmError):
        denied.push()


def test_the_async_sync_has_the_same_operations() -> None:
    crm = CrmStandin()
    stores = wacrm.Stores("memory:")
    stores.contact_upsert(Contact(id="a1", email="a@example.com"))
    sync = AsyncCrmSync(stores, Mapping.parse(MAPPING), HubSpotSettings(token=crm.token, base_url=crm.url))

    async def main() -> None:
        assert (await sync.push()).created == 1
        assert (await sync.pull()).fetched >= 0
        assert await sync.discrepancies() == []

    asyncio.run(main())
