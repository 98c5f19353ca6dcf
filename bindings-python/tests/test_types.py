"""Typed values: every webhook fixture of the core parses into its kind's class,
messages of every type reach the sandbox in the Graph wire form, and errors
carry their ErrorDetails."""

import json
import typing
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest

import wacrm
from wacrm import events, messages, webhook
from wacrm.messages import (
    Buttons,
    ContactCard,
    ContactName,
    ContactPhone,
    Contacts,
    CurrencyParam,
    Document,
    Image,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    MediaParam,
    PayloadParam,
    Reaction,
    ReplyButton,
    Template,
    TemplateButton,
    Text,
    TextParam,
)

FIXTURES = Path(__file__).resolve().parents[2] / "core" / "tests" / "fixtures" / "webhook"
KIND_CLASSES = {c.kind: c for c in webhook.WebhookEvent.__args__}  # type: ignore[attr-defined]


def _all_events() -> List[Any]:
    out = []
    for path in sorted(FIXTURES.glob("*.json")):
        out.extend(webhook.parse(path.read_bytes()))
    return out


def test_every_fixture_event_is_its_kinds_class() -> None:
    seen: Set[str] = set()
    for e in _all_events():
        assert type(e) is KIND_CLASSES[e.kind], e
        seen.add(e.kind)
        # Every declared field decodes, and nothing is left as a serde marker.
        for name, tp in typing.get_type_hints(type(e)).items():
            if typing.get_origin(tp) is not typing.ClassVar and not name.startswith("_"):
                getattr(e, name)
        assert "$serde_json" not in json.dumps(e.to_dict(), default=str)
        assert repr(e).startswith(type(e).__name__ + "(")
        if not isinstance(e, webhook.ErrorEvent):
            json.loads(e.raw)
    assert {"message", "status", "call", "template_category", "phone_number_quality", "phone_number_name",
            "account_update", "app_state_sync", "unknown"} <= seen, seen


def test_message_contents_are_typed() -> None:
    by_type: Dict[str, Any] = {}
    for e in _all_events():
        if isinstance(e, webhook.MessageEvent):
            by_type.setdefault(type(e.content).__name__, e.content)
    assert {"TextContent", "MediaContent", "LocationContent", "ContactsContent", "InteractiveContent",
            "ButtonContent", "ReactionContent", "OrderContent", "SystemContent", "OtherContent"} <= set(by_type)
    reply = by_type["InteractiveContent"]
    assert reply.reply_type == "button_reply" and reply.id and reply.title
    media = by_type["MediaContent"]
    assert media.type_ in ("image", "audio", "video", "document", "sticker") and media.id


def test_status_and_updates_carry_their_fields() -> None:
    evs = _all_events()
    status = next(e for e in evs if isinstance(e, webhook.StatusEvent))
    assert status.status in ("sent", "delivered", "read", "failed") and status.id.startswith("wamid.")
    call = next(e for e in evs if isinstance(e, webhook.CallEvent))
    assert isinstance(call.data, wacrm.updates.Call) and call.data.id and call.routing.phone_number_id
    cat = next(e for e in evs if isinstance(e, webhook.TemplateCategoryEvent))
    assert cat.data.template_name and cat.data.new_category


def _shapes(sb: wacrm.Sandbox, c: wacrm.Client, msgs: List[messages.Message]) -> List[Dict[str, Any]]:
    sb.inbound_text("15550009999", "Eve", "open the window")
    for m in msgs:
        c.send(sb.phone_number_id, "+15550009999", m)
    return [e.body for e in sb.ledger()[-len(msgs):]]


def test_every_message_type_reaches_the_api_in_wire_form() -> None:
    sb = wacrm.Sandbox()
    c = wacrm.Client(sb.access_token, sb.base_url)
    bodies = _shapes(sb, c, [
        Text("hi", preview_url=True),
        Image(link="https://example.com/a.png", caption="logo"),
        Document(id="123", filename="a.pdf"),
        Location(38.7, -9.1, name="Lisboa"),
        Contacts([ContactCard(ContactName("Ana Sousa"), phones=[ContactPhone("+351912345678", type_="CELL")])]),
        Reaction("wamid.X", "👍"),
        Buttons("Pick", [ReplyButton("y", "Yes"), ReplyButton("n", "No")], header="Q"),
        ListMessage("Menu", "Open", [ListSection([ListRow("a", "A", "first")], title="S")]),
        Template("order_update", "en_US", body=[TextParam("Ana"), CurrencyParam("$1", "USD", 1000)],
                 header=[MediaParam("image", link="https://example.com/h.png")],
                 buttons=[TemplateButton("quick_reply", 0, [PayloadParam("p")])]),
    ])
    assert bodies[0]["text"] == {"body": "hi", "preview_url": True}
    assert bodies[1]["image"] == {"link": "https://example.com/a.png", "caption": "logo"}
    assert bodies[2]["document"] == {"id": "123", "filename": "a.pdf"}
    assert bodies[3]["location"]["name"] == "Lisboa"
    assert bodies[4]["contacts"][0]["phones"][0] == {"phone": "+351912345678", "type": "CELL"}
    assert bodies[5]["reaction"] == {"message_id": "wamid.X", "emoji": "👍"}
    assert [b["reply"]["id"] for b in bodies[6]["interactive"]["action"]["buttons"]] == ["y", "n"]
    assert bodies[7]["interactive"]["action"]["sections"][0]["rows"][0]["description"] == "first"
    t = bodies[8]["template"]
    assert t["language"] == {"code": "en_US"}
    assert [x["type"] for x in t["components"]] == ["header", "body", "button"]
    assert t["components"][1]["parameters"][1]["currency"]["amount_1000"] == 1000


