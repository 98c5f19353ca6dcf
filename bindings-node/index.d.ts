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
}
