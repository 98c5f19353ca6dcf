import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const wacrm = require('../index.js')

const details = (code) => ({ kind: 'k', code, message: 'm', graph_code: null, graph_subcode: null, graph_details: null, fbtrace_id: null, http_status: null, retryable: false, retry_after_ms: null })

test('every core error code has its own class', () => {
  const classes = new Set()
  for (const code of wacrm.errorCodes()) {
    const e = wacrm.fromDetails(details(code))
    assert.ok(e instanceof wacrm.WacrmError, code)
    assert.ok(e instanceof wacrm.errorClass(code), code)
    assert.equal(e.code, code)
    classes.add(wacrm.errorClass(code))
  }
  assert.equal(classes.size, wacrm.errorCodes().length)
})

test('sync native throw becomes a typed error with fields', () => {
  const body = JSON.stringify({
    error: { message: '(#131056) pair rate limit hit', type: 'OAuthException', code: 131056,
      error_data: { messaging_product: 'whatsapp', details: 'too many' }, fbtrace_id: 'A4O5' },
  })
  assert.throws(() => wacrm.raiseGraphError(body, 400), (e) => {
    assert.ok(e instanceof wacrm.PairRateLimitedError)
    assert.ok(e instanceof wacrm.RateLimitedError)
    assert.equal(e.name, 'PairRateLimitedError')
    assert.equal(e.code, 'PAIR_RATE_LIMITED')
    assert.equal(e.kind, 'pair_rate_limited')
    assert.equal(e.graphCode, 131056)
    assert.equal(e.graphDetails, 'too many')
    assert.equal(e.fbtraceId, 'A4O5')
    assert.equal(e.httpStatus, 400)
    assert.equal(e.retryable, true)
    assert.equal(e.retryAfterMs, 6000)
    assert.doesNotMatch(e.message, /[{]/)
    return true
  })
})

test('graphErrorDetails is an object; fromGraphBody classifies and returns null for non-envelopes', () => {
  const d = wacrm.graphErrorDetails('{"error":{"message":"bad","code":190}}', 401)
  assert.equal(d.code, 'AUTH')
  assert.equal(d.graph_code, 190)
  assert.equal(wacrm.graphErrorDetails('<html>', 502), null)
  const e = wacrm.fromGraphBody('{"error":{"message":"bad","code":190}}', 401)
  assert.ok(e instanceof wacrm.AuthError)
  assert.equal(e.retryable, false)
  assert.equal(wacrm.fromGraphBody('<html>502</html>', 502), null)
})

test('constructor failures are typed too', () => {
  assert.throws(() => new wacrm.Stores('mysql://x'), (e) => e instanceof wacrm.ConfigError)
  assert.throws(() => new wacrm.Scheduler(new wacrm.Stores(), new wacrm.Client('t'), { limits: { mps: 'fast' } }), (e) => e instanceof wacrm.ValidationError && /limits/.test(e.message))
})

test('errors from other sources pass through unchanged', () => {
  const plain = new TypeError('x')
  assert.equal(wacrm.toWacrmError(plain), plain)
  assert.ok(!(wacrm.toWacrmError(plain) instanceof wacrm.WacrmError))
})
