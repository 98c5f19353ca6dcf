import asyncio
from typing import Any, Dict, List

import wacrm
from wacrm import messages


def numbers() -> List[Dict[str, Any]]:
    return wacrm.phone.normalize(["090-1234-5678"], "JP")


def send(sb: wacrm.Sandbox) -> str:
    c = wacrm.Client(sb.access_token, sb.base_url)
    r = c.send(sb.phone_number_id, "+15550001111", messages.template("hello_world"))
    mid: str = r["messages"][0]["id"]
    return mid


async def send_async(sb: wacrm.Sandbox) -> Dict[str, Any]:
    return await wacrm.AsyncClient(sb.access_token, sb.base_url).send_text(sb.phone_number_id, "+1555", "hi")


def run(sb: wacrm.Sandbox) -> None:
    asyncio.run(send_async(sb))
