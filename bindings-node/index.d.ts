export * from './binding'

export type ErrorCode =
  | 'AUTH'
  | 'RATE_LIMITED'
  | 'PAIR_RATE_LIMITED'
  | 'OUTSIDE_WINDOW'
  | 'TEMPLATE'
  | 'RECIPIENT_INVALID'
  | 'POLICY_BLOCK'
  | 'TRANSIENT'
  | 'VALIDATION'
  | 'NETWORK'
  | 'STORE'
  | 'CONFIG'
  | 'WEBHOOK'
  | 'FORBIDDEN'
  | 'UNKNOWN'

/** Every wacrm failure; fields mirror the core's ErrorDetails. */
export declare class WacrmError extends Error {
  readonly kind: string
  readonly code: ErrorCode
  readonly graphCode: number | null
  readonly graphSubcode: number | null
  readonly graphDetails: string | null
  readonly fbtraceId: string | null
  readonly httpStatus: number | null
  readonly retryable: boolean
  readonly retryAfterMs: number | null
}
export declare class AuthError extends WacrmError {}
export declare class RateLimitedError extends WacrmError {}
export declare class PairRateLimitedError extends RateLimitedError {}
export declare class OutsideWindowError extends WacrmError {}
export declare class TemplateError extends WacrmError {}
export declare class RecipientInvalidError extends WacrmError {}
export declare class PolicyBlockError extends WacrmError {}
export declare class TransientError extends WacrmError {}
export declare class ValidationError extends WacrmError {}
export declare class NetworkError extends WacrmError {}
export declare class StoreError extends WacrmError {}
export declare class ConfigError extends WacrmError {}
export declare class WebhookSignatureError extends WacrmError {}
/** The acting user's role does not allow the action. */
export declare class ForbiddenError extends WacrmError {}

/** Classify a Graph API error body you received yourself; null when it is not an error envelope. */
export declare function fromGraphBody(body: string, httpStatus: number, retryAfterMs?: number | null): WacrmError | null
/** Map any error thrown by the native module to its WacrmError subclass. */
export declare function toWacrmError(e: unknown): unknown

/** Parsed phone number. */
export interface PhoneInfo {
  e164: string
  region: string
  country_code: number
  number_type: string
  valid: boolean
  extension: string | null
}
/** One normalized row; `error` explains a failure. */
export interface NormalizedRow {
  input: string
  e164: string | null
  region: string | null
  type: string | null
  valid: boolean
  wa_id: string | null
  error: string | null
}
export declare const phone: {
  parse(input: string, region?: string | null): PhoneInfo
  normalize(inputs: string[], region?: string | null): NormalizedRow[]
}
/** A webhook event (`kind`: message, status, error, unknown). */
export type WebhookEvent = { kind: 'message' | 'status' | 'error' | 'unknown'; [key: string]: unknown }
export declare const webhook: {
  /** Throws WebhookSignatureError unless the signature matches the raw bytes. */
  verify(appSecret: string, body: Buffer | Uint8Array | string, signature?: string | null): void
  parse(body: Buffer | Uint8Array | string): WebhookEvent[]
  /** Verify and parse in one pass; throws WebhookSignatureError (and returns no events) unless the signature matches. */
  verifyAndParse(appSecret: string, body: Buffer | Uint8Array | string, signature?: string | null): WebhookEvent[]
}

/** A JSON object as the core answers it. */
export type Json = { [key: string]: any }
/** An outbound message (`{ type, content }`, the core's OutboundMessage). */
export type Message = { type: string; content: Json }

/** Cloud API client: messages of every type, read receipts, media, templates, numbers, profile. */
export declare class Client {
  constructor(accessToken: string, baseUrl?: string | null, apiVersion?: string | null)
  send(from: string, to: string, message: Message, opts?: { idempotencyKey?: string; bizOpaqueCallbackData?: string }): Promise<Json>
  sendText(from: string, to: string, body: string): Promise<Json>
  markRead(from: string, messageId: string, typingIndicator?: boolean): Promise<Json>
  uploadMedia(from: string, path: string, mimeType: string, kind?: string): Promise<string>
  mediaUrl(mediaId: string): Promise<Json>
  downloadMedia(url: string, path: string): Promise<{ path: string; bytes: number }>
  deleteMedia(mediaId: string): Promise<Json>
  listTemplates(wabaId: string, query?: Json): Promise<{ items: Json[]; next: string | null }>
  listAllTemplates(wabaId: string, query?: Json): Promise<Json[]>
  createTemplate(wabaId: string, template: Json): Promise<Json>
  deleteTemplate(wabaId: string, name: string, templateId?: string): Promise<Json>
  listPhoneNumbers(wabaId: string): Promise<{ items: Json[]; next: string | null }>
  getPhoneNumber(id: string): Promise<Json>
  getBusinessProfile(id: string): Promise<Json>
  updateBusinessProfile(id: string, profile: Json): Promise<Json>
}

