"""The analytics report through the Swift FFI: stored webhook bodies ingested
(twice: idempotent), the report as records whose figures the test knows, and
its HTML and CSV documents; and the CRM sync health a push through the HubSpot
stand-in leaves in the stores."""

import pytest

import wacrm_swift as w
from conftest import ROOT, run

BODIES = (ROOT / "tests/fixtures/report_webhooks.jsonl").read_bytes().splitlines()
T0 = 1764662400000  # the first inbound message: 2025-12-02 08:00 UTC, a Tuesday


def test_ingest_then_report_rows_and_documents() -> None:
    async def main() -> None:
        st = w.Stores("memory:")
        first = [await st.webhook_ingest(b) for b in BODIES]
        assert sum(s.outbound_created for s in first) == 2
        again = [await st.webhook_ingest(b) for b in BODIES]
        assert sum(s.duplicate_messages for s in again) == 2

        r = await st.report(w.ReportArgs(_from=T0 - 3_600_000, to=T0 + 86_400_000, tz="America/Sao_Paulo", top=1))
        # Ana writes at 08:00; the first outbound to her is sent at 08:02: FRT 120 s.
        assert (r.frt.n, r.frt.median_s, r.frt.p90_s, r.frt.unanswered) == (1, 120.0, 120.0, 0)
        assert r.funnel == [w.FunnelRow(campaign="spring", sent=2, delivered=1, read=1, failed=1, replied=1)]
        assert r.failures == [w.FailureRow(code=131026, count=1)]
        assert len(r.hour_of_week) == 168 and r.hour_of_week[24 + 5] == 2
        assert r.hot_words == [w.WordCount(word="shipping", count=2)]
        assert r.sync == []

        html = await st.report_html(w.ReportArgs(), "Spring campaign")
        assert html.lstrip().lower().startswith("<!doctype html") and "Spring campaign" in html
        csv = await st.report_csv(w.ReportArgs())
        assert "# funnel\ncampaign,sent,delivered,read,failed,replied\nspring,2,1,1,1,1\n" in csv
        with pytest.raises(w.WacrmError.Validation):
            await st.report(w.ReportArgs(tz="Mars/Olympus"))

    run(main())


def test_crm_sync_health_rows() -> None:
    crm = w.CrmStandin("t-9")

    async def main() -> None:
        st = w.Stores("memory:")
        await st.contact_upsert(w.Contact(id="a1", email="a@example.com", tags=[], attributes={}))
        await st.contact_upsert(w.Contact(id="a2", email="broken", tags=[], attributes={}))
        m = w.Mapping.parse((ROOT / "tests/fixtures/crm_mapping.toml").read_text())
        sync = w.CrmSync(st, m, w.HubSpotSettings(token="t-9", base_url=crm.url()))
        assert (await sync.push()).rejected == 1

        [row] = (await st.report(w.ReportArgs())).sync
        assert isinstance(row, w.SyncHealthRow)
        assert (row.connector, row.mapping, row.attempts, row.successes, row.success_rate) == (
            "hubspot", "hubspot", 2, 1, 0.5)
        assert (row.rejections, row.parked, row.discrepancies) == (1, 1, 0)
        assert row.top_rejections == [w.RejectionCount(code="VALIDATION_ERROR", count=1)]
        assert isinstance(row.latency_p50_ms, float) and isinstance(row.lag_p99_ms, float) and row.updated_at > 0
        assert "\n# sync\nconnector,mapping,attempts,successes," in await st.report_csv(w.ReportArgs())
        assert 'data-k="sync-parked:hubspot">1<' in await st.report_html(w.ReportArgs(), "t")

    run(main())
