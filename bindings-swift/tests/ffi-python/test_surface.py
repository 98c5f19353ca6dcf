import hashlib
import hmac
import json

import pytest

import wacrm_swift as w


def test_phone() -> None:
    p = json.loads(w.phone_parse("090-1234-5678", "JP"))
    assert p["e164"] == "+819012345678"
    rows = json.loads(w.phone_normalize(["+52 55 1234 5678", "nope"], "JP"))
    assert rows[0]["wa_id"] == "5215512345678"
    with pytest.raises(w.WacrmError.Validation):
        w.phone_parse("12", "JP")


def test_webhook_non_ascii_signature_and_parse() -> None:
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "9", "display_phone_number": "1"},
        "messages": [{"from": "1", "id": "wamid.A", "timestamp": "1", "type": "text", "text": {"body": "こんにちは"}}]}}]}]},
        ensure_ascii=False).encode()
    sig = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    w.webhook_verify("k", body, sig)
    assert json.loads(w.webhook_parse(body))[0]["content"]["body"] == "こんにちは"
    with pytest.raises(w.WacrmError.Webhook) as info:
        w.webhook_verify("other", body, sig)
    assert info.value.code == "WEBHOOK"
