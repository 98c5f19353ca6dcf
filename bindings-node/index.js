'use strict'
// Public entry: the native classes and functions under their public names, their
// failures given WacrmError subclasses, and constructors for outbound messages in
// the Cloud API wire form. Every operation is defined once, in the native module.

const native = require('./binding.js')

/** Every wacrm failure; fields mirror the core's ErrorDetails (camelCased). */
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
class ForbiddenError extends WacrmError {}

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
  FORBIDDEN: ForbiddenError,
  UNKNOWN: WacrmError,
}

/** The WacrmError subclass of an error code. */
function errorClass(code) {
  return BY_CODE[code] ?? WacrmError
}

/** A WacrmError of the right subclass from the core's ErrorDetails. */
function fromDetails(details, cause) {
  const Cls = errorClass(details.code)
  return new Cls(details.message ?? '', details, cause ? { cause } : undefined)
}

/**
 * A native failure arrives as an `Error` that already carries the ErrorDetails
 * fields (set by the native module); it only needs its subclass. Anything else
 * passes through unchanged.
 */
function toWacrmError(e) {
  if (e instanceof WacrmError || !(e instanceof Error)) return e
  if (typeof e.code !== 'string' || typeof e.kind !== 'string' || typeof e.retryable !== 'boolean') return e
  const Cls = errorClass(e.code)
  Object.setPrototypeOf(e, Cls.prototype)
  Object.defineProperty(e, 'name', { value: Cls.name, writable: true, configurable: true })
  return e
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

/**
 * Wrap a native class's methods in place, and its constructor, so failures get their
 * subclass. napi defines static factories as non-configurable properties; those are
 * wrapped on a subclass instead (their instances stay instances of the native class).
 */
function wrapClass(Cls) {
  const statics = {}
  for (const target of [Cls.prototype, Cls]) {
    for (const name of Object.getOwnPropertyNames(target)) {
      if (name === 'constructor' || name === 'prototype' || name === 'length' || name === 'name') continue
      const desc = Object.getOwnPropertyDescriptor(target, name)
      if (!desc || typeof desc.value !== 'function') continue
      if (desc.configurable) {
        Object.defineProperty(target, name, { ...desc, value: wrapFn(desc.value) })
      } else if (target === Cls) {
        statics[name] = wrapFn(desc.value)
      }
    }
  }
  let Wrapped = Cls
  if (Object.keys(statics).length > 0) {
    Wrapped = class extends Cls {}
    Object.defineProperty(Wrapped, 'name', { value: Cls.name })
    for (const [name, fn] of Object.entries(statics)) {
      Object.defineProperty(Wrapped, name, { value: (...args) => fn.apply(Cls, args), writable: true, configurable: true })
    }
  }
  return new Proxy(Wrapped, {
    construct(target, args, newTarget) {
      try {
        return Reflect.construct(target, args, newTarget)
      } catch (e) {
        throw toWacrmError(e)
      }
    },
  })
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
  const details = native.graphErrorDetails(String(body), httpStatus, retryAfterMs ?? null)
  return details == null ? null : fromDetails(details)
}

const bytes = (body) => (Buffer.isBuffer(body) ? body : Buffer.from(body))

/** Phone numbers: E.164, region, type, validity, WhatsApp ids. */
const phone = {
  parse: (input, region) => out.phoneParse(String(input), region ?? null),
  normalize: (inputs, region) => out.phoneNormalize(inputs.map(String), region ?? null),
}

/** Webhooks: verify the signature over the raw bytes, parse into typed events. */
const webhook = {
  verify: (appSecret, body, signature) => out.webhookVerify(appSecret, bytes(body), signature ?? null),
  parse: (body) => out.webhookParse(bytes(body)),
  verifyAndParse: (appSecret, body, signature) => out.webhookVerifyAndParse(appSecret, bytes(body), signature ?? null),
}

/** Contacts without a store: dedupe or link CSV files. */
const contacts = { dedupeCsv: out.contactsDedupeCsv }

// ---------- outbound messages in the Cloud API wire form ----------

/** The object without its undefined fields (absent, not null, on the wire). */
function compact(o) {
  const r = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) r[k] = v
  return r
}
const media = (ref, extra = {}) => compact({ id: ref.id, link: ref.link, ...extra })
const textPart = (t) => (t === undefined ? undefined : { text: t })
const textHeader = (t) => (t === undefined ? undefined : { type: 'text', text: t })
const interactive = (type, body, opts, action, header) => ({
  type: 'interactive',
  interactive: compact({ type, header, body: { text: body }, footer: textPart(opts.footer), action }),
})

