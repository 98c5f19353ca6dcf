import asyncio
from typing import Any, Dict, List, Optional

import wacrm
from wacrm import assignment, messages, scheduler


def crm(sb: wacrm.Sandbox, csv_path: str) -> int:
    st = wacrm.Stores("sqlite://crm.db")
    report: Dict[str, Any] = st.import_contacts_csv(csv_path, ["name=name", "phone=phone"], region="PT")
    hk: List[Dict[str, Any]] = st.segment_members("hk", tags_all=["hk"])
    found: Optional[Dict[str, Any]] = st.find_contact_by_phone("+351912345678")
    c = wacrm.Client(sb.access_token, sb.base_url)
    media_id: str = c.upload_media(sb.phone_number_id, "logo.png", "image/png")
    s = wacrm.Scheduler(st, c, limits={"mps": 80})
    outcome: str = s.enqueue(scheduler.outgoing("k1", sb.phone_number_id, "+15550001111", messages.image(media_id=media_id)))
    sent: int = s.run_until_idle()["sent"]
    a = wacrm.Assignment(st)
    a.upsert_agent(assignment.agent("ana"))
    loads: Dict[str, int] = a.loads()
    pairs: Dict[str, Any] = wacrm.contacts.dedupe_csv([csv_path], ["name=name"], id_column="id")
    return len(hk) + len(report) + len(loads) + len(pairs) + sent + len(outcome) + (found is not None)


async def crm_async(sb: wacrm.Sandbox) -> int:
    st = wacrm.AsyncStores()
    s = wacrm.AsyncScheduler(st, wacrm.AsyncClient(sb.access_token, sb.base_url))
    await s.enqueue(scheduler.outgoing("k2", sb.phone_number_id, "+15550001111", messages.template("hello_world")))
    stats: Dict[str, Any] = await s.stats()
    a = wacrm.AsyncAssignment(st, strategy="round_robin")
    n: int = await a.queue_len()
    return n + len(stats)


def run(sb: wacrm.Sandbox) -> int:
    return asyncio.run(crm_async(sb))