/** In-process Cloud API sandbox (a real HTTP server on a free port). */
export declare class Sandbox {
  constructor(opts?: { webhookUrl?: string; appSecret?: string; mps?: number })
  readonly baseUrl: string
  readonly accessToken: string
  readonly wabaId: string
  readonly phoneNumberId: string
  ledger(): Json[]
  setFaults(faults: { error_rate?: number; latency_ms?: number; drop_rate?: number; drop_after_accept_rate?: number; duplicate_webhook_rate?: number; out_of_order_rate?: number }): void
  inboundText(fromWaId: string, name: string, body: string): string
}

/** One bad CSV row with its line number; the raw fields are kept. */
export interface BadRow { line: number; reason: string; raw: string[] }
export interface ImportReport { rows: number; imported: number; duplicates_in_file: number; bad_rows: BadRow[]; [key: string]: unknown }

/** Stores by URL (`memory:`, `sqlite://PATH`, `postgres://...`). */
export declare class Stores {
  constructor(url?: string)
  importContactsCsv(path: string, map: string[], opts?: { idColumn?: string; region?: string; addTags?: string[]; requirePhone?: boolean }): Promise<ImportReport>
  dedupeContacts(opts?: { merge?: boolean; [config: string]: unknown }): Promise<{ result: Json; merged: Json | null }>
  getContact(id: string): Promise<Json | null>
  findContactByPhone(e164: string): Promise<Json | null>
  upsertContact(contact: Json): Promise<Json>
  segmentMembers(name: string, filter?: { tagsAll?: string[]; tagsAny?: string[]; tagsNone?: string[]; attributes?: Json }): Promise<Json[]>
  openConversations(): Promise<Json[]>
  messagesForContact(id: string): Promise<Json[]>
  outboxStats(): Promise<Json>
  outboxItems(state?: string, limit?: number): Promise<Json[]>
}

/** An outbox message; `key` is its idempotency key (enqueuing twice never sends twice). */
export declare function outgoing(key: string, from: string, to: string, message: Message, opts?: { category?: string; lane?: string; campaignId?: string; notBefore?: number; eventKey?: string; promotion?: boolean; automated?: boolean }): Json

/** The send scheduler: every Meta limit, the policies, a durable outbox. */
export declare class Scheduler {
  constructor(stores: Stores, client: Client, opts?: { limits?: Json; policies?: Json; worker?: Json; tierCap?: number; redisUrl?: string; redisPrefix?: string })
  enqueue(message: Json): Promise<'new' | 'duplicate'>
  runOnce(): Promise<Json>
  runUntilIdle(opts?: { horizonMs?: number; timeoutMs?: number }): Promise<{ claimed: number; sent: number; deferred: number; retried: number; parked: number }>
  recover(): Promise<number>
  stats(): Promise<Json>
}

/** Conversation assignment (least-loaded or round-robin, skills, caps, queue). */
export declare class Assignment {
  constructor(stores: Stores, opts?: { strategy?: 'least_loaded' | 'round_robin'; hardCap?: number; slaMs?: number })
  upsertAgent(agent: { id: string; name?: string; capacity?: number; skills?: string[]; teams?: string[]; presence?: 'online' | 'away' | 'offline' }): Promise<Json[]>
  assign(request: { conversationId: string; contactId: string; priority?: number; requiredSkills?: string[]; preferredSkills?: string[]; previousAgent?: string; team?: string; arrivedAt?: number }): Promise<Json>
  release(conversationId: string): Promise<Json[]>
  setPresence(agentId: string, presence: 'online' | 'away' | 'offline'): Promise<Json[]>
  markResponded(conversationId: string): Promise<null>
  tick(): Promise<Json[]>
  loads(): Promise<Record<string, number>>
  queueLen(): Promise<number>
}

/** Contacts without a store. */
export declare const contacts: {
  dedupeCsv(paths: string[], map: string[], opts?: { idColumn?: string; region?: string; link?: boolean; [config: string]: unknown }): Promise<{ result: Json; reports: ImportReport[] }>
}