/** Typed constructors for every outbound message type. */
const message = {
  text: (body, opts = {}) => ({ type: 'text', text: { body, preview_url: Boolean(opts.previewUrl) } }),
  image: (ref, opts = {}) => ({ type: 'image', image: media(ref, { caption: opts.caption }) }),
  audio: (ref) => ({ type: 'audio', audio: media(ref) }),
  video: (ref, opts = {}) => ({ type: 'video', video: media(ref, { caption: opts.caption }) }),
  document: (ref, opts = {}) => ({ type: 'document', document: media(ref, { caption: opts.caption, filename: opts.filename }) }),
  sticker: (ref) => ({ type: 'sticker', sticker: media(ref) }),
  location: (latitude, longitude, opts = {}) => ({
    type: 'location',
    location: compact({ latitude, longitude, name: opts.name, address: opts.address }),
  }),
  contacts: (cards) => ({ type: 'contacts', contacts: cards }),
  reaction: (messageId, emoji) => ({ type: 'reaction', reaction: { message_id: messageId, emoji } }),
  buttons: (body, buttons, opts = {}) =>
    interactive('button', body, opts, { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) }, opts.header),
  list: (body, button, sections, opts = {}) => interactive('list', body, opts, { button, sections }, textHeader(opts.header)),
  ctaUrl: (body, displayText, url, opts = {}) =>
    interactive('cta_url', body, opts, { name: 'cta_url', parameters: { display_text: displayText, url } }, textHeader(opts.header)),
  template: (name, language, components = []) => ({ type: 'template', template: { name, language: { code: language }, components } }),
}

/** Template components: header, body and button parameters. */
const component = {
  header: (parameters) => ({ type: 'header', parameters }),
  body: (parameters) => ({ type: 'body', parameters }),
  button: (subType, index, parameters) => ({ type: 'button', sub_type: subType, index: String(index), parameters }),
}

/** Template parameters; `name` for templates with named parameters. */
const param = {
  text: (text, name) => compact({ type: 'text', text, parameter_name: name }),
  currency: (fallbackValue, code, amount1000, name) =>
    compact({ type: 'currency', currency: { fallback_value: fallbackValue, code, amount_1000: amount1000 }, parameter_name: name }),
  dateTime: (fallbackValue, name) => compact({ type: 'date_time', date_time: { fallback_value: fallbackValue }, parameter_name: name }),
  image: (ref) => ({ type: 'image', image: media(ref) }),
  video: (ref) => ({ type: 'video', video: media(ref) }),
  document: (ref, filename) => ({ type: 'document', document: media(ref, { filename }) }),
  payload: (payload) => ({ type: 'payload', payload }),
}

module.exports = {
  ...out,
  Client: out.NativeClient,
  Sandbox: out.NativeSandbox,
  Stores: out.NativeStores,
  Scheduler: out.NativeScheduler,
  Assignment: out.NativeAssignment,
  Console: out.NativeConsole,
  Mapping: out.NativeMapping,
  CrmSync: out.NativeCrmSync,
  CrmStandin: out.NativeCrmStandin,
  Rules: out.NativeRules,
  Automation: out.NativeAutomation,
  phone,
  webhook,
  contacts,
  message,
  component,
  param,
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
  ForbiddenError,
  errorClass,
  fromDetails,
  fromGraphBody,
  toWacrmError,
}
