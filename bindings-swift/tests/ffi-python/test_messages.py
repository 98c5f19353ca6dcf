"""Every outbound message type built with the typed constructors, sent through the
sandbox: the request the sandbox recorded is the Cloud API wire form."""

from typing import Any, Dict

import pytest

import wacrm_swift as w
from conftest import run

J = w.JsonValue


def plain(v: Any) -> Any:
    """A JsonValue tree as Python values, to compare with expected wire bodies."""
    if isinstance(v, J.OBJECT):
        return {k: plain(x) for k, x in v.fields.items()}
    if isinstance(v, J.ARRAY):
        return [plain(x) for x in v.items]
    if isinstance(v, J.NULL):
        return None
    return v.value


def send(msg: Any) -> Dict[str, Any]:
    sb = w.Sandbox(w.SandboxOptions())
    c = w.Client(sb.access_token(), sb.base_url(), None)
    r = run(c.send(sb.phone_number_id(), "+15550001111", msg, None, None))
    assert isinstance(r, w.SendResponse)
    assert r.messages[0].id.startswith("wamid.")
    (entry,) = sb.ledger()
    assert isinstance(entry, w.LedgerEntry)
    body: Dict[str, Any] = plain(entry.body)
    assert body["to"] == "+15550001111" and body["messaging_product"] == "whatsapp"
    return body


def test_text() -> None:
    body = send(w.OutboundMessage.TEXT(body="héllo 😀", preview_url=True))
    assert body["type"] == "text"
    assert body["text"] == {"body": "héllo 😀", "preview_url": True}


def test_media_by_id_and_link() -> None:
    img = send(w.OutboundMessage.IMAGE(w.Media(source=w.MediaSource.ID("9001"), caption="c")))
    assert img["image"] == {"id": "9001", "caption": "c"}
    doc = send(w.OutboundMessage.DOCUMENT(w.Media(source=w.MediaSource.LINK("https://x.test/a.pdf"), filename="a.pdf")))
    assert doc["document"] == {"link": "https://x.test/a.pdf", "filename": "a.pdf"}
    for ctor, key in [(w.OutboundMessage.AUDIO, "audio"), (w.OutboundMessage.VIDEO, "video"), (w.OutboundMessage.STICKER, "sticker")]:
        assert send(ctor(w.Media(source=w.MediaSource.ID("7"))))[key] == {"id": "7"}


def test_location_contacts_reaction() -> None:
    loc = send(w.OutboundMessage.LOCATION(w.Location(latitude=38.7, longitude=-9.1, name="Lisboa")))
    assert loc["location"] == {"latitude": 38.7, "longitude": -9.1, "name": "Lisboa"}
    card = w.ContactCard(
        name=w.ContactName(formatted_name="Ana Lima", first_name="Ana"),
        phones=[w.ContactPhone(phone="+351912345678", kind="CELL")],
        emails=[w.ContactEmail(email="ana@x.test")],
        org=w.ContactOrg(company="ACME"),
    )
    contacts = send(w.OutboundMessage.CONTACTS([card]))["contacts"]
    assert contacts[0]["name"]["formatted_name"] == "Ana Lima"
    assert contacts[0]["phones"] == [{"phone": "+351912345678", "type": "CELL"}]
    assert contacts[0]["org"] == {"company": "ACME"}
    react = send(w.OutboundMessage.REACTION(message_id="wamid.X", emoji="👍"))
    assert react["reaction"] == {"message_id": "wamid.X", "emoji": "👍"}


