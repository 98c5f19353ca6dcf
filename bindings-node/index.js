'use strict'
// Public entry: re-exports the native binding and turns its errors into
// WacrmError subclasses carrying the core's ErrorDetails fields.

const native = require('./binding.js')

const PREFIX = 'WACRM_ERROR_DETAILS:'

class WacrmError extends Error {
  constructor(message, details = {}, options = undefined) {
    super(message, options)
    this.name = this.constructor.name
    this.kind = details.kind ?? 'unknown'
    this.code = details.code ?? 'UNKNOWN'
    this.graphCode = details.graph_code ?? null
    this.graphSubcode = details.graph_subcode ?? null
    this.graphDetails = details.graph_details ?? null
    this.fbtraceId = details.fbtrace_id ?? null
    this.httpStatus = details.http_status ?? null
    this.retryable = Boolean(details.retryable)
    this.retryAfterMs = details.retry_after_ms ?? null
  }
}
class AuthError extends WacrmError {}
class RateLimitedError extends WacrmError {}
class PairRateLimitedError extends RateLimitedError {}
class OutsideWindowError extends WacrmError {}
class TemplateError extends WacrmError {}
class RecipientInvalidError extends WacrmError {}
class PolicyBlockError extends WacrmError {}
class TransientError extends WacrmError {}
class ValidationError extends WacrmError {}
class NetworkError extends WacrmError {}
class StoreError extends WacrmError {}
class ConfigError extends WacrmError {}
class WebhookSignatureError extends WacrmError {}

const BY_CODE = {
  AUTH: AuthError,
  RATE_LIMITED: RateLimitedError,
  PAIR_RATE_LIMITED: PairRateLimitedError,
  OUTSIDE_WINDOW: OutsideWindowError,
  TEMPLATE: TemplateError,
  RECIPIENT_INVALID: RecipientInvalidError,
  POLICY_BLOCK: PolicyBlockError,
  TRANSIENT: TransientError,
  VALIDATION: ValidationError,
  NETWORK: NetworkError,
  STORE: StoreError,
  CONFIG: ConfigError,
  WEBHOOK: WebhookSignatureError,
  UNKNOWN: WacrmError,
}

function fromDetails(details, cause) {
  const Cls = BY_CODE[details.code] ?? WacrmError
  return new Cls(details.message ?? '', details, cause ? { cause } : undefined)
}

function toWacrmError(e) {
  if (e instanceof WacrmError) return e
  const msg = e && typeof e.message === 'string' ? e.message : ''
  const at = msg.indexOf(PREFIX)
  if (at < 0) return e
  let details
  try {
    details = JSON.parse(msg.slice(at + PREFIX.length))
  } catch {
    return e
  }
  return fromDetails(details, e)
}

function wrapFn(fn) {
  return function wrapped(...args) {
    let out
    try {
      out = fn.apply(this, args)
    } catch (e) {
      throw toWacrmError(e)
    }
    if (out && typeof out.then === 'function') {
      return out.catch((e) => {
        throw toWacrmError(e)
      })
    }
    return out
  }
}

function wrapClass(Cls) {
  for (const target of [Cls.prototype, Cls]) {
    for (const name of Object.getOwnPropertyNames(target)) {
      if (name === 'constructor' || name === 'prototype' || name === 'length' || name === 'name') continue
      const desc = Object.getOwnPropertyDescriptor(target, name)
      if (desc && typeof desc.value === 'function') {
        Object.defineProperty(target, name, { ...desc, value: wrapFn(desc.value) })
      }
    }
  }
  return Cls
}

const out = {}
for (const [name, value] of Object.entries(native)) {
  if (typeof value === 'function' && /^[A-Z]/.test(name) && value.prototype) {
    out[name] = wrapClass(value)
  } else if (typeof value === 'function') {
    out[name] = wrapFn(value)
  } else {
    out[name] = value
  }
}

/** Classify a Graph API error body you received yourself; null when it is not an error envelope. */
function fromGraphBody(body, httpStatus, retryAfterMs) {
  const raw = native.graphErrorDetails(String(body), httpStatus, retryAfterMs ?? null)
  return raw == null ? null : fromDetails(JSON.parse(raw))
}

/** Phone numbers: E.164, region, type, validity, WhatsApp ids. */
const phone = {
  parse: (input, region) => JSON.parse(out.phoneParse(String(input), region ?? null)),
  normalize: (inputs, region) => JSON.parse(out.phoneNormalize(inputs.map(String), region ?? null)),
}

/** Webhooks: verify the signature over the raw bytes, parse into events. */
const webhook = {
  verify: (appSecret, body, signature) => out.webhookVerify(appSecret, Buffer.from(body), signature ?? null),
  parse: (body) => JSON.parse(out.webhookParse(Buffer.from(body))),
}

module.exports = {
  ...out,
  phone,
  webhook,
  WacrmError,
  AuthError,
  RateLimitedError,
  PairRateLimitedError,
  OutsideWindowError,
  TemplateError,
  RecipientInvalidError,
  PolicyBlockError,
  TransientError,
  ValidationError,
  NetworkError,
  StoreError,
  ConfigError,
  WebhookSignatureError,
  fromGraphBody,
  toWacrmError,
}
