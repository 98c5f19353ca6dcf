import asyncio
import hashlib
import hmac
import json
import multiprocessing
import time

import pytest

import wacrm
from wacrm import webhook
from wacrm.messages import Template, TextParam


def test_phone_parse_and_normalize() -> None:
    p = wacrm.phone.parse("090-1234-5678", "JP")
    assert isinstance(p, wacrm.types.PhoneInfo)
    assert p.e164 == "+819012345678"
    assert p.region == "JP" and p.number_type == "mobile" and p.valid is True and p.country_code == 81
    inputs = ["+52 55 1234 5678", "nope"]
    rows = wacrm.phone.normalize(inputs, "JP")
    assert rows[0].wa_id == "5215512345678" and rows[0].e164 == "+525512345678" and rows[0].valid
    assert rows[0].input is inputs[0]
    assert (rows[1].error or "").startswith("no_number") and rows[1].e164 is None
    with pytest.raises(wacrm.ValidationError) as info:
        wacrm.phone.parse("12", "JP")
    assert info.value.code == "VALIDATION"


def test_webhook_signature_with_non_ascii_body() -> None:
    body = json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": "9", "display_phone_number": "1"},
            "messages": [{"from": "819012345678", "id": "wamid.A", "timestamp": "1", "type": "text", "text": {"body": "こんにちは 😀"}}]}}]}]},
        ensure_ascii=False,
    ).encode("utf-8")
    sig = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    events = wacrm.webhook.verify_and_parse("s3cret", body, sig)
    e = events[0]
    assert isinstance(e, webhook.MessageEvent)
    assert isinstance(e.content, wacrm.events.TextContent)
    assert (e.kind, e.id, e.from_, e.routing.phone_number_id, e.text, e.content.body, e.timestamp) == (
        "message", "wamid.A", "819012345678", "9", "こんにちは 😀", "こんにちは 😀", 1)
    assert json.loads(e.raw)["text"]["body"] == "こんにちは 😀"
    v = wacrm.webhook.Verifier("s3cret")
    again = v.verify_and_parse(body, sig)[0]
    assert isinstance(again, webhook.MessageEvent) and again.text == "こんにちは 😀"
    assert "s3cret" not in repr(v)
    unknown = wacrm.webhook.parse(b'{"object":"x","entry":[{"id":"1","changes":[{"field":"nope","value":{"a":1}}]}]}')
    assert isinstance(unknown[0], webhook.UnknownEvent)
    assert unknown[0].field == "nope" and json.loads(unknown[0].raw) == {"a": 1}
    with pytest.raises(wacrm.WebhookSignatureError):
        wacrm.webhook.verify("other", body, sig)
    with pytest.raises(wacrm.WebhookSignatureError):
        wacrm.webhook.verify("s3cret", body, None)


def test_sync_client_against_the_sandbox() -> None:
    sb = wacrm.Sandbox()
    c = wacrm.Client(sb.access_token, sb.base_url)
    sb.inbound_text("819012345678", "Hanako", "hi")
    r = c.send_text(sb.phone_number_id, "+81 90-1234-5678", "hello")
    assert isinstance(r, wacrm.types.SendResponse)
    assert r.message_id.startswith("wamid.") and r.messages[0].id == r.message_id
    assert r.contacts[0].wa_id == "819012345678"
    r = c.send(sb.phone_number_id, "+15550001111", Template("order_update", "en_US", body=[TextParam("Ana"), TextParam("#1")]),
               idempotency_key="k1")
    last = sb.ledger()[-1]
    assert last.idempotency_key == "k1" and last.type_ == "template" and last.id == r.message_id
    with pytest.raises(wacrm.TemplateError) as info:
        c.send(sb.phone_number_id, "+15550001111", Template("nope"))
    assert info.value.graph_code == 132001
    assert info.value.retryable is False
    with pytest.raises(wacrm.ValidationError):
        c.send_text(sb.phone_number_id, "+15550001111", "")
    bad = wacrm.Client("wrong-token", sb.base_url)
    with pytest.raises(wacrm.AuthError) as auth:
        bad.send_text(sb.phone_number_id, "+15550001111", "x")
    assert auth.value.http_status == 401
    assert "wrong-token" not in repr(bad)


def test_async_client_calls_overlap_and_sync_refuses_inside_a_loop() -> None:
    sb = wacrm.Sandbox()
    ac = wacrm.AsyncClient(sb.access_token, sb.base_url)
    c = wacrm.Client(sb.access_token, sb.base_url)

    async def main() -> float:
        start = time.perf_counter()
        results = await asyncio.gather(*[
            ac.send(sb.phone_number_id, f"+1555000{i:04d}", Template("hello_world")) for i in range(20)
        ])
        assert len({r.message_id for r in results}) == 20
        with pytest.raises(RuntimeError, match="running event loop"):
            c.send_text(sb.phone_number_id, "+15550001111", "x")
        return time.perf_counter() - start

    asyncio.run(main())
    assert len(sb.ledger()) == 20


def _child_send(base_url: str, token: str, number: str, q: "multiprocessing.Queue[str]") -> None:
    r = wacrm.Client(token, base_url).send(number, "+15559990000", Template("hello_world"))
    q.put(r.message_id)


def test_client_works_in_a_forked_child() -> None:
    sb = wacrm.Sandbox()
    wacrm.Client(sb.access_token, sb.base_url).send(sb.phone_number_id, "+15559990001", Template("hello_world"))
    ctx = multiprocessing.get_context("fork")
    q: "multiprocessing.Queue[str]" = ctx.Queue()
    p = ctx.Process(target=_child_send, args=(sb.base_url, sb.access_token, sb.phone_number_id, q))
    p.start()
    p.join(20)
    assert p.exitcode == 0
    assert q.get(timeout=5).startswith("wamid.")


def test_interpreter_exit_right_after_an_await_is_clean() -> None:
    # Engine threads resolving futures while the interpreter finalizes used to crash
    # (about one run in fifteen); the atexit hook makes exit wait for them.
    import subprocess
    import sys

    script = (
        "import asyncio, wacrm\n"
        "from wacrm.messages import Template\n"
        "sb = wacrm.Sandbox()\n"
        "c = wacrm.AsyncClient(sb.access_token, sb.base_url)\n"
        "async def main():\n"
        "    await c.send(sb.phone_number_id, '+15550001111', Template('hello_world'))\n"
        "    try:\n"
        "        await c.send(sb.phone_number_id, '+15550001111', Template('nope'))\n"
        "    except wacrm.TemplateError:\n"
        "        pass\n"
        "asyncio.run(main())\n"
    )
    codes = [subprocess.run([sys.executable, "-c", script], timeout=60).returncode for _ in range(30)]
    assert codes == [0] * 30
