import asyncio
from typing import Dict, List

from typing_extensions import assert_type

import wacrm
from wacrm import Enqueued, OutgoingMessage
from wacrm.access import AuditEntry, AuditVerification, Console, Membership, Role, Session, User
from wacrm.messages import Text
from wacrm.records import Contact


def console(st: wacrm.Stores) -> None:
    c = Console(st)
    op = c.operator("setup")
    op.upsert_user(User("ana", "Ana"))
    op.grant(Membership("ana", "agent"))
    op.upsert_role(Role("exporter", ["export_contacts"]))
    s = c.as_user("ana", client_id="web")
    assert_type(s, Session)
    queued = s.broadcast("spring", [OutgoingMessage("k", "pn1", "+15550001111", Text("hi"))])
    assert_type(queued, List[Enqueued])
    assert_type(s.export_contacts(), List[Contact])
    v = s.audit_verify()
    assert_type(v, AuditVerification)
    assert_type(v.ok, bool)
    assert_type(s.audit_entries(), List[AuditEntry])
    assert_type(s.revoke("ana", "exporter"), bool)

    async def later() -> None:
        got = await s.aio.audit_verify()
        assert_type(got, AuditVerification)

    asyncio.run(later())


def crm(st: wacrm.Stores) -> None:
    from wacrm.crm import CrmStandin, CrmSync, HubSpotSettings, Mapping, MappingProblem, PushReport, SyncReport

    standin = CrmStandin()
    m = Mapping.parse("[identity]\ncrm_id_property = \"wacrm_id\"\n")
    problem = Mapping.check("x")
    if problem is not None:
        assert_type(problem, MappingProblem)
        assert_type(problem.line, int)
    sync = CrmSync(st, m, HubSpotSettings(token=standin.token, base_url=standin.url))
    assert_type(sync.push(), PushReport)
    assert_type(sync.sync(), SyncReport)
    assert_type(m.to_crm(Contact(id="c1")), Dict[str, str])
