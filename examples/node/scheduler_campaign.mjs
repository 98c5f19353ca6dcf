// A paced campaign through the durable outbox (SQLite) against the sandbox.
import { createRequire } from 'node:module'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const require = createRequire(import.meta.url)
const wacrm = require(process.env.WACRM_NODE ?? 'wacrm')

const sb = new wacrm.Sandbox({ mps: 40 })
const stores = new wacrm.Stores(`sqlite://${join(mkdtempSync(join(tmpdir(), 'wacrm-')), 'outbox.db')}`)
const s = new wacrm.Scheduler(stores, new wacrm.Client(sb.accessToken, sb.baseUrl), { limits: { mps: 40 }, policies: { quiet_hours: null } })
const template = wacrm.message.template('hello_world', 'en_US')
for (let i = 0; i < 100; i++) {
  await s.enqueue(wacrm.outgoing(`spring-sale:${i}`, sb.phoneNumberId, `+1202555${String(i).padStart(4, '0')}`, template, { campaignId: 'spring-sale' }))
}
console.log('round:', await s.runUntilIdle(0, 60000))
console.log('outbox:', await s.stats())
