import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const wacrm = require('../index.js')

test('phone parse and normalize', () => {
  const p = wacrm.phone.parse('090-1234-5678', 'JP')
  assert.equal(p.e164, '+819012345678')
  assert.equal(p.number_type, 'mobile')
  const rows = wacrm.phone.normalize(['+52 55 1234 5678', 'nope'], 'JP')
  assert.equal(rows[0].wa_id, '5215512345678')
  assert.match(rows[1].error, /^no_number/)
  assert.throws(() => wacrm.phone.parse('12', 'JP'), (e) => e instanceof wacrm.ValidationError && e.code === 'VALIDATION')
})

const change = (field, value) => ({ object: 'whatsapp_business_account', entry: [{ id: 'W1', changes: [{ field, value }] }] })
const metadata = { phone_number_id: '9', display_phone_number: '1' }

test('webhook verify with a non-ASCII body and parse into typed events', () => {
  const body = Buffer.from(JSON.stringify(change('messages', {
    metadata,
    contacts: [{ profile: { name: '太郎' }, wa_id: '819012345678' }],
    messages: [{ from: '819012345678', id: 'wamid.A', timestamp: '1', type: 'text', text: { body: 'こんにちは 😀' } }],
  })), 'utf8')
  const sig = 'sha256=' + createHmac('sha256', 's3cret').update(body).digest('hex')
  wacrm.webhook.verify('s3cret', body, sig)
  const events = wacrm.webhook.parse(body)
  assert.equal(events.length, 1)
  const [m] = events
  assert.equal(m.kind, 'message')
  assert.equal(m.content.type, 'text')
  assert.equal(m.content.body, 'こんにちは 😀')
  assert.equal(m.routing.phone_number_id, '9')
  assert.equal(m.contact.name, '太郎')
  // The raw passthrough is the message object as received, as an object.
  assert.equal(m.raw.id, 'wamid.A')
  assert.throws(() => wacrm.webhook.verify('other', body, sig), (e) => e instanceof wacrm.WebhookSignatureError && e.code === 'WEBHOOK')
  // One pass: the same events, and none under another secret.
  assert.deepEqual(wacrm.webhook.verifyAndParse('s3cret', body, sig), events)
  assert.throws(() => wacrm.webhook.verifyAndParse('other', body, sig), (e) => e instanceof wacrm.WebhookSignatureError && /does not match/.test(e.message))
})

test('statuses, template updates and unknown fields are typed events', () => {
  const statuses = wacrm.webhook.parse(JSON.stringify(change('messages', {
    metadata,
    statuses: [{ id: 'wamid.B', status: 'failed', timestamp: '2', recipient_id: '15550001111',
      errors: [{ code: 131049, title: 'held', message: 'held' }] }],
  })))
  assert.equal(statuses[0].kind, 'status')
  assert.equal(statuses[0].status, 'failed')
  assert.equal(statuses[0].errors[0].code, 131049)
  const tpl = wacrm.webhook.parse(JSON.stringify(change('message_template_status_update', {
    event: 'APPROVED', message_template_id: 123, message_template_name: 'promo', message_template_language: 'en_US',
  })))
  assert.equal(tpl[0].kind, 'template_status')
  assert.equal(tpl[0].data.event, 'APPROVED')
  assert.equal(tpl[0].field, 'message_template_status_update')
  const reply = wacrm.webhook.parse(JSON.stringify(change('messages', {
    metadata,
    messages: [{ from: '1', id: 'wamid.I', timestamp: '1', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'y', title: 'Yes' } } }],
  })))
  assert.equal(reply[0].content.type, 'button_reply')
  assert.equal(reply[0].content.id, 'y')
  const unknown = wacrm.webhook.parse(JSON.stringify(change('some_future_field', { x: 1 })))
  assert.equal(unknown[0].kind, 'unknown')
  assert.equal(unknown[0].field, 'some_future_field')
  assert.ok(unknown[0].raw)
})
