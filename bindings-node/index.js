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
  verifyAndParse: (appSecret, body, signature) =>
    JSON.parse(out.webhookVerifyAndParse(appSecret, Buffer.from(body), signature ?? null)),
}

// ---------- engine: every call goes through the native handle's `call(op, json)` ----------

function clean(args) {
  const o = {}
  for (const [k, v] of Object.entries(args)) if (v !== undefined && v !== null) o[k] = v
  return JSON.stringify(o)
}

async function call(handle, op, args = {}) {
  return JSON.parse(await handle.call(op, clean(args)))
}

/** Build a native handle; its errors become WacrmError subclasses like every call's. */
function make(Cls, ...args) {
  try {
    return new Cls(...args)
  } catch (e) {
    throw toWacrmError(e)
  }
}

/** Cloud API client: messages of every type, read receipts, media, templates, numbers, profile. */
class Client {
  constructor(accessToken, baseUrl, apiVersion) {
    this._native = make(native.NativeClient, accessToken, baseUrl ?? null, apiVersion ?? null)
  }
  send(from, to, message, opts = {}) {
    return call(this._native, 'send', { from, to, message, idempotency_key: opts.idempotencyKey, biz_opaque_callback_data: opts.bizOpaqueCallbackData })
  }
  sendText(from, to, body) { return call(this._native, 'send_text', { from, to, body }) }
  markRead(from, messageId, typingIndicator = false) {
    return call(this._native, 'mark_read', { from, message_id: messageId, typing_indicator: typingIndicator })
  }
  async uploadMedia(from, path, mimeType, kind) {
    return (await call(this._native, 'upload_media', { from, path, mime_type: mimeType, kind })).id
  }
  mediaUrl(mediaId) { return call(this._native, 'media_url', { id: mediaId }) }
  downloadMedia(url, path) { return call(this._native, 'download_media', { url, path }) }
  deleteMedia(mediaId) { return call(this._native, 'delete_media', { id: mediaId }) }
  listTemplates(wabaId, query = {}) { return call(this._native, 'list_templates', { waba: wabaId, query }) }
  listAllTemplates(wabaId, query = {}) { return call(this._native, 'list_all_templates', { waba: wabaId, query }) }
  createTemplate(wabaId, template) { return call(this._native, 'create_template', { waba: wabaId, template }) }
  deleteTemplate(wabaId, name, templateId) { return call(this._native, 'delete_template', { waba: wabaId, name, id: templateId }) }
  listPhoneNumbers(wabaId) { return call(this._native, 'list_phone_numbers', { waba: wabaId }) }
  getPhoneNumber(id) { return call(this._native, 'get_phone_number', { id }) }
  getBusinessProfile(id) { return call(this._native, 'get_business_profile', { id }) }
  updateBusinessProfile(id, profile) { return call(this._native, 'update_business_profile', { id, profile }) }
  toString() { return 'Client(...)' }
  [Symbol.for('nodejs.util.inspect.custom')]() { return 'Client(...)' }
}

/** In-process Cloud API sandbox (a real HTTP server on a free port). */
class Sandbox {
  constructor(opts = {}) {
    this._native = make(native.NativeSandbox, clean({ webhook_url: opts.webhookUrl, app_secret: opts.appSecret, mps: opts.mps }))
  }
  get baseUrl() { return this._native.baseUrl }
  get accessToken() { return this._native.accessToken }
  get wabaId() { return this._native.wabaId }
  get phoneNumberId() { return this._native.phoneNumberId }
  ledger() { return JSON.parse(this._native.ledger()) }
  setFaults(faults) { this._native.setFaults(JSON.stringify(faults)) }
  inboundText(fromWaId, name, body) { return this._native.inboundText(fromWaId, name, body) }
}