def test_interactive() -> None:
    buttons = w.Interactive.BUTTONS(
        header=w.InteractiveHeader.TEXT("Order 42"), body="Confirm?", footer=None,
        buttons=[w.ReplyButton(id="yes", title="Yes"), w.ReplyButton(id="no", title="No")],
    )
    b = send(w.OutboundMessage.INTERACTIVE(buttons))["interactive"]
    assert b["type"] == "button" and b["header"] == {"type": "text", "text": "Order 42"}
    assert [x["reply"]["id"] for x in b["action"]["buttons"]] == ["yes", "no"]
    lst = w.Interactive.LIST(
        header=None, body="Pick", footer="f", button="Menu",
        sections=[w.ListSection(title="S", rows=[w.ListRow(id="r1", title="One", description="d")])],
    )
    l_ = send(w.OutboundMessage.INTERACTIVE(lst))["interactive"]
    assert l_["type"] == "list" and l_["action"]["sections"][0]["rows"][0] == {"id": "r1", "title": "One", "description": "d"}
    cta = w.Interactive.CTA_URL(header=None, body="See", footer=None, display_text="Open", url="https://x.test")
    assert send(w.OutboundMessage.INTERACTIVE(cta))["interactive"]["action"]["parameters"]["url"] == "https://x.test"
    payload = J.OBJECT(fields={"screen": J.TEXT(value="START"), "data": J.OBJECT(fields={"n": J.INT(value=3)})})
    flow = w.Interactive.FLOW(header=None, body="Book", footer=None, action=w.FlowAction(
        flow_id="123", flow_cta="Book now", flow_action="navigate", flow_action_payload=payload))
    params = send(w.OutboundMessage.INTERACTIVE(flow))["interactive"]["action"]["parameters"]
    assert params["flow_id"] == "123" and params["flow_action_payload"] == {"screen": "START", "data": {"n": 3}}


def test_template_with_every_parameter_kind() -> None:
    sb = w.Sandbox(w.SandboxOptions())
    c = w.Client(sb.access_token(), sb.base_url(), None)
    body_text = J.OBJECT(fields={"type": J.TEXT(value="BODY"), "text": J.TEXT(value="{{1}} pays {{2}} on {{3}}")})
    created = run(c.create_template(sb.waba_id(), w.NewTemplate(
        name="every_param", language="en_US", category=w.TemplateCategory.UTILITY(), components=[body_text])))
    assert isinstance(created, w.CreatedTemplate) and created.id
    P = w.TemplateParam
    tpl = w.Template(name="every_param", language="en_US", components=[
        w.TemplateComponent.HEADER([P.IMAGE(w.MediaSource.LINK("https://x.test/h.png"))]),
        w.TemplateComponent.BODY([
            P.TEXT(text="Ana", name=None),
            P.CURRENCY(fallback_value="$1.50", code="USD", amount_1000=1500, name=None),
            P.DATE_TIME(fallback_value="May 1", name=None),
        ]),
        w.TemplateComponent.BUTTON(sub_type="quick_reply", index=0, parameters=[P.PAYLOAD("stop")]),
    ])
    run(c.send(sb.phone_number_id(), "+15550001111", w.OutboundMessage.TEMPLATE(tpl), "k-1", "cb"))
    (entry,) = sb.ledger()
    assert entry.idempotency_key == "k-1"
    t = plain(entry.body)["template"]
    assert t["name"] == "every_param" and t["language"] == {"code": "en_US"}
    header, body, button = t["components"]
    assert header["parameters"][0] == {"type": "image", "image": {"link": "https://x.test/h.png"}}
    assert body["parameters"][0] == {"type": "text", "text": "Ana"}
    assert body["parameters"][1]["currency"] == {"fallback_value": "$1.50", "code": "USD", "amount_1000": 1500}
    assert body["parameters"][2]["date_time"] == {"fallback_value": "May 1"}
    assert button["sub_type"] == "quick_reply" and button["parameters"] == [{"type": "payload", "payload": "stop"}]


def test_invalid_message_is_a_validation_error() -> None:
    with pytest.raises(w.WacrmError.Validation) as info:
        send(w.OutboundMessage.INTERACTIVE(w.Interactive.BUTTONS(header=None, body="x", footer=None, buttons=[])))
    assert info.value.code == "VALIDATION"
