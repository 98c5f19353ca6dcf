import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const wacrm = require('../index.js')

test('every core error code has a class', () => {
  for (const code of wacrm.errorCodes()) {
    const e = wacrm.toWacrmError(new Error(`WACRM_ERROR_DETAILS:${JSON.stringify({ code, message: 'm' })}`))
    assert.ok(e instanceof wacrm.WacrmError, code)
    assert.equal(e.code, code)
  }
})

test('sync native throw becomes a typed error with fields', () => {
  const body = JSON.stringify({
    error: { message: '(#131056) pair rate limit hit', type: 'OAuthException', code: 131056,
      error_data: { messaging_product: 'whatsapp', details: 'too many' }, fbtrace_id: 'A4O5' },
  })
  assert.throws(() => wacrm.raiseGraphError(body, 400), (e) => {
    assert.ok(e instanceof wacrm.PairRateLimitedError)
    assert.ok(e instanceof wacrm.RateLimitedError)
    assert.equal(e.code, 'PAIR_RATE_LIMITED')
    assert.equal(e.graphCode, 131056)
    assert.equal(e.fbtraceId, 'A4O5')
    assert.equal(e.retryable, true)
    assert.equal(e.retryAfterMs, 6000)
    return true
  })
})

test('fromGraphBody classifies and returns null for non-envelopes', () => {
  const e = wacrm.fromGraphBody('{"error":{"message":"bad","code":190}}', 401)
  assert.ok(e instanceof wacrm.AuthError)
  assert.equal(e.retryable, false)
  assert.equal(wacrm.fromGraphBody('<html>502</html>', 502), null)
})
