# Expected to FAIL type checking: the suite's hook checks that mypy rejects each
# marked line, so the typed surface cannot silently degrade to Any.
import wacrm
from wacrm.messages import Template
from wacrm.types import SendResponse


async def misuse(c: wacrm.Client, ac: wacrm.AsyncClient) -> None:
    a: int = c.send("1", "2", Template("x"))  # E: blocking result is a SendResponse
    b: SendResponse = ac.send("1", "2", Template("x"))  # E: async result must be awaited
    c.send("1", "2", {"type": "text"})  # E: messages are typed, not dicts
    c.send_text(from_id="1", to="2", body="x")  # E: parameter names are the core's