/** Stores by URL: contacts (CSV import, segments, dedupe), conversations, messages, outbox. */
class Stores {
  constructor(url = 'memory:') { this._native = make(native.NativeStores, url) }
  importContactsCsv(path, map, opts = {}) {
    return call(this._native, 'contacts_import_csv', { path, map, id_column: opts.idColumn, region: opts.region, add_tags: opts.addTags, require_phone: opts.requirePhone })
  }
  dedupeContacts(opts = {}) { const { merge = false, ...config } = opts; return call(this._native, 'contacts_dedupe', { config, merge }) }
  getContact(id) { return call(this._native, 'contact_get', { id }) }
  findContactByPhone(e164) { return call(this._native, 'contact_find_by_phone', { phone: e164 }) }
  upsertContact(contact) { return call(this._native, 'contact_upsert', contact) }
  segmentMembers(name, f = {}) {
    return call(this._native, 'segment_members', { name, filter: { tags_all: f.tagsAll ?? [], tags_any: f.tagsAny ?? [], tags_none: f.tagsNone ?? [], attributes: f.attributes ?? {}, has_phone: true } })
  }
  openConversations() { return call(this._native, 'conversations_open') }
  messagesForContact(id) { return call(this._native, 'messages_for_contact', { id }) }
  outboxStats() { return call(this._native, 'outbox_stats') }
  outboxItems(state, limit = 100) { return call(this._native, 'outbox_items', { state, limit }) }
}

/** An outbox message; `key` is its idempotency key. */
function outgoing(key, from, to, message, o = {}) {
  const category = o.category ?? 'utility'
  const lane = o.lane ?? ({ marketing: 'marketing', service: 'reply' }[category] ?? 'notification')
  return { idempotency_key: key, phone_number_id: from, recipient: to, message, category, lane, campaign_id: o.campaignId ?? null, not_before: o.notBefore ?? 0, event_key: o.eventKey ?? null, promotion: Boolean(o.promotion), automated: Boolean(o.automated) }
}

/** The send scheduler over stores and a client. */
class Scheduler {
  constructor(stores, client, opts = {}) {
    this._native = make(native.NativeScheduler, stores._native, client._native, clean({ limits: opts.limits, policies: opts.policies, worker: opts.worker, tier_cap: opts.tierCap, redis_url: opts.redisUrl, redis_prefix: opts.redisPrefix }))
  }
  enqueue(message) { return call(this._native, 'enqueue', message) }
  runOnce() { return call(this._native, 'run_once') }
  runUntilIdle(opts = {}) { return call(this._native, 'run_until_idle', { horizon_ms: opts.horizonMs ?? 0, timeout_ms: opts.timeoutMs ?? 30000 }) }
  recover() { return call(this._native, 'recover') }
  stats() { return call(this._native, 'stats') }
}

/** Conversation assignment with its state in the stores. */
class Assignment {
  constructor(stores, opts = {}) {
    this._native = make(native.NativeAssignment, stores._native, clean({ strategy: opts.strategy, hard_cap: opts.hardCap, sla_ms: opts.slaMs }))
  }
  upsertAgent(a) { return call(this._native, 'upsert_agent', { id: a.id, name: a.name ?? a.id, capacity: a.capacity ?? 10, skills: a.skills ?? [], teams: a.teams ?? [], presence: a.presence ?? 'online' }) }
  assign(r) {
    return call(this._native, 'assign', { conversation_id: r.conversationId, contact_id: r.contactId, priority: r.priority ?? 0, required_skills: r.requiredSkills ?? [], preferred_skills: r.preferredSkills ?? [], previous_agent: r.previousAgent ?? null, team: r.team ?? null, arrived_at: r.arrivedAt ?? 0 })
  }
  release(conversationId) { return call(this._native, 'release', { conversation: conversationId }) }
  setPresence(agentId, presence) { return call(this._native, 'set_presence', { agent: agentId, presence }) }
  markResponded(conversationId) { return call(this._native, 'mark_responded', { conversation: conversationId }) }
  tick() { return call(this._native, 'tick') }
  loads() { return call(this._native, 'loads') }
  queueLen() { return call(this._native, 'queue_len') }
}

/** Contacts without a store: dedupe or link CSV files. */
const contacts = {
  async dedupeCsv(paths, map, opts = {}) {
    const { idColumn, region, link = false, ...config } = opts
    return JSON.parse(await out.contactsDedupeCsv(clean({ paths, map, id_column: idColumn, region, link, config: Object.keys(config).length ? config : undefined })))
  },
}

module.exports = {
  ...out,
  phone,
  webhook,
  Client,
  Sandbox,
  Stores,
  Scheduler,
  Assignment,
  outgoing,
  contacts,
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
  fromGraphBody,
  toWacrmError,
}
