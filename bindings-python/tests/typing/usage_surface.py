import asyncio
from typing import List

from typing_extensions import assert_type

import wacrm
from wacrm import webhook
from wacrm.messages import Buttons, ReplyButton, Template, TextParam
from wacrm.phone import NormalizedPhone
from wacrm.types import PhoneInfo, SendResponse, TemplatePage


def numbers() -> List[NormalizedPhone]:
    rows = wacrm.phone.normalize(["090-1234-5678"], "JP")
    info = wacrm.phone.parse("090-1234-5678", "JP")
    assert_type(info, PhoneInfo)
    return rows


def send(sb: wacrm.Sandbox) -> str:
    c = wacrm.Client(sb.access_token, sb.base_url)
    r = c.send(sb.phone_number_id, "+15550001111", Template("hello", body=[TextParam("Ana")]))
    assert_type(r, SendResponse)
    c.send(sb.phone_number_id, "+15550001111", Buttons("Pick", [ReplyButton("y", "Yes")]))
    page = c.list_templates(sb.waba_id)
    assert_type(page, TemplatePage)
    return r.message_id


async def send_async(sb: wacrm.Sandbox) -> SendResponse:
    r = await wacrm.AsyncClient(sb.access_token, sb.base_url).send_text(sb.phone_number_id, "+1555", "hi")
    assert_type(r, SendResponse)
    return r


def route(body: bytes) -> List[str]:
    out: List[str] = []
    for e in webhook.parse(body):
        if isinstance(e, webhook.MessageEvent):
            out.append(e.text or e.id)
        elif isinstance(e, webhook.StatusEvent):
            out.append(e.status)
        elif isinstance(e, webhook.UnknownEvent):
            out.append(e.raw)
    return out


def run(sb: wacrm.Sandbox) -> None:
    asyncio.run(send_async(sb))
