"""Free functions: phone numbers and webhooks, with typed results."""

import hashlib
import hmac
import json

import pytest

import wacrm_swift as w
from conftest import WEBHOOK_FIXTURES

E = w.WebhookEvent


def test_phone() -> None:
    p = w.phone_parse("090-1234-5678", "JP")
    assert isinstance(p, w.PhoneInfo)
    assert p.e164 == "+819012345678" and p.country_code == 81 and p.valid is True
    assert p.number_type == w.NumberType.MOBILE
    rows = w.phone_normalize(["+52 55 1234 5678", "nope"], "JP")
    assert isinstance(rows[0], w.NormalizedRow)
    assert rows[0].wa_id == "5215512345678" and rows[0].error is None
    assert rows[1].valid is False and rows[1].error
    with pytest.raises(w.WacrmError.Validation):
        w.phone_parse("12", "JP")


def body(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def test_webhook_non_ascii_signature_and_parse() -> None:
    b = body({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "9", "display_phone_number": "1"},
        "contacts": [{"profile": {"name": "花子"}, "wa_id": "1"}],
        "messages": [{"from": "1", "id": "wamid.A", "timestamp": "1", "type": "text", "text": {"body": "こんにちは"},
                      "context": {"from": "2", "id": "wamid.P"}}]}}]}]})
    sig = "sha256=" + hmac.new(b"k", b, hashlib.sha256).hexdigest()
    w.webhook_verify("k", b, sig)
    (ev,) = w.webhook_parse(b)
    assert isinstance(ev, E.MESSAGE) and ev.is_message()
    m = ev.event
    assert isinstance(m, w.InboundEvent)
    assert m.id == "wamid.A" and m.routing.phone_number_id == "9" and m.timestamp == 1
    assert isinstance(m.content, w.MessageContent.TEXT) and m.content.body == "こんにちは"
    assert m.contact is not None and m.contact.name == "花子"
    assert m.context is not None and m.context.id == "wamid.P"
    assert json.loads(m.raw)["id"] == "wamid.A"
    with pytest.raises(w.WacrmError.Webhook) as info:
        w.webhook_verify("other", b, sig)
    assert info.value.code == "WEBHOOK"


def parse(name: str) -> list:
    return w.webhook_parse((WEBHOOK_FIXTURES / name).read_bytes())


def test_every_event_kind_is_a_typed_case() -> None:
    seen = set()
    for f in sorted(WEBHOOK_FIXTURES.glob("*.json")):
        for ev in w.webhook_parse(f.read_bytes()):
            seen.add(type(ev).__name__)
            if not isinstance(ev, E.ERROR):
                # Every kind but error keeps its source JSON, named raw (an odd
                # entry's source may be any JSON value, so only parse it here).
                json.loads(ev.event.raw)
    kinds = ["MESSAGE", "STATUS", "ERROR", "CALL", "CALL_STATUS", "TEMPLATE_STATUS", "TEMPLATE_QUALITY",
             "TEMPLATE_CATEGORY", "PHONE_NUMBER_QUALITY", "PHONE_NUMBER_NAME", "ACCOUNT_ALERT", "ACCOUNT_UPDATE",
             "MESSAGE_ECHO", "HISTORY", "APP_STATE_SYNC", "UNKNOWN"]
    assert seen == {f"WebhookEvent.{k}" for k in kinds}


def test_event_payloads_are_typed() -> None:
    st = [e for e in parse("status_delivered.json") if isinstance(e, E.STATUS)][0].event
    assert isinstance(st, w.StatusEvent) and st.status == w.StatusKind.DELIVERED()
    (err,) = parse("errors_system.json")
    assert isinstance(err.event, w.ErrorEvent) and isinstance(err.event.error, w.GraphError) and err.event.error.code
    tpl = [e for e in parse("template_status_update.json") if isinstance(e, E.TEMPLATE_STATUS)][0].event
    assert isinstance(tpl, w.TemplateStatusUpdate) and isinstance(tpl.data, w.TemplateStatusChange) and tpl.data.event
    call = parse("calls_connect.json")[0].event
    assert isinstance(call, w.CallUpdate) and call.field == "calls" and call.data.id
    acct = parse("account_update_ban.json")[0].event
    assert isinstance(acct.data, w.AccountUpdate) and acct.data.event
    hist = parse("history.json")[0].event
    assert isinstance(hist.data, w.History) and hist.data.threads
    sync = parse("smb_app_state_sync.json")[0].event
    assert isinstance(sync.data, w.AppStateSync) and sync.data.sync_type
    echo = parse("message_echoes.json")[0].event
    assert isinstance(echo.data, w.MessageEcho) and isinstance(echo.data.content, w.MessageContent)
    unknown = [e for e in parse("unknown_field.json") if isinstance(e, E.UNKNOWN)][0].event
    assert isinstance(unknown, w.UnknownEvent) and unknown.field and json.loads(unknown.raw)


def test_inbound_content_kinds() -> None:
    def content(name: str) -> object:
        return [e for e in parse(name) if isinstance(e, E.MESSAGE)][0].event.content

    C = w.MessageContent
    loc = content("location.json")
    assert isinstance(loc, C.LOCATION) and isinstance(loc[0], w.LocationInfo)
    assert isinstance(content("sticker.json"), C.STICKER)
    reply = content("interactive_button_reply.json")
    assert isinstance(reply, C.INTERACTIVE) and isinstance(reply[0], w.InteractiveReply.BUTTON_REPLY)
    contacts = content("contacts.json")
    assert isinstance(contacts, C.CONTACTS) and isinstance(contacts.contacts[0], w.JsonValue.OBJECT)
    assert isinstance(content("order.json"), C.ORDER)
    assert isinstance(content("request_welcome.json"), C.REQUEST_WELCOME)
    referral = [e for e in parse("referral_ad.json") if isinstance(e, E.MESSAGE)][0].event.referral
    assert isinstance(referral, w.Referral)
