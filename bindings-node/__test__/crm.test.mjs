// CRM mapping and sync through the binding: a bad mapping refused with its line and
// reason, a mapping applied to a contact both ways, push / pull / sync against the
// in-process HubSpot stand-in with typed reports.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const wacrm = require('../index.js')

const MAPPING = readFileSync(new URL('../../tests/fixtures/crm_mapping.toml', import.meta.url), 'utf8')

test('a bad mapping is refused with its line and reason; a mapping applies both ways', () => {
  const bad = MAPPING.replace('direction = "to_crm"', 'direction = "sideways"')
  const problem = wacrm.Mapping.check(bad)
  assert.equal(problem.line, 14)
  assert.match(problem.reason, /sideways/)
  assert.equal(wacrm.Mapping.check(MAPPING), null)
  assert.throws(() => wacrm.Mapping.parse(bad), (e) => e instanceof wacrm.ConfigError && /line 14/.test(e.message))

  const m = wacrm.Mapping.parse(MAPPING)
  assert.equal(m.info().crm_id_property, 'wacrm_id')
  assert.deepEqual(m.info().fields.map((f) => f.crm), ['email', 'customer_rank', 'sku', 'city'])
  const c = { id: 'c1', email: '  Ana@Example.COM ' }
  assert.deepEqual(m.toCrm(c), { wacrm_id: 'c1', email: 'ana@example.com', customer_rank: 'new customer', city: '' })
  const back = m.fromCrm(c, { city: 'Porto', customer_rank: 'vip' })
  assert.equal(back.city, 'Porto')
  assert.equal(back.attributes.rank, undefined)
})

test('push, pull and sync against the HubSpot stand-in', async () => {
  const crm = new wacrm.CrmStandin('t-1')
  const stores = new wacrm.Stores('memory:')
  for (const i of [0, 1, 2]) await stores.contactUpsert({ id: `c${i}`, email: `user${i}@example.com`, city: 'Lisboa' })
  const mapping = wacrm.Mapping.parse(MAPPING)
  assert.throws(() => new wacrm.CrmSync(stores, mapping, { token: '' }), (e) => e instanceof wacrm.ValidationError)
  const sync = new wacrm.CrmSync(stores, mapping, { token: crm.token, baseUrl: crm.url })
  const pushed = await sync.push()
  assert.equal(pushed.created, 3)
  assert.equal(pushed.rejected, 0)
  assert.deepEqual(crm.records().map((r) => r.properties.wacrm_id).sort(), ['c0', 'c1', 'c2'])

  const rec = crm.records().find((r) => r.properties.wacrm_id === 'c1')
  assert.ok(crm.edit(rec.id, { city: 'Porto' }))
  const report = await sync.sync()
  assert.equal(report.pull.applied, 1)
  assert.equal((await stores.contactGet('c1')).city, 'Porto')
  const again = await sync.sync()
  assert.equal(again.pull.applied + again.push.created + again.push.updated, 0)
  assert.deepEqual(await sync.discrepancies(), [])
  assert.ok(sync.health().successes >= 3)
  assert.equal(crm.stats().records, 3)
})
