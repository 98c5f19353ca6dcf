// Access and audit through the binding: an agent is refused a campaign and an export
// with ForbiddenError (code FORBIDDEN), an admin is allowed, custom roles grant what
// they name, and the audit log verifies and lists every attempt.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const wacrm = require('../index.js')

const msg = (key) => wacrm.outgoing(key, 'pn1', '+15550001111', wacrm.message.text('hello'), { category: 'marketing' })
const forbidden = (e) => e instanceof wacrm.ForbiddenError && e.code === 'FORBIDDEN' && e.retryable === false

async function seeded() {
  const stores = new wacrm.Stores('memory:')
  await stores.contactUpsert({ id: 'c1', e164: '+15550001111' })
  const console_ = new wacrm.Console(stores)
  const op = console_.operator('setup')
  await op.upsertUser({ id: 'ana', name: 'Ana', agent_id: 'ana' })
  await op.upsertUser({ id: 'root', name: 'Root' })
  await op.grant({ user_id: 'ana', role: 'agent' })
  await op.grant({ user_id: 'root', role: 'admin' })
  return console_
}

test('an agent is refused a campaign and an export, an admin is allowed, the log lists both', async () => {
  const c = await seeded()
  const agent = c.asUser('ana', 'web-1')
  assert.equal(agent.actor, 'user:ana')
  assert.equal(agent.can('broadcast'), false)
  assert.equal(agent.can('send'), true)
  await assert.rejects(agent.broadcast('spring', [msg('k1')]), forbidden)
  await assert.rejects(agent.exportContacts(), forbidden)

  const admin = c.asUser('root')
  assert.deepEqual(await admin.broadcast('spring', [msg('k1'), msg('k2')]), ['new', 'new'])
  assert.deepEqual((await admin.exportContacts({})).map((x) => x.id), ['c1'])

  const v = await admin.auditVerify()
  assert.equal(v.problem, null)
  assert.ok(v.entries >= 4)
  const entries = await admin.auditEntries()
  const attempts = entries
    .filter((e) => e.action === 'campaign.start' || e.action === 'contacts.export')
    .map((e) => [e.actor, e.action, e.outcome])
  assert.deepEqual(attempts, [
    ['user:ana', 'campaign.start', 'forbidden'],
    ['user:ana', 'contacts.export', 'forbidden'],
    ['user:root', 'campaign.start', 'ok'],
    ['user:root', 'contacts.export', 'ok'],
  ])
  assert.ok(entries.filter((e) => e.actor === 'user:ana').every((e) => e.client_id === 'web-1'))
  for (let i = 1; i < entries.length; i++) assert.equal(entries[i].prev_hash, entries[i - 1].hash)

  const path = join(mkdtempSync(join(tmpdir(), 'wacrm-audit-')), 'audit.jsonl')
  const n = await admin.auditExport(path, 'jsonl')
  const lines = readFileSync(path, 'utf8').trim().split('\n')
  assert.equal(lines.length, n)
  assert.equal(JSON.parse(lines[0]).seq, entries[0].seq)
})

test('custom roles, presets, memberships; unknown users are refused', async () => {
  const c = await seeded()
  assert.deepEqual(wacrm.rolePresets().map((r) => r.name), ['agent', 'supervisor', 'admin', 'viewer'])
  assert.ok(wacrm.permissionNames().includes('view_audit'))
  assert.throws(() => c.asUser('nobody'), forbidden)
  const admin = c.asUser('root')
  await admin.upsertRole({ name: 'exporter', permissions: ['export_contacts'], description: 'reports' })
  await assert.rejects(admin.upsertRole({ name: 'admin', permissions: ['send'] }), (e) => e instanceof wacrm.ValidationError)
  await assert.rejects(admin.upsertRole({ name: 'odd', permissions: ['fly'] }), (e) => e instanceof wacrm.ValidationError)
  await admin.grant({ user_id: 'ana', role: 'exporter' })
  assert.ok((await admin.listRoles()).some((r) => r.name === 'exporter'))
  const ana = (await admin.listUsers()).find((u) => u.user.id === 'ana')
  assert.deepEqual(ana.memberships.map((m) => m.role).sort(), ['agent', 'exporter'])
  assert.deepEqual((await c.asUser('ana').exportContacts()).map((x) => x.id), ['c1'])
  assert.equal(await admin.revoke('ana', 'exporter'), true)
  await assert.rejects(c.asUser('ana').exportContacts(), forbidden)
  await assert.rejects(c.asUser('ana').auditVerify(), forbidden)
})
