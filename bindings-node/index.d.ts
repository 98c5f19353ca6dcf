// Public types: the generated native surface (binding.d.ts), the value types
// (types.d.ts), the error classes and the message constructors of index.js.
import type * as T from './types'
import {
  NativeAssignment,
  NativeAutomation,
  NativeClient,
  NativeConsole,
  NativeCrmStandin,
  NativeCrmSync,
  NativeMapping,
  NativeRules,
  NativeSandbox,
  NativeScheduler,
  NativeStores,
  contactsDedupeCsv,
  phoneNormalize,
  phoneParse,
  webhookParse,
} from './binding'

export * from './binding'
export * from './types'

/** Cloud API client: messages of every type, read receipts, media, templates, numbers, profile. */
export { NativeClient as Client }
/** In-process Cloud API sandbox (a real HTTP server on a free port). */
export { NativeSandbox as Sandbox }
/** Stores by URL (`memory:`, `sqlite://PATH`, `postgres://...`). */
export { NativeStores as Stores }
/** The send scheduler: every Meta limit, the policies, a durable outbox. */
export { NativeScheduler as Scheduler }
/** Conversation assignment (least-loaded or round-robin, skills, caps, queue). */
export { NativeAssignment as Assignment }
/** The console: sessions bound to one acting user; every action checked and audited. */
export { NativeConsole as Console }
/** A CRM field mapping (`Mapping.parse(text)`, `Mapping.load(path)`). */
export { NativeMapping as Mapping }
/** Contacts kept in step with HubSpot CRM v3 through a mapping. */
export { NativeCrmSync as CrmSync }
/** A HubSpot CRM v3 stand-in on a free loopback port, for tests and demos. */
export { NativeCrmStandin as CrmStandin }
/** An automation rules file (`Rules.parse(text)`, `Rules.load(path)`). */
export { NativeRules as Rules }
/** Automation rules evaluated over their state; contacts' tags and segments. */
export { NativeAutomation as Automation }

/** Every wacrm failure; fields mirror the core's ErrorDetails. */
export declare class WacrmError extends Error {
  constructor(message: string, details?: Partial<T.ErrorDetails>, options?: ErrorOptions)
  readonly kind: string
  readonly code: T.ErrorCode
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

/** The WacrmError subclass of an error code. */
export declare function errorClass(code: T.ErrorCode): typeof WacrmError
/** A WacrmError of the right subclass from the core's ErrorDetails. */
export declare function fromDetails(details: T.ErrorDetails, cause?: unknown): WacrmError
/** Classify a Graph API error body you received yourself; null when it is not an error envelope. */
export declare function fromGraphBody(body: string, httpStatus: number, retryAfterMs?: number | null): WacrmError | null
/** Give a native failure its WacrmError subclass; anything else is returned unchanged. */
export declare function toWacrmError(e: unknown): unknown

type Bytes = Buffer | Uint8Array | string

export declare const phone: {
  parse(input: string, region?: string | null): ReturnType<typeof phoneParse>
  normalize(inputs: string[], region?: string | null): ReturnType<typeof phoneNormalize>
}
export declare const webhook: {
  /** Throws WebhookSignatureError unless the signature matches the raw bytes. */
  verify(appSecret: string, body: Bytes, signature?: string | null): void
  parse(body: Bytes): ReturnType<typeof webhookParse>
  /** Verify and parse in one pass; throws WebhookSignatureError (and returns no events) unless the signature matches. */
  verifyAndParse(appSecret: string, body: Bytes, signature?: string | null): T.WebhookEvent[]
}
/** Contacts without a store. */
export declare const contacts: {
  dedupeCsv: typeof contactsDedupeCsv
}

/** Constructors for every outbound message type (the Cloud API wire form). */
export declare const message: {
  text(body: string, opts?: { previewUrl?: boolean }): T.TextMessage
  image(media: T.MediaRef, opts?: { caption?: string }): T.ImageMessage
  audio(media: T.MediaRef): T.AudioMessage
  video(media: T.MediaRef, opts?: { caption?: string }): T.VideoMessage
  document(media: T.MediaRef, opts?: { caption?: string; filename?: string }): T.DocumentMessage
  sticker(media: T.MediaRef): T.StickerMessage
  location(latitude: number, longitude: number, opts?: { name?: string; address?: string }): T.LocationMessage
  contacts(cards: T.ContactCard[]): T.ContactsMessage
  /** An empty emoji removes the reaction. */
  reaction(messageId: string, emoji: string): T.ReactionMessage
  /** Up to three reply buttons. */
  buttons(body: string, buttons: { id: string; title: string }[], opts?: { header?: T.InteractiveHeader; footer?: string }): T.InteractiveMessage
  list(body: string, button: string, sections: T.ListSection[], opts?: { header?: string; footer?: string }): T.InteractiveMessage
  ctaUrl(body: string, displayText: string, url: string, opts?: { header?: string; footer?: string }): T.InteractiveMessage
  template(name: string, language: string, components?: T.TemplateComponent[]): T.TemplateMessage
}
/** Template components. */
export declare const component: {
  header(parameters: T.TemplateParameter[]): T.TemplateComponent
  body(parameters: T.TemplateParameter[]): T.TemplateComponent
  button(subType: string, index: number, parameters: T.TemplateParameter[]): T.TemplateComponent
}
/** Template parameters; `name` for templates with named parameters. */
export declare const param: {
  text(text: string, name?: string): T.TemplateParameter
  currency(fallbackValue: string, code: string, amount1000: number, name?: string): T.TemplateParameter
  dateTime(fallbackValue: string, name?: string): T.TemplateParameter
  image(media: T.MediaRef): T.TemplateParameter
  video(media: T.MediaRef): T.TemplateParameter
  document(media: T.MediaRef, filename?: string): T.TemplateParameter
  payload(payload: string): T.TemplateParameter
}
