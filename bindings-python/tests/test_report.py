"""The analytics report through the binding: stored webhook bodies ingested
into the stores (twice: idempotent), then the report as typed rows whose
figures the test knows, and as HTML and CSV documents; and the CRM sync
health a push through the HubSpot stand-in leaves in the stores."""

import asyncio
import pathlib

import pytest

from wacrm import AsyncStores, Contact, Stores, ValidationError
from wacrm.analytics import (FailureRow, FrtStats, FunnelRow, RejectionCount, Report, ReportArgs, SyncHealthRow,
                             WordCount)
from wacrm.crm import CrmSync, CrmStandin, HubSpotSettings, Mapping

ROOT = pathlib.Path(__file__).resolve().parents[2]
BODIES = (ROOT / "tests/fixtures/report_webhooks.jsonl").read_bytes().splitlines()
T0 = 1764662400000  # the first inbound message: 2025-12-02 08:00 UTC, a Tuesday


def check(r: Report, hour: int = 24 + 8) -> None:
    # Ana writes at 08:00; the first outbound to her is sent at 08:02: FRT 120 s.
    assert (r.frt.n, r.frt.median_s, r.frt.p90_s, r.frt.unanswered) == (1, 120.0, 120.0, 0)
    # Two campaign messages: one sent, delivered and read (Ana replied at 08:05), one failed.
    assert r.funnel == [FunnelRow("spring", sent=2, delivered=1, read=1, failed=1, replied=1)]
    assert r.failures == [FailureRow(131026, 1)]
    assert len(r.hour_of_week) == 168 and r.hour_of_week[hour] == 2 and sum(r.hour_of_week) == 2
    assert r.hot_words[0] == WordCount("shipping", 2)
    assert [a.agent for a in r.agents][-1] == "*"
    team = r.agents[-1]
    # Conversations handled are a count; their handle time is a separate figure.
    assert isinstance(team.handled, int) and isinstance(team.handle_time, FrtStats)
    assert r.sync == [], "no CRM sync ran on these stores"


def test_ingest_then_report_rows_and_documents() -> None:
    st = Stores("memory:")
    first = [st.webhook_ingest(b) for b in BODIES]
    assert sum(s.new_messages for s in first) == 2 and sum(s.outbound_created for s in first) == 2
    again = [st.webhook_ingest(b) for b in BODIES]
    assert sum(s.new_messages for s in again) == 0 and sum(s.duplicate_messages for s in again) == 2

    check(st.report())
    r = st.report(ReportArgs(from_=T0 - 3_600_000, to=T0 + 86_400_000, tz="America/Sao_Paulo", top=1))
    # In São Paulo (UTC-3) 08:00 UTC is Tuesday 05:00.
    check(r, hour=24 + 5)
    assert r.range.tz == "America/Sao_Paulo" and len(r.hot_words) == 1
    assert st.report(ReportArgs(from_=T0 + 86_400_000)).frt.n == 0

    html = st.report_html(title="Spring campaign")
    assert html.lstrip().lower().startswith("<!doctype html") and "Spring campaign" in html and "spring" in html
    csv = st.report_csv()
    assert "# funnel\ncampaign,sent,delivered,read,failed,replied\nspring,2,1,1,1,1\n" in csv

    with pytest.raises(ValidationError):
        st.report(ReportArgs(tz="Mars/Olympus"))


def test_async_report() -> None:
    async def main() -> None:
        st = AsyncStores("memory:")
        for b in BODIES:
            await st.webhook_ingest(b)
        check(await st.report())

    asyncio.run(main())


def test_crm_sync_health_rows() -> None:
    crm = CrmStandin()
    st = Stores("memory:")
    st.contact_upsert(Contact(id="a1", email="a@example.com"))
    st.contact_upsert(Contact(id="a2", email="broken"))
    mapping = Mapping.parse((ROOT / "tests/fixtures/crm_mapping.toml").read_text())
    sync = CrmSync(st, mapping, HubSpotSettings(token=crm.token, base_url=crm.url))
    assert sync.push().rejected == 1

    [row] = st.report().sync
    assert isinstance(row, SyncHealthRow)
    assert (row.connector, row.mapping, row.attempts, row.successes, row.success_rate) == ("hubspot", "hubspot", 2, 1, 0.5)
    assert (row.rejections, row.parked, row.discrepancies) == (1, 1, 0)
    assert row.top_rejections == [RejectionCount("VALIDATION_ERROR", 1)]
    assert isinstance(row.latency_p50_ms, float) and isinstance(row.lag_p99_ms, float) and row.updated_at > 0
    assert "\n# sync\nconnector,mapping,attempts,successes," in st.report_csv()
    assert 'data-k="sync-parked:hubspot">1<' in st.report_html()
