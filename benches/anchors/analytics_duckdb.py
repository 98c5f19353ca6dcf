"""Anchor: DuckDB computing the team first-response time (n, nearest-rank
median and p90, unanswered starts) and the campaign funnel over the same rows
the Rust benchmark computes its report from. argv[1]: a CSV written by the
benchmark (thread, seq, inbound, t, responds, campaign, sent, delivered, read,
failed). Loading is not timed; the queries are (best of 3).
Prints one JSON object: seconds, frt, funnel."""
import json
import sys
import time

import duckdb

con = duckdb.connect()
con.execute(
    "CREATE TABLE m AS SELECT * FROM read_csv(?, header=true, columns={"
    "'thread':'BIGINT','seq':'BIGINT','inbound':'BOOLEAN','t':'BIGINT','responds':'BOOLEAN',"
    "'campaign':'INTEGER','sent':'BOOLEAN','delivered':'BOOLEAN','read':'BOOLEAN','failed':'BOOLEAN'})",
    [sys.argv[1]],
)

FRT = """
WITH o AS (
  SELECT thread, inbound, t, LAG(t) OVER (PARTITION BY thread ORDER BY t, seq) AS prev_t FROM m
), s AS (
  SELECT thread, t FROM o WHERE inbound AND (prev_t IS NULL OR t - prev_t >= 86400000)
), r AS (
  SELECT thread, t FROM m WHERE responds
), a AS (
  SELECT s.thread, s.t, r.t AS rt FROM s ASOF LEFT JOIN r ON s.thread = r.thread AND r.t > s.t
), d AS (
  SELECT list_sort(list(rt - t) FILTER (WHERE rt IS NOT NULL)) AS xs,
         count(*) FILTER (WHERE rt IS NULL) AS unanswered FROM a
)
SELECT len(xs) AS n,
       xs[CAST(greatest(ceil(0.5 * len(xs)), 1) AS BIGINT)] AS median_ms,
       xs[CAST(greatest(ceil(0.9 * len(xs)), 1) AS BIGINT)] AS p90_ms,
       unanswered
FROM d
"""

FUNNEL = """
WITH c AS (
  SELECT thread, t, campaign, sent, delivered, read, failed FROM m WHERE campaign IS NOT NULL
), i AS (
  SELECT thread, t FROM m WHERE inbound
), j AS (
  SELECT c.campaign, c.thread, i.t - c.t AS wait FROM c ASOF LEFT JOIN i ON c.thread = i.thread AND i.t >= c.t
), replied AS (
  SELECT campaign, count(DISTINCT thread) AS replied FROM j WHERE wait <= 259200000 GROUP BY campaign
), stages AS (
  SELECT campaign, count(*) FILTER (WHERE sent) AS sent, count(*) FILTER (WHERE delivered) AS delivered,
         count(*) FILTER (WHERE read) AS read, count(*) FILTER (WHERE failed) AS failed
  FROM c GROUP BY campaign
)
SELECT stages.campaign, sent, delivered, read, failed, coalesce(replied, 0)
FROM stages LEFT JOIN replied USING (campaign) ORDER BY stages.campaign
"""

best = None
for _ in range(3):
    start = time.perf_counter()
    frt = con.execute(FRT).fetchone()
    funnel = con.execute(FUNNEL).fetchall()
    took = time.perf_counter() - start
    best = took if best is None else min(best, took)
print(json.dumps({
    "seconds": best,
    "frt": {"n": frt[0], "median_ms": frt[1], "p90_ms": frt[2], "unanswered": frt[3]},
    "funnel": [list(r) for r in funnel],
}))
