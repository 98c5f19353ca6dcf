"""Send a text and a template to the in-process sandbox, blocking and with asyncio."""

import asyncio

import wacrm
from wacrm.messages import Template

sb = wacrm.Sandbox()
client = wacrm.Client(sb.access_token, sb.base_url)
# A customer writes first, which opens the 24 h window for free-form text.
sb.inbound_text("12025550100", "Ana", "hi there")
r = client.send_text(sb.phone_number_id, "+1 202 555 0100", "Hello from wacrm")
print("text:", r.message_id)


async def main() -> None:
    ac = wacrm.AsyncClient(sb.access_token, sb.base_url)
    r = await ac.send(sb.phone_number_id, "+1 202 555 0101", Template("hello_world"))
    print("template:", r.message_id)
    try:
        await ac.send(sb.phone_number_id, "+1 202 555 0101", Template("no_such_template"))
    except wacrm.TemplateError as e:
        print("refused:", e.code, e.graph_code, "retryable" if e.retryable else "not retryable")


asyncio.run(main())
print("ledger:", len(sb.ledger()), "messages")
