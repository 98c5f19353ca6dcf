"""Access and audit through the binding: an agent is refused a campaign and an
export with ForbiddenError (code FORBIDDEN), an admin is allowed, custom roles
grant what they name, and the audit log verifies and lists every attempt."""

import asyncio
from pathlib import Path

import pytest

import wacrm
from wacrm import Contact, ContactFilter, Enqueued, ForbiddenError, OutgoingMessage, ValidationError
from wacrm.access import Console, Membership, Role, Scope, User, permission_names, role_presets
from wacrm.messages import Text


def _message(key: str) -> OutgoingMessage:
    return OutgoingMessage(idempotency_key=key, phone_number_id="pn1", recipient="+15550001111",
                           message=Text(body="hello"), category="marketing")


def _seeded() -> Console:
    stores = wacrm.Stores("memory:")
    stores.contact_upsert(Contact(id="c1", e164="+15550001111"))
    console = Console(stores)
    op = console.operator("setup")
    op.upsert_user(User(id="ana", name="Ana", agent_id="ana"))
    op.upsert_user(User(id="root", name="Root"))
    op.grant(Membership(user_id="ana", role="agent"))
    op.grant(Membership(user_id="root", role="admin", scope=Scope()))
    return console


def test_agent_is_refused_admin_is_allowed_and_the_log_lists_both(tmp_path: Path) -> None:
    console = _seeded()
    agent = console.as_user("ana", client_id="web-1")
    assert agent.actor == "user:ana"
    assert not agent.can("broadcast") and agent.can("send")

    with pytest.raises(ForbiddenError) as refused:
        agent.broadcast("spring", [_message("k1")])
    assert refused.value.code == "FORBIDDEN" and not refused.value.retryable
    with pytest.raises(ForbiddenError):
        agent.export_contacts(ContactFilter())

    admin = console.as_user("root")
    assert admin.broadcast("spring", [_message("k1"), _message("k2")]) == [Enqueued.NEW, Enqueued.NEW]
    assert [c.id for c in admin.export_contacts()] == ["c1"]

    verified = admin.audit_verify()
    assert verified.ok and verified.problem is None and verified.entries >= 4
    entries = admin.audit_entries()
    attempts = [(e.actor, e.action, e.outcome) for e in entries if e.action in ("campaign.start", "contacts.export")]
    assert attempts == [
        ("user:ana", "campaign.start", "forbidden"),
        ("user:ana", "contacts.export", "forbidden"),
        ("user:root", "campaign.start", "ok"),
        ("user:root", "contacts.export", "ok"),
    ]
    assert all(e.client_id == "web-1" for e in entries if e.actor == "user:ana")
    # The chain links each entry to the one before it.
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))

    out = tmp_path / "audit.csv"
    written = admin.audit_export(str(out), "csv")
    lines = out.read_text().splitlines()
    assert lines[0].startswith("seq,at,actor,action") and len(lines) == written + 1


def test_an_agent_may_not_read_the_audit_log_or_manage_users() -> None:
    console = _seeded()
    agent = console.as_user("ana")
    with pytest.raises(ForbiddenError):
        agent.audit_verify()
    with pytest.raises(ForbiddenError):
        agent.upsert_user(User(id="eve"))
    with pytest.raises(ForbiddenError):
        console.as_user("nobody")


def test_custom_roles_presets_and_memberships() -> None:
    console = _seeded()
    assert [r.name for r in role_presets()] == ["agent", "supervisor", "admin", "viewer"]
    assert "export_contacts" in permission_names()
    admin = console.as_user("root")
    admin.upsert_role(Role(name="exporter", permissions=["export_contacts"], description="reports team"))
    with pytest.raises(ValidationError):
        admin.upsert_role(Role(name="admin", permissions=["send"]))
    with pytest.raises(ValidationError):
        admin.upsert_role(Role(name="odd", permissions=["fly"]))
    admin.grant(Membership(user_id="ana", role="exporter"))
    assert "exporter" in [r.name for r in admin.list_roles()]
    ana = next(u for u in admin.list_users() if u.user.id == "ana")
    assert sorted(m.role for m in ana.memberships) == ["agent", "exporter"]

    # A new session resolves the new membership.
    assert [c.id for c in console.as_user("ana").export_contacts()] == ["c1"]
    assert admin.revoke("ana", "exporter") is True
    with pytest.raises(ForbiddenError):
        console.as_user("ana").export_contacts()


def test_async_session_has_the_same_operations() -> None:
    console = _seeded()

    async def main() -> None:
        agent = console.as_user("ana").aio
        with pytest.raises(ForbiddenError):
            await agent.broadcast("c", [_message("a1")])
        admin = console.as_user("root").aio
        assert await admin.broadcast("c", [_message("a1")]) == [Enqueued.NEW]
        assert (await admin.audit_verify()).ok

    asyncio.run(main())
