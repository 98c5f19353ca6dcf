"""Access and audit through the Swift FFI: an agent is refused a campaign and an
export with WacrmError.Forbidden (code FORBIDDEN), an admin is allowed, custom
roles grant what they name, and the audit log verifies and lists every attempt."""

import pytest

import wacrm_swift as w
from conftest import run

HELLO = w.OutboundMessage.TEMPLATE(w.Template(name="hello_world", language="en_US", components=[]))
ALL = w.ContactFilter(tags_all=[], tags_any=[], tags_none=[], attributes={}, has_phone=False)


def message(key: str) -> w.OutgoingMessage:
    return w.OutgoingMessage(idempotency_key=key, phone_number_id="pn1", recipient="+15550001111",
                             message=HELLO, category=w.Category.MARKETING, lane=w.Lane.MARKETING)


async def seeded() -> w.Console:
    st = w.Stores("memory:")
    await st.contact_upsert(w.Contact(id="c1", e164="+15550001111", tags=[], attributes={}))
    console = w.Console(st, None)
    op = console.operator("setup")
    await op.upsert_user(w.User(id="ana", name="Ana", agent_id="ana"))
    await op.upsert_user(w.User(id="root", name="Root"))
    everywhere = w.Scope(teams=[], numbers=[])
    await op.grant(w.Membership(user_id="ana", role="agent", scope=everywhere))
    await op.grant(w.Membership(user_id="root", role="admin", scope=everywhere))
    return console


def test_agent_refused_admin_allowed_and_the_log_lists_both() -> None:
    async def main() -> None:
        console = await seeded()
        agent = await console.as_user("ana", "ios-1")
        assert agent.actor() == "user:ana"
        assert agent.can("send") and not agent.can("broadcast")
        with pytest.raises(w.WacrmError.Forbidden) as refused:
            await agent.broadcast("spring", [message("k1")])
        assert refused.value.code == "FORBIDDEN" and refused.value.retryable is False
        with pytest.raises(w.WacrmError.Forbidden):
            await agent.export_contacts(ALL)

        admin = await console.as_user("root", None)
        assert await admin.broadcast("spring", [message("k1"), message("k2")]) == [w.Enqueued.NEW, w.Enqueued.NEW]
        assert [c.id for c in await admin.export_contacts(ALL)] == ["c1"]

        verified = await admin.audit_verify()
        assert verified.problem is None and verified.entries >= 4
        entries = await admin.audit_entries(None, None)
        attempts = [(e.actor, e.action, e.outcome) for e in entries if e.action in ("campaign.start", "contacts.export")]
        assert attempts == [
            ("user:ana", "campaign.start", w.AuditOutcome.FORBIDDEN),
            ("user:ana", "contacts.export", w.AuditOutcome.FORBIDDEN),
            ("user:root", "campaign.start", w.AuditOutcome.OK),
            ("user:root", "contacts.export", w.AuditOutcome.OK),
        ]
        assert all(e.client_id == "ios-1" for e in entries if e.actor == "user:ana")
        assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))

    run(main())


def test_custom_roles_presets_and_memberships() -> None:
    async def main() -> None:
        console = await seeded()
        assert [r.name for r in w.role_presets()] == ["agent", "supervisor", "admin", "viewer"]
        assert "view_audit" in w.permission_names()
        with pytest.raises(w.WacrmError.Forbidden):
            await console.as_user("nobody", None)
        admin = await console.as_user("root", None)
        await admin.upsert_role(w.RoleInfo(name="exporter", permissions=["export_contacts"]))
        with pytest.raises(w.WacrmError.Validation):
            await admin.upsert_role(w.RoleInfo(name="odd", permissions=["fly"]))
        await admin.grant(w.Membership(user_id="ana", role="exporter", scope=w.Scope(teams=[], numbers=[])))
        ana = next(u for u in await admin.list_users() if u.user.id == "ana")
        assert sorted(m.role for m in ana.memberships) == ["agent", "exporter"]
        agent = await console.as_user("ana", None)
        assert [c.id for c in await agent.export_contacts(ALL)] == ["c1"]
        assert await admin.revoke("ana", "exporter") is True
        agent = await console.as_user("ana", None)
        with pytest.raises(w.WacrmError.Forbidden):
            await agent.export_contacts(ALL)
        with pytest.raises(w.WacrmError.Forbidden):
            await agent.audit_verify()

    run(main())
