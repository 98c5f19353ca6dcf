"""The analytics report through the binding: stored webhook bodies (an inbound
question, a campaign's statuses, a reply) ingested into the stores, then the
report as typed rows, and written as a self-contained HTML page and CSV."""

import pathlib
import tempfile

import wacrm
from wacrm.analytics import ReportArgs

BODIES = pathlib.Path(__file__).resolve().parents[2] / "tests/fixtures/report_webhooks.jsonl"


def main() -> None:
    stores = wacrm.Stores("memory:")
    for body in BODIES.read_bytes().splitlines():
        stores.webhook_ingest(body)

    report = stores.report(ReportArgs(tz="America/Sao_Paulo", top=5))
    print(f"first response: n={report.frt.n} median={report.frt.median_s}s p90={report.frt.p90_s}s "
          f"unanswered={report.frt.unanswered}")
    for f in report.funnel:
        print(f"campaign {f.campaign}: sent={f.sent} delivered={f.delivered} read={f.read} "
              f"failed={f.failed} replied={f.replied}")
    print("failures:", [(f.code, f.count) for f in report.failures])
    print("hot words:", [(w.word, w.count) for w in report.hot_words])
    assert report.frt.median_s == 120.0 and report.funnel[0].replied == 1

    out = pathlib.Path(tempfile.mkdtemp())
    (out / "report.html").write_text(stores.report_html(ReportArgs(tz="America/Sao_Paulo"), title="Spring campaign"))
    (out / "report.csv").write_text(stores.report_csv())
    print("written:", out / "report.html", out / "report.csv")


if __name__ == "__main__":
    main()
