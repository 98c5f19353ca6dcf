import asyncio
from typing import List, Optional

from typing_extensions import assert_type

import wacrm
from wacrm.analytics import FrtStats, FunnelRow, IngestSummary, RejectionCount, Report, ReportArgs, SyncHealthRow
from wacrm.automation import (
    AsyncAutomation,
    Automation,
    AutomationAction,
    AutomationMessage,
    AutomationSettings,
    Evaluation,
    Reply,
    Rules,
    RulesInfo,
    RulesProblem,
    SegmentChange,
    Timer,
    TimerFired,
)


def automation(st: wacrm.Stores, text: str) -> List[str]:
    problem = Rules.check(text)
    assert_type(problem, Optional[RulesProblem])
    rules = Rules.parse(text)
    assert_type(rules.info(), RulesInfo)
    auto = Automation(rules, st, AutomationSettings(state_url="sqlite://state.db", tz="Europe/Lisbon"))
    ev = auto.evaluate(AutomationMessage("frete?", "5511999990001", at=0, direction="in", name="Ana"))
    assert_type(ev, Evaluation)
    first: AutomationAction = ev.actions[0]
    if isinstance(first, Reply):
        assert_type(first.text, str)
    assert_type(ev.handoff, bool)
    assert_type(auto.set_contact_tags("5511999990001", ["vip"]), List[str])
    assert_type(auto.contact_segments("5511999990001"), List[str])
    assert_type(auto.lifecycle_pass(), List[SegmentChange])
    assert_type(auto.timers(), List[Timer])
    assert_type(auto.arm_timer("nudge", "5511999990001", at=0), Timer)
    assert_type(auto.cancel_timers("5511999990001"), int)
    assert_type(auto.run_due_timers(0), List[TimerFired])

    async def later() -> None:
        a = AsyncAutomation(rules)
        assert_type(await a.evaluate(AutomationMessage("hi", "1")), Evaluation)
        assert_type(await a.contact_tags("1"), List[str])
        assert_type(await a.timers("5511999990001"), List[Timer])

    asyncio.run(later())
    return auto.contact_tags("5511999990001")


def report(st: wacrm.Stores, body: bytes) -> str:
    assert_type(st.webhook_ingest(body), IngestSummary)
    r = st.report(ReportArgs(from_=0, to=86_400_000, tz="Asia/Tokyo", top=5))
    assert_type(r, Report)
    assert_type(r.frt, FrtStats)
    assert_type(r.funnel, List[FunnelRow])
    assert_type(r.sync, List[SyncHealthRow])
    assert_type(r.sync[0].top_rejections, List[RejectionCount])
    assert_type(r.sync[0].lag_p99_ms, Optional[float])
    assert_type(r.frt.median_s, Optional[float])
    assert_type(st.report_csv(), str)
    return st.report_html(ReportArgs(), title="Team")