def test_media_needs_exactly_one_source() -> None:
    with pytest.raises(ValueError):
        wacrm._convert.encode(Image())
    with pytest.raises(ValueError):
        wacrm._convert.encode(Image(id="1", link="https://x"))


def test_errors_carry_error_details() -> None:
    sb = wacrm.Sandbox()
    c = wacrm.Client(sb.access_token, sb.base_url)
    with pytest.raises(wacrm.TemplateError) as info:
        c.send(sb.phone_number_id, "+15550001111", Template("nope"))
    d = info.value.details
    assert isinstance(d, wacrm.ErrorDetails)
    assert (d.code, d.kind, d.graph_code, d.retryable) == ("TEMPLATE", "template", 132001, False)
    assert info.value.graph_code == 132001
    with pytest.raises(wacrm.ValidationError) as bad:
        c.send_text(sb.phone_number_id, "+15550001111", "")
    assert bad.value.details.code == "VALIDATION"


def test_a_pending_operation_runs_once() -> None:
    sb = wacrm.Sandbox()
    native = wacrm.Client(sb.access_token, sb.base_url)._native
    pending = native.send_text(sb.phone_number_id, "+15550001111", "x")
    sb.inbound_text("15550001111", "x", "open")
    assert pending.wait()["messages"][0]["id"].startswith("wamid.")
    with pytest.raises(RuntimeError, match="already ran"):
        pending.wait()


def test_events_are_read_only_and_compare_by_value() -> None:
    body = (FIXTURES / "text.json").read_bytes()
    a, b = webhook.parse(body)[0], webhook.parse(body)[0]
    assert a == b and a is not b
    with pytest.raises(AttributeError):
        a.id = "changed"  # type: ignore[misc]
    assert a.to_dict()["kind"] == "message"


def test_policy_defaults_are_the_cores() -> None:
    assert wacrm._convert.encode(wacrm.PolicyConfig()) == wacrm._native.policy_defaults()


CLIENT_FIXTURES = Path(__file__).resolve().parents[2] / "core" / "tests" / "fixtures" / "client"


def _fixture(name: str) -> Dict[str, Any]:
    body: Dict[str, Any] = json.loads((CLIENT_FIXTURES / f"{name}.json").read_text())
    for envelope in ("messaging_product", "recipient_type", "to"):
        body.pop(envelope)
    return body


def test_to_dict_is_the_cores_wire_fixture_for_every_message_type() -> None:
    cases: Dict[str, messages.Message] = {
        "text": Text("Please visit https://youtu.be/x", preview_url=True),
        "image_link": Image(link="https://example.com/a.jpg", caption="New arrivals"),
        "audio_id": messages.Audio(id="1013859600285441"),
        "video_id": messages.Video(id="1166846181421424", caption="Demo"),
        "sticker_link": messages.Sticker(link="https://example.com/s.webp"),
        "document": Document(id="1376223850470843", caption="Invoice", filename="invoice-42.pdf"),
        "location": Location(37.758056, -122.425332, name="META HQ", address="1 Hacker Way, Menlo Park, CA 94025"),
        "reaction": Reaction("wamid.HBgLM", "😀"),
        "reaction_remove": Reaction("wamid.HBgLM"),
        "contacts": Contacts([ContactCard(
            ContactName("John Smith", first_name="John", last_name="Smith"),
            phones=[ContactPhone("+1 (650) 555-1234", type_="WORK", wa_id="16505551234")],
            emails=[messages.ContactEmail("john@example.com", type_="WORK")], birthday="2012-08-18")]),
        "buttons": Buttons("Confirm delivery tomorrow?", [ReplyButton("b1", "Yes"), ReplyButton("b2", "No")],
                           header="Order #42", footer="Reply below"),
        "list": ListMessage("Pick the nearest store", "Choose", [
            ListSection([ListRow("r1", "Shibuya", "Near the station"), ListRow("r2", "Ginza")], title="Tokyo"),
            ListSection([ListRow("r3", "Umeda")], title="Osaka")], header="Our stores", footer="Open 9-18"),
        "template_plain": Template("hello_world"),
        "template": Template(
            "order_update", "en_US",
            header=[MediaParam("image", link="https://example.com/h.jpg")],
            body=[TextParam("Mark"), CurrencyParam("$100.99", "USD", 100990),
                  messages.DateTimeParam("February 25, 1977")],
            buttons=[TemplateButton("quick_reply", 0, [PayloadParam("aGlz")]),
                     TemplateButton("url", 1, [TextParam("42")])]),
        "template_named": Template("welcome", "ja", header=[MediaParam("document", id="55", filename="menu.pdf")],
                                  body=[TextParam("花子", name="first_name"), TextParam("FALL25", name="code")]),
    }
    for name, message in cases.items():
        assert message.to_dict() == _fixture(name), name
