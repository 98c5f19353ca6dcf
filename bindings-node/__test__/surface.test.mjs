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

test('webhook verify with a non-ASCII body and parse', () => {
  const body = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: {
    metadata: { phone_number_id: '9', display_phone_number: '1' },
    messages: [{ from: '819012345678', id: 'wamid.A', timestamp: '1', type: 'text', text: { body: 'こんにちは 😀' } }] } }] }] }), 'utf8')
  const sig = 'sha256=' + createHmac('sha256', 's3cret').update(body).digest('hex')
  wacrm.webhook.verify('s3cret', body, sig)
  const events = wacrm.webhook.parse(body)
  assert.equal(events[0].kind, 'message')
  assert.equal(events[0].content.body, 'こんにちは 😀')
  assert.throws(() => wacrm.webhook.verify('other', body, sig), (e) => e instanceof wacrm.WebhookSignatureError && e.code === 'WEBHOOK')
  // One pass: the same events, and none under another secret.
  assert.deepEqual(wacrm.webhook.verifyAndParse('s3cret', body, sig), events)
  assert.throws(() => wacrm.webhook.verifyAndParse('other', body, sig), (e) => e instanceof wacrm.WebhookSignatureError && /does not match/.test(e.message))
})
