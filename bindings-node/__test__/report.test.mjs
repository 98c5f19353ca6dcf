// The analytics report through the binding: stored webhook bodies ingested into the
// stores (twice: idempotent), then the report as rows whose figures the test knows,
// and as HTML and CSV documents; and the CRM sync health a push through the HubSpot
// stand-in leaves in the stores.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const wacrm = require('../index.js')

const BODIES = readFileSync(new URL('../../tests/fixtures/report_webhooks.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
const T0 = 1764662400000 // the first inbound message: 2025-12-02 08:00 UTC, a Tuesday

test('ingest, then the report as rows and documents', async () => {
  const st = new wacrm.Stores('memory:')
  let created = 0
  for (const b of BODIES) created += (await st.webhookIngest(Buffer.from(b))).outbound_created
  assert.equal(created, 2)
  let dup = 0
  for (const b of BODIES) dup += (await st.webhookIngest(Buffer.from(b))).duplicate_messages
  assert.equal(dup, 2)

  const r = await st.report({ from: T0 - 3_600_000, to: T0 + 86_400_000, tz: 'America/Sao_Paulo', top: 1 })
  // Ana writes at 08:00; the first outbound to her is sent at 08:02: FRT 120 s.
  assert.deepEqual(r.frt, { n: 1, median_s: 120, p90_s: 120, unanswered: 0 })
  assert.deepEqual(r.funnel, [{ campaign: 'spring', sent: 2, delivered: 1, read: 1, failed: 1, replied: 1 }])
  assert.deepEqual(r.failures, [{ code: 131026, count: 1 }])
  assert.equal(r.hour_of_week.length, 168)
  assert.equal(r.hour_of_week[24 + 5], 2) // Tuesday 05:00 in São Paulo
  assert.deepEqual(r.hot_words, [{ word: 'shipping', count: 2 }])
  assert.deepEqual(r.sync, [], 'no CRM sync ran on these stores')

  const html = await st.reportHtml(undefined, 'Spring campaign')
  assert.match(html, /^\s*<!doctype html/i)
  assert.match(html, /Spring campaign/)
  assert.ok((await st.reportCsv()).includes('# funnel\ncampaign,sent,delivered,read,failed,replied\nspring,2,1,1,1,1\n'))
  await assert.rejects(st.report({ tz: 'Mars/Olympus' }), (e) => e instanceof wacrm.ValidationError)
})

test('the CRM sync health rows', async () => {
  const crm = new wacrm.CrmStandin('t-9')
  const st = new wacrm.Stores('memory:')
  await st.contactUpsert({ id: 'a1', email: 'a@example.com' })
  await st.contactUpsert({ id: 'a2', email: 'broken' })
  const mapping = wacrm.Mapping.parse(readFileSync(new URL('../../tests/fixtures/crm_mapping.toml', import.meta.url), 'utf8'))
  const sync = new wacrm.CrmSync(st, mapping, { token: crm.token, baseUrl: crm.url })
  assert.equal((await sync.push()).rejected, 1)

  const [row, ...rest] = (await st.report()).sync
  assert.equal(rest.length, 0)
  const { latency_p50_ms, latency_p99_ms, lag_p50_ms, lag_p99_ms, updated_at, ...counts } = row
  assert.deepEqual(counts, {
    connector: 'hubspot', mapping: 'hubspot', attempts: 2, successes: 1, success_rate: 0.5,
    rejections: 1, top_rejections: [{ code: 'VALIDATION_ERROR', count: 1 }], parked: 1, discrepancies: 0,
  })
  for (const ms of [latency_p50_ms, latency_p99_ms, lag_p50_ms, lag_p99_ms]) assert.equal(typeof ms, 'number')
  assert.ok(updated_at > 0)
  assert.ok((await st.reportCsv()).includes('\n# sync\nconnector,mapping,attempts,successes,'))
  assert.ok((await st.reportHtml()).includes('data-k="sync-parked:hubspot">1<'))
})
