import asyncio
from typing import Dict, List, Optional

from typing_extensions import assert_type

import wacrm
from wacrm import Agent, AssignmentSettings, Enqueued, ImportArgs, OutgoingMessage, Request, SchedulerSettings, Segment
from wacrm.contacts import DedupeCsvArgs
from wacrm.messages import Image, Template
from wacrm.records import Contact, DedupeCsvOutcome, ImportReport, OutboxStats, Outcome, RoundReport
from wacrm.scheduler import LimitConfig


def crm(sb: wacrm.Sandbox, csv_path: str) -> int:
    st = wacrm.Stores("sqlite://crm.db")
    report = st.contacts_import_csv(ImportArgs(csv_path, ["name=name", "phone=phone"], region="PT"))
    assert_type(report, ImportReport)
    lines: List[int] = [b.line for b in report.bad_rows]
    hk = st.segment_members(Segment("hk"))
    assert_type(hk, List[Contact])
    found = st.contact_find_by_phone("+351912345678")
    assert_type(found, Optional[Contact])
    c = wacrm.Client(sb.access_token, sb.base_url)
    media_id = c.upload_media(sb.phone_number_id, "logo.png", "image/png")
    assert_type(media_id, str)
    s = wacrm.Scheduler(st, c, SchedulerSettings(limits=LimitConfig(mps=80)))
    outcome = s.enqueue(OutgoingMessage("k1", sb.phone_number_id, "+15550001111", Image(id=media_id)))
    assert_type(outcome, Enqueued)
    report2 = s.run_until_idle()
    assert_type(report2, RoundReport)
    a = wacrm.Assignment(st)
    changes = a.upsert_agent(Agent("ana"))
    assert_type(changes, List[Outcome])
    loads: Dict[str, int] = a.loads()
    out = wacrm.contacts.dedupe_csv(DedupeCsvArgs([csv_path], ["name=name"], id_column="id"))
    assert_type(out, DedupeCsvOutcome)
    return len(hk) + len(lines) + len(loads) + len(out.result.pairs) + report2.sent + (found is not None)


async def crm_async(sb: wacrm.Sandbox) -> int:
    st = wacrm.AsyncStores()
    s = wacrm.AsyncScheduler(st, wacrm.AsyncClient(sb.access_token, sb.base_url))
    await s.enqueue(OutgoingMessage("k2", sb.phone_number_id, "+15550001111", Template("hello_world")))
    stats = await s.stats()
    assert_type(stats, OutboxStats)
    a = wacrm.AsyncAssignment(st, AssignmentSettings(strategy="round_robin"))
    o = await a.assign(Request("c1", "k1"))
    assert_type(o, Outcome)
    n = await a.queue_len()
    assert_type(n, int)
    return n + stats.sent


def run(sb: wacrm.Sandbox) -> int:
    return asyncio.run(crm_async(sb))
