"""Keep contacts and HubSpot in step through a field mapping, against the
in-process HubSpot stand-in: push, a CRM user's edit pulled back, a conflict
resolved by last-write-wins and recorded, and a second sync that changes nothing."""

import dataclasses
import pathlib
import time

import wacrm
from wacrm import Contact
from wacrm.crm import CrmStandin, CrmSync, HubSpotSettings, Mapping

MAPPING = pathlib.Path(__file__).with_name("crm_mapping.toml")


def main() -> None:
    crm = CrmStandin()
    stores = wacrm.Stores("memory:")
    for i, (first, product) in enumerate([("Ana", "Widget"), ("Bruno", "Gadget"), ("Carla", "Widget")]):
        stores.contact_upsert(Contact(id=f"c{i}", first_name=first, last_name="Silva", e164=f"+35191234500{i}",
                                      email=f"  {first.upper()}@Example.com ", attributes={"product": product}))

    mapping = Mapping.load(str(MAPPING))
    print("fields:", [f"{f.local}->{f.crm}" for f in mapping.info().fields])
    sync = CrmSync(stores, mapping, HubSpotSettings(token=crm.token, base_url=crm.url))

    pushed = sync.push()
    print("push:", pushed)
    assert pushed.created == 3 and pushed.rejected == 0
    by_id = {r.properties["wacrm_id"]: r for r in crm.records()}
    assert by_id["c0"].properties["email"] == "ana@example.com"
    assert by_id["c0"].properties["sku"] == "SKU-001" and by_id["c1"].properties["sku"] == "SKU-002"
    assert by_id["c0"].properties["customer_rank"] == "new customer"

    # A CRM user moves Ana to "customer" and renames her; we rename her too, later.
    crm.edit(by_id["c0"].id, {"lifecyclestage": "customer", "lastname": "Costa"})
    time.sleep(0.01)
    ana = stores.contact_get("c0")
    assert ana is not None
    stores.contact_upsert(dataclasses.replace(ana, last_name="Sousa"))

    report = sync.sync()
    print("sync:", report)
    ana = stores.contact_get("c0")
    assert ana is not None and ana.attributes.get("stage") == "customer"
    # Last write wins: the local rename came later, so it stays and is pushed.
    assert ana.last_name == "Sousa"
    assert {r.properties["wacrm_id"]: r for r in crm.records()}["c0"].properties["lastname"] == "Sousa"
    found = sync.discrepancies()
    print("discrepancies:", [(d.key, d.field, d.local, d.remote, d.resolution) for d in found])
    assert any(d.field == "lastname" for d in found)

    again = sync.sync()
    assert again.push.created == 0 and again.push.updated == 0 and again.pull.applied == 0, again
    health = sync.health()
    assert health.attempts > 0 and health.successes > 0
    print("second sync changed nothing; health:", health.attempts, "attempts")


if __name__ == "__main__":
    main()
