import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const wacrm = require('../index.js')

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
const { message, component, param } = wacrm
const template = (name) => message.template(name, 'en_US')
const CSV = `id,name,phone,email,city,tags
c1,Ana Sousa,+351 912 345 678,ana@example.com,Lisboa,vip;hk
c2,Bruno Lima,+351 913 000 111,bruno@example.com,Porto,hk
c3,Carla Dias,not a phone,carla@example.com,Faro,
c4,Ana Souza,+351 912 345 678,ana@example.com,Lisboa,
c5,山田 太郎,+81 90-1234-5678,taro@example.jp,東京,jp
`

function tmp() {
  const dir = mkdtempSync(join(tmpdir(), 'wacrm-node-'))
  writeFileSync(join(dir, 'logo.png'), PNG)
  writeFileSync(join(dir, 'contacts.csv'), CSV)
  return dir
}

test('client: media, templates, numbers, profile, read receipts, typed errors', async () => {
  const sb = new wacrm.Sandbox()
  const c = new wacrm.Client(sb.accessToken, sb.baseUrl)
  const dir = tmp()
  const number = sb.phoneNumberId
  const id = await c.uploadMedia(number, join(dir, 'logo.png'), 'image/png')
  const url = await c.mediaUrl(id)
  assert.equal(url.mime_type, 'image/png')
  const got = await c.downloadMedia(url.url, join(dir, 'down.png'))
  assert.equal(got.bytes, PNG.length)
  assert.deepEqual(readFileSync(join(dir, 'down.png')), PNG)
  const sent = await c.send(number, '+15550002222', message.image({ id }, { caption: 'logo' }), 'img-1')
  assert.match(sent.messages[0].id, /^wamid\./)
  assert.equal((await c.deleteMedia(id)).success, true)
  const name = `promo_${process.pid}_${Date.now()}`
  await c.createTemplate(sb.wabaId, { name, language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hi {{1}}' }] })
  assert.deepEqual((await c.listTemplates(sb.wabaId, { name })).items.map((t) => t.name), [name])
  assert.equal((await c.deleteTemplate(sb.wabaId, name)).success, true)
  assert.ok((await c.listPhoneNumbers(sb.wabaId)).items.some((n) => n.id === number))
  assert.equal((await c.getPhoneNumber(number)).id, number)
  await c.updateBusinessProfile(number, { about: 'Open 9–18 ☀' })
  assert.equal((await c.getBusinessProfile(number)).about, 'Open 9–18 ☀')
  const inbound = sb.inboundText('15550003333', 'Eve', 'hello')
  assert.equal((await c.markRead(number, inbound, true)).success, true)
  await assert.rejects(c.send(number, '+15550001111', template('nope')), (e) => e instanceof wacrm.TemplateError && e.graphCode === 132001 && e.retryable === false)
  await assert.rejects(new wacrm.Client('wrong', sb.baseUrl).sendText(number, '+15550001111', 'x'), (e) => e instanceof wacrm.AuthError && e.httpStatus === 401)
  assert.ok(!String(c).includes(sb.accessToken))
})

test('every message type reaches the sandbox in its wire form', async () => {
  const sb = new wacrm.Sandbox()
  const c = new wacrm.Client(sb.accessToken, sb.baseUrl)
  const number = sb.phoneNumberId
  const to = '+15550004444'
  const inbound = sb.inboundText('15550004444', 'Ana', 'hi') // opens the 24 h window
  const messages = [
    message.text('hello https://example.com', { previewUrl: true }),
    message.image({ link: 'https://example.com/a.png' }, { caption: 'a' }),
    message.audio({ link: 'https://example.com/a.ogg' }),
    message.video({ link: 'https://example.com/a.mp4' }),
    message.document({ link: 'https://example.com/a.pdf' }, { filename: 'a.pdf' }),
    message.sticker({ link: 'https://example.com/a.webp' }),
    message.location(38.72, -9.14, { name: 'Lisboa' }),
    message.contacts([{ name: { formatted_name: 'Ana Sousa' }, phones: [{ phone: '+351912345678', type: 'CELL' }] }]),
    message.reaction(inbound, '👍'),
    message.buttons('Pick one', [{ id: 'y', title: 'Yes' }, { id: 'n', title: 'No' }], { footer: 'thanks' }),
    message.list('Menu', 'Open', [{ title: 'Drinks', rows: [{ id: 'tea', title: 'Tea' }] }], { header: 'Café' }),
    message.ctaUrl('Track it', 'Open', 'https://example.com/t/1'),
    message.template('order_update', 'en_US', [component.body([param.text('Ana'), param.text('A-1001')])]),
  ]
  for (const m of messages) {
    const r = await c.send(number, to, m)
    assert.match(r.messages[0].id, /^wamid\./, m.type)
  }
  const types = sb.ledger().map((e) => e.type)
  assert.deepEqual(types, messages.map((m) => m.type))
  // The body Meta received is the message as built, plus the envelope.
  sb.ledger().forEach((e, i) => assert.deepEqual(e.body[e.type], messages[i][e.type], e.type))
  // A message that is not one of the types is refused before any request.
  await assert.rejects(c.send(number, to, { type: 'fax', fax: {} }), (e) => e instanceof wacrm.ValidationError && /message/.test(e.message))
  assert.equal(sb.ledger().length, messages.length)
})

test('calls run off the JS thread', async () => {
  const sb = new wacrm.Sandbox()
  sb.setFaults({ latency_ms: 200 })
  const c = new wacrm.Client(sb.accessToken, sb.baseUrl)
  let ticked = false
  setImmediate(() => {
    ticked = true
  })
  // A blocking call would hand back a settled promise before the event loop turned.
  const r = await Promise.all(Array.from({ length: 4 }, (_, i) => c.send(sb.phoneNumberId, `+1555777${String(i).padStart(4, '0')}`, template('hello_world'))))
  assert.ok(ticked)
  assert.equal(new Set(r.map((x) => x.messages[0].id)).size, 4)
})

test('stores: CSV import with bad rows, segments, dedupe and merge', async () => {
  const dir = tmp()
  const st = new wacrm.Stores(`sqlite://${join(dir, 'crm.db')}`)
  const report = await st.contactsImportCsv({ path: join(dir, 'contacts.csv'), map: ['id=external_id', 'name=name', 'phone=phone', 'email=email', 'city=city', 'tags=tags'], idColumn: 'id', region: 'PT' })
  assert.deepEqual(report.bad_rows.map((b) => b.line), [4])
  assert.equal((await st.contactGet('c5')).name, '山田 太郎')
  assert.deepEqual((await st.segmentMembers({ name: 'hk', filter: { tagsAll: ['hk'] } })).map((c) => c.id).sort(), ['c1', 'c2'])
  const out = await st.contactsDedupe({ threshold: 0.9 }, true)
  assert.ok(out.merged)
  assert.ok(out.result.pairs.some((p) => p.a === 'c1' && p.b === 'c4'))
  assert.equal(out.merged.merged, 1)
  const ana = await st.contactUpsert({ id: 'c9', name: 'Ana', e164: '+351912000000', tags: ['new'] })
  assert.deepEqual(ana.tags, ['new'])
  assert.equal((await st.contactFindByPhone('+351912000000')).id, 'c9')
  await assert.rejects(Promise.resolve().then(() => new wacrm.Stores('mysql://x')), (e) => e instanceof wacrm.ConfigError)
  const d = await wacrm.contacts.dedupeCsv({ paths: [join(dir, 'contacts.csv')], map: ['name=name', 'phone=phone', 'email=email', 'city=city'], idColumn: 'id', region: 'PT' })
  // The row whose phone does not validate is kept for the comparison (a record is
  // not dropped for one field); the store import above refuses it.
  assert.deepEqual(d.reports[0].bad_rows.map((b) => b.line), [])
  assert.ok(d.result.pairs.some((p) => p.a === 'c1' && p.b === 'c4'))
})

test('scheduler sends a campaign once per key and parks what policy refuses', async () => {
  const sb = new wacrm.Sandbox()
  const st = new wacrm.Stores()
  const s = new wacrm.Scheduler(st, new wacrm.Client(sb.accessToken, sb.baseUrl), { limits: { mps: 50 }, policies: { quiet_hours: null } })
  for (let i = 0; i < 20; i++) {
    assert.equal(await s.enqueue(wacrm.outgoing(`camp-${i}`, sb.phoneNumberId, `+1555100${String(i).padStart(4, '0')}`, template('hello_world'))), 'new')
  }
  assert.equal(await s.enqueue(wacrm.outgoing('camp-0', sb.phoneNumberId, '+15551000000', template('hello_world'))), 'duplicate')
  const free = wacrm.outgoing('free', sb.phoneNumberId, '+15552000000', message.text('hi'), { category: 'service' })
  assert.deepEqual(free.message, message.text('hi'))
  assert.equal(free.lane, 'reply')
  await s.enqueue(free)
  const r = await s.runUntilIdle(0, 20000)
  assert.equal(r.sent, 20)
  const stats = await s.stats()
  assert.equal(stats.sent, 20)
  assert.equal(stats.parked, 1)
  assert.equal(sb.ledger().length, 20)
  const parked = await st.outboxItems('parked')
  assert.equal(parked[0].state.state, 'parked')
  assert.match(parked[0].history.join(' '), /24 h/)
  assert.equal((await st.outboxItems()).length, 21)
  await assert.rejects(st.outboxItems('lost'), (e) => e instanceof wacrm.ValidationError)
})

test('assignment: least loaded, cap, queue, release', async () => {
  const a = new wacrm.Assignment(new wacrm.Stores(), { hardCap: 2 })
  await a.upsertAgent({ id: 'ana', skills: ['pt'] })
  await a.upsertAgent({ id: 'ben' })
  for (let i = 0; i < 4; i++) assert.equal((await a.assign({ conversationId: `conv${i}`, contactId: `k${i}` })).outcome, 'assigned')
  assert.deepEqual(a.loads(), { ana: 2, ben: 2 })
  assert.equal((await a.assign({ conversationId: 'conv9', contactId: 'k9' })).outcome, 'queued')
  const released = await a.release('conv0')
  assert.ok(released.some((o) => o.outcome === 'assigned' && o.conversation_id === 'conv9'))
  assert.equal(a.queueLen(), 0)
  await a.setPresence('ana', 'away')
  await assert.rejects(a.setPresence('ana', 'asleep'), (e) => e instanceof wacrm.ValidationError)
  assert.throws(() => new wacrm.Assignment(new wacrm.Stores(), { strategy: 'coin_flip' }), (e) => e instanceof wacrm.ValidationError)
})
