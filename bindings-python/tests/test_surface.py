import asyncio
import hashlib
import hmac
import json
import multiprocessing
import time

import pytest

import wacrm
from wacrm import messages


def test_phone_parse_and_normalize() -> None:
    p = wacrm.phone.parse("090-1234-5678", "JP")
    assert p["e164"] == "+819012345678"
    assert p["region"] == "JP" and p["number_type"] == "mobile" and p["valid"] is True
    rows = wacrm.phone.normalize(["+52 55 1234 5678", "nope"], "JP")
    assert rows[0]["wa_id"] == "5215512345678"
    assert rows[1]["error"].startswith("no_number")
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
    assert events[0]["kind"] == "message"
    assert events[0]["content"]["body"] == "こんにちは 😀"
    e = events[0]
    assert (e.kind, e.id, e.wa_id, e.phone_number_id, e.text, e.message_type) == (
        "message", "wamid.A", "819012345678", "9", "こんにちは 😀", "text")
    assert json.loads(e.raw or "")["text"]["body"] == "こんにちは 😀"
    assert "content" in e and e.to_dict()["kind"] == "message"
    v = wacrm.webhook.Verifier("s3cret")
    assert v.verify_and_parse(body, sig)[0].text == "こんにちは 😀"
    assert "s3cret" not in repr(v)
    unknown = wacrm.webhook.parse(b'{"object":"x","entry":[{"id":"1","changes":[{"field":"calls","value":{"a":1}}]}]}')
    assert unknown[0].kind == "unknown" and json.loads(unknown[0].raw or "") == {"a": 1}
    with pytest.raises(wacrm.WebhookSignatureError):
        wacrm.webhook.verify("other", body, sig)
    with pytest.raises(wacrm.WebhookSignatureError):
        wacrm.webhook.verify("s3cret", body, None)


def test_sync_client_against_the_sandbox() -> None:
    sb = wacrm.Sandbox()
    c = wacrm.Client(sb.access_token, sb.base_url)
    sb.inbound_text("819012345678", "Hanako", "hi")
    r = c.send_text(sb.phone_number_id, "+81 90-1234-5678", "hello")
    assert r["messages"][0]["id"].startswith("wamid.")
    r = c.send(sb.phone_number_id, "+15550001111", messages.template("order_update", "en_US", ["Ana", "#1"]), idempotency_key="k1")
    assert sb.ledger()[-1]["idempotency_key"] == "k1"
    with pytest.raises(wacrm.TemplateError) as info:
        c.send(sb.phone_number_id, "+15550001111", messages.template("nope"))
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
            ac.send(sb.phone_number_id, f"+1555000{i:04d}", messages.template("hello_world")) for i in range(20)
        ])
        assert len({r["messages"][0]["id"] for r in results}) == 20
        with pytest.raises(RuntimeError, match="running event loop"):
            c.send_text(sb.phone_number_id, "+15550001111", "x")
        return time.perf_counter() - start

    asyncio.run(main())
    assert len(sb.ledger()) == 20


def _child_send(base_url: str, token: str, number: str, q: "multiprocessing.Queue[str]") -> None:
    r = wacrm.Client(token, base_url).send(number, "+15559990000", messages.template("hello_world"))
    q.put(r["messages"][0]["id"])


def test_client_works_in_a_forked_child() -> None:
    sb = wacrm.Sandbox()
    wacrm.Client(sb.access_token, sb.base_url).send(sb.phone_number_id, "+15559990001", messages.template("hello_world"))
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
        "from wacrm import messages\n"
        "sb = wacrm.Sandbox()\n"
        "c = wacrm.AsyncClient(sb.access_token, sb.base_url)\n"
        "async def main():\n"
        "    await c.send(sb.phone_number_id, '+15550001111', messages.template('hello_world'))\n"
        "    try:\n"
        "        await c.send(sb.phone_number_id, '+15550001111', messages.template('nope'))\n"
        "    except wacrm.TemplateError:\n"
        "        pass\n"
        "asyncio.run(main())\n"
    )
    codes = [subprocess.run([sys.executable, "-c", script], timeout=60).returncode for _ in range(30)]
    assert codes == [0] * 30
