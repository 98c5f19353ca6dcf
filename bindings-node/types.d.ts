// The values that cross the Node binding, as the core serializes them: results,
// core records, outbound messages (the Cloud API wire form) and webhook events.
// Field names are the core's (snake_case); methods and option bags are camelCase.

/** Any JSON value (attributes, raw passthroughs). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
/** A JSON object kept as received (`raw` fields, fields this version does not model). */
export type JsonObject = { [key: string]: JsonValue }
/** Milliseconds since the Unix epoch. */
export type Millis = number
/** A span of time as the core serializes it. */
export interface Duration {
  secs: number
  nanos: number
}

// ---------- errors ----------

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

/** The core's description of a failure (what every WacrmError carries, camelCased). */
export interface ErrorDetails {
  kind: string
  code: ErrorCode
  message: string
  graph_code: number | null
  graph_subcode: number | null
  graph_details: string | null
  fbtrace_id: string | null
  http_status: number | null
  retryable: boolean
  retry_after_ms: number | null
}

/** A Graph API error object as Meta sends it. */
export interface GraphError {
  code: number
  error_subcode?: number
  message: string
  type?: string
  title?: string
  error_data?: { messaging_product?: string; details?: string; [key: string]: JsonValue | undefined }
  fbtrace_id?: string
  is_transient?: boolean
  error_user_title?: string
  error_user_msg?: string
  href?: string
}

// ---------- phone numbers ----------

export type NumberType =
  | 'fixed_line'
  | 'mobile'
  | 'fixed_line_or_mobile'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'personal_number'
  | 'voip'
  | 'pager'
  | 'uan'
  | 'emergency'
  | 'voicemail'
  | 'short_code'
  | 'standard_rate'
  | 'carrier_specific'
  | 'sms_services'
  | 'unknown'

/** A parsed phone number. */
export interface PhoneInfo {
  e164: string
  region: string
  country_code: number
  number_type: NumberType
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

// ---------- outbound messages (the Cloud API `/messages` body minus `messaging_product`/`to`) ----------

/** Media by uploaded id or by public http(s) link. */
export type MediaRef = { id: string; link?: undefined } | { link: string; id?: undefined }
export type MediaBody = MediaRef & { caption?: string; filename?: string }

export interface TextMessage { type: 'text'; text: { body: string; preview_url?: boolean } }
export interface ImageMessage { type: 'image'; image: MediaBody }
export interface AudioMessage { type: 'audio'; audio: MediaBody }
export interface VideoMessage { type: 'video'; video: MediaBody }
export interface DocumentMessage { type: 'document'; document: MediaBody }
export interface StickerMessage { type: 'sticker'; sticker: MediaBody }
export interface LocationMessage {
  type: 'location'
  location: { latitude: number; longitude: number; name?: string; address?: string }
}
export interface ContactCard {
  name: { formatted_name: string; first_name?: string; last_name?: string }
  phones?: { phone: string; type?: string; wa_id?: string }[]
  emails?: { email: string; type?: string }[]
  org?: { company?: string; department?: string; title?: string }
  urls?: { url: string; type?: string }[]
  birthday?: string
}
export interface ContactsMessage { type: 'contacts'; contacts: ContactCard[] }
/** An empty emoji removes the reaction. */
export interface ReactionMessage { type: 'reaction'; reaction: { message_id: string; emoji: string } }

export type InteractiveHeader =
  | { type: 'text'; text: string }
  | { type: 'image'; image: MediaRef }
  | { type: 'video'; video: MediaRef }
  | { type: 'document'; document: MediaRef }
export interface ReplyButton { type: 'reply'; reply: { id: string; title: string } }
export interface ListRow { id: string; title: string; description?: string }
export interface ListSection { title?: string; rows: ListRow[] }
export interface FlowParameters {
  flow_message_version: string
  flow_id?: string
  flow_name?: string
  flow_cta: string
  flow_token?: string
  flow_action?: string
  flow_action_payload?: JsonObject
  mode?: string
}
interface InteractiveCommon {
  body: { text: string }
  footer?: { text: string }
}
export type Interactive =
  | (InteractiveCommon & { type: 'button'; header?: InteractiveHeader; action: { buttons: ReplyButton[] } })
  | (InteractiveCommon & { type: 'list'; header?: { type: 'text'; text: string }; action: { button: string; sections: ListSection[] } })
  | (InteractiveCommon & { type: 'cta_url'; header?: { type: 'text'; text: string }; action: { name: 'cta_url'; parameters: { display_text: string; url: string } } })
  | (InteractiveCommon & { type: 'flow'; header?: { type: 'text'; text: string }; action: { name: 'flow'; parameters: FlowParameters } })
export interface InteractiveMessage { type: 'interactive'; interactive: Interactive }

/** A template parameter; `parameter_name` for templates with named parameters. */
export type TemplateParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | { type: 'currency'; currency: { fallback_value: string; code: string; amount_1000: number }; parameter_name?: string }
  | { type: 'date_time'; date_time: { fallback_value: string }; parameter_name?: string }
  | { type: 'image'; image: MediaRef }
  | { type: 'video'; video: MediaRef }
  | { type: 'document'; document: MediaRef & { filename?: string } }
  | { type: 'payload'; payload: string }
  | { type: 'action'; action: JsonObject }
export type TemplateComponent =
  | { type: 'header'; parameters: TemplateParameter[] }
  | { type: 'body'; parameters: TemplateParameter[] }
  | { type: 'button'; sub_type: string; index: string; parameters: TemplateParameter[] }
export interface TemplateMessage {
  type: 'template'
  template: { name: string; language: { code: string }; components?: TemplateComponent[] }
}

/** Any outbound message, discriminated by `type`. */
export type OutboundMessage =
  | TextMessage
  | ImageMessage
  | AudioMessage
  | VideoMessage
  | DocumentMessage
  | StickerMessage
  | LocationMessage
  | ContactsMessage
  | ReactionMessage
  | InteractiveMessage
  | TemplateMessage

// ---------- client results and inputs ----------

export interface SentContact { input: string; wa_id?: string; user_id?: string }
export interface SentMessage { id: string; message_status?: string }
export interface SendResponse { messaging_product: string; contacts: SentContact[]; messages: SentMessage[] }
export interface Success { success: boolean }
export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker'
export interface MediaUrl { url: string; mime_type: string; sha256: string; file_size: number; id: string }
export interface DownloadedMedia { path: string; bytes: number }
export interface Page<T> { items: T[]; next: string | null }
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION' | (string & {})
export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | (string & {})
/** A template as listed; fields this version does not model are kept too. */
export interface MessageTemplate {
  id: string
  name: string
  language: string
  category: TemplateCategory
  status: TemplateStatus
  parameter_format?: string
  components: JsonObject[]
  [extra: string]: JsonValue | undefined
}
export interface TemplateQuery {
  name?: string
  status?: TemplateStatus
  category?: TemplateCategory
  language?: string
  limit?: number
  after?: string
}
/** A template submitted for review (components in Meta's creation form). */
export interface NewTemplate {
  name: string
  language: string
  category: TemplateCategory
  components: JsonObject[]
  parameter_format?: string
}
export interface CreatedTemplate { id: string; status: TemplateStatus; category: TemplateCategory }
export interface PhoneNumber {
  id: string
  display_phone_number: string
  verified_name: string
  quality_rating?: string
  messaging_limit_tier?: string
  throughput?: JsonValue
  [extra: string]: JsonValue | undefined
}
export interface BusinessProfile {
  about?: string
  address?: string
  description?: string
  email?: string
  websites?: string[]
  vertical?: string
  profile_picture_url?: string
}

// ---------- sandbox ----------

/** Fault injection; rates are 0..1. */
export interface Faults {
  error_rate: number
  latency_ms: number
  drop_rate: number
  drop_after_accept_rate: number
  duplicate_webhook_rate: number
  out_of_order_rate: number
}
/** One message the sandbox accepted. */
export interface LedgerEntry {
  seq: number
  id: string
  phone_number_id: string
  to: string
  recipient: string
  type: string
  body: JsonObject
  idempotency_key: string | null
  accepted_at_ms: Millis
  outcome: string
}

// ---------- stores ----------

export interface Contact {
  id: string
  e164?: string
  wa_id?: string
  bsuid?: string
  name?: string
  first_name?: string
  last_name?: string
  email?: string
  city?: string
  external_id?: string
  tags: string[]
  attributes: { [key: string]: JsonValue }
  opted_in: boolean
  time_zone?: string
  version: number
  created_at: Millis
  updated_at: Millis
}
/** A contact to store: only `id` is required. */
export type ContactInput = Partial<Contact> & { id: string }
export type ConversationStatus = 'open' | 'waiting_on_customer' | 'closed' | 'archived'
export interface Conversation {
  id: string
  contact_id: string
  phone_number_id: string
  status: ConversationStatus
  agent_id: string | null
  priority: number
  opened_at: Millis
  assigned_at: Millis | null
  last_inbound_at: Millis | null
  last_outbound_at: Millis | null
  first_response_at: Millis | null
  last_human_reply_at: Millis | null
  closed_at: Millis | null
}
export type MessageStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'played' | 'failed'
/** A stored message, either direction; `body` is Meta's JSON for the message. */
export interface MessageRecord {
  id: string
  phone_number_id: string
  conversation_id: string | null
  contact_id: string | null
  direction: 'inbound' | 'outbound'
  msg_type: string
  body: JsonValue
  status: MessageStatus | null
  status_times: { [status: string]: Millis }
  error: ErrorDetails | null
  agent_id: string | null
  campaign_id: string | null
  created_at: Millis
}
export type Category = 'marketing' | 'utility' | 'authentication' | 'service'
export type Lane = 'reply' | 'notification' | 'marketing'
export type OutboxStateName = 'queued' | 'leased' | 'retry_later' | 'deferred' | 'sent' | 'parked'
export type OutboxState =
  | { state: 'queued' }
  | { state: 'leased'; worker: string; until: Millis }
  | { state: 'sent'; message_id: string }
  | { state: 'deferred'; reason: string }
  | { state: 'retry_later' }
  | { state: 'parked'; reason: string }
export interface OutboxItem {
  id: string
  idempotency_key: string
  phone_number_id: string
  recipient: string
  payload: JsonValue
  category: Category
  lane: Lane
  campaign_id: string | null
  not_before: Millis
  attempts: number
  state: OutboxState
  last_error: ErrorDetails | null
  history: string[]
  created_at: Millis
  updated_at: Millis
}
export interface OutboxStats {
  queued: number
  leased: number
  sent: number
  deferred: number
  retry_later: number
  parked: number
}
export type Enqueued = 'new' | 'duplicate'

// ---------- contacts: import and dedupe ----------

/** One bad CSV row with its line number; the raw fields are kept. */
export interface BadRow { line: number; reason: string; raw: string[]; raw_text: string; raw_base64?: string }
export interface ImportReport {
  rows: number
  imported: number
  duplicates_in_file: number
  bad_rows: BadRow[]
  blank: number
  line_endings: { lf: number; crlf: number; cr: number }
  last_committed_line?: number
}
export interface DedupeConfig {
  threshold: number
  review_threshold: number
  name_threshold: number
  attributes: string[] | null
  sku_attribute: string
  purchase_date_attribute: string
  sku_window_days: number
  max_block: number
  window: number
  sample_pairs: number
  seed: number
  cross_source_only: boolean
}
export interface ScoredPair { a: string; b: string; score: number; evidence: string }
export interface Cluster { members: string[]; survivor: string; min_score: number }
export interface MergeStep { survivor: string; absorbed: string }
export interface DedupeResult {
  pairs: ScoredPair[]
  review: ScoredPair[]
  clusters: Cluster[]
  plan: MergeStep[]
  model: { lambda: number; m: number[][]; u: number[][]; iterations: number }
  comparisons: string[]
  stats: {
    records: number
    candidate_pairs: number
    windowed_blocks: number
    patterns: number
    blocking_rules: [string, number][]
    matches_by_rule: [string, number][]
    millis: number
    phase_millis: [string, number][]
  }
}
/** The merges executed; each failure with its reason. */
export interface MergeReport { merged: number; failed: [MergeStep, string][] }
export interface DedupeOutcome { result: DedupeResult; merged: MergeReport | null }
export interface DedupeCsvOutcome { result: DedupeResult; reports: ImportReport[] }

// ---------- scheduler ----------

/** A message in the outbox (build it with `outgoing`). */
export interface OutgoingMessage {
  idempotency_key: string
  phone_number_id: string
  recipient: string
  message: OutboundMessage
  category: Category
  lane: Lane
  campaign_id: string | null
  not_before: Millis
  event_key: string | null
  promotion: boolean
  automated: boolean
}
export interface RoundReport { claimed: number; sent: number; deferred: number; retried: number; parked: number }
export interface LimitConfig {
  mps: number
  mps_by_number: { [phoneNumberId: string]: number }
  pair_burst: number
  pair_interval: Duration
}
export interface PolicyConfig {
  window_templates_only: boolean
  marketing_per_day_without_opt_in: number | null
  same_content_per_month: number | null
  promotion_interval: Duration | null
  notification_min_gap: Duration | null
  automation_pause_after_human: Duration | null
  quiet_hours: { start_hour: number; end_hour: number } | null
}
export interface SchedulerConfig {
  worker_id: string
  lease: Duration
  batch: number
  transient_retries: number
  throttle_retries: number
  max_inline_wait: Duration
}

// ---------- assignment ----------

export type Presence = 'online' | 'away' | 'offline'
/** Why an assignment went the way it did. */
export interface Reason { strategy: string; stage: string; candidates: number; load_after: number | null; note: string }
export type Outcome =
  | { outcome: 'assigned'; conversation_id: string; agent_id: string; reason: Reason }
  | { outcome: 'queued'; conversation_id: string; position: number; reason: Reason }

// ---------- webhook events ----------

/** Which business number and account a change belongs to. */
export interface Routing { waba_id: string; phone_number_id: string; display_phone_number: string }
export interface ContactInfo { name?: string; username?: string; wa_id?: string; user_id?: string; parent_user_id?: string }
export interface MediaInfo {
  id: string
  mime_type?: string
  sha256?: string
  caption?: string
  filename?: string
  voice?: boolean
  animated?: boolean
  [extra: string]: JsonValue | undefined
}
export type InteractiveReply =
  | { type: 'button_reply'; id: string; title: string }
  | { type: 'list_reply'; id: string; title: string; description: string | null }
  | { type: 'nfm_reply'; name: string | null; body: string | null; response_json: string | null }
  | { type: 'other'; reply_type: string }
/**
 * What an inbound (or echoed) message carries, discriminated by `type`. An interactive
 * reply appears as its reply type (`button_reply`, `list_reply`, `nfm_reply`, `other`).
 */
export type MessageContent =
  | { type: 'text'; body: string }
  | ({ type: 'image' } & MediaInfo)
  | ({ type: 'audio' } & MediaInfo)
  | ({ type: 'video' } & MediaInfo)
  | ({ type: 'document' } & MediaInfo)
  | ({ type: 'sticker' } & MediaInfo)
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
  | { type: 'contacts'; contacts: JsonObject[] }
  | InteractiveReply
  | { type: 'button'; text: string; payload: string | null }
  | { type: 'reaction'; message_id: string; emoji: string | null }
  | { type: 'order'; catalog_id: string | null; product_items: JsonObject[]; text: string | null }
  | { type: 'system'; body: string | null; system_type: string | null; wa_id: string | null; user_id: string | null }
  | { type: 'request_welcome' }
  | { type: 'unsupported' }
  | { type: 'unknown'; type_name: string }
export interface ReplyContext {
  from?: string
  id?: string
  forwarded?: boolean
  frequently_forwarded?: boolean
  referred_product?: JsonValue
  [extra: string]: JsonValue | undefined
}
export interface Referral {
  source_url?: string
  source_id?: string
  source_type?: string
  headline?: string
  body?: string
  ctwa_clid?: string
  [extra: string]: JsonValue | undefined
}
/** An inbound customer message. */
export interface MessageEvent {
  kind: 'message'
  routing: Routing
  id: string
  from: string | null
  from_user_id: string | null
  from_parent_user_id: string | null
  timestamp: number
  contact: ContactInfo | null
  context: ReplyContext | null
  referral: Referral | null
  content: MessageContent
  errors: GraphError[]
  /** The message object as received. */
  raw: JsonObject
}
export type StatusKind = 'sent' | 'delivered' | 'read' | 'played' | 'failed' | { other: string }
/** A status of an outbound message. */
export interface StatusEvent {
  kind: 'status'
  routing: Routing
  id: string
  status: StatusKind
  timestamp: number
  recipient_id: string | null
  recipient_user_id: string | null
  biz_opaque_callback_data: string | null
  pricing: { pricing_model?: string; category?: string; type?: string; billable?: boolean } | null
  conversation: JsonObject | null
  errors: GraphError[]
  raw: JsonObject
}
/** A system-level error (`value.errors[]`). */
export interface ErrorEvent { kind: 'error'; routing: Routing; error: GraphError }
/** An event of another change `field`: its typed `data` and the change as received. */
export interface Update<K extends string, D> { kind: K; routing: Routing; field: string; data: D; raw: JsonObject }
export interface Call {
  id: string
  event: string
  from: string | null
  to: string | null
  direction: string | null
  timestamp: number | null
  session: { sdp_type: string | null; sdp: string | null } | null
  status: string | null
  start_time: number | null
  end_time: number | null
  duration: number | null
  biz_opaque_callback_data: string | null
  errors: GraphError[]
  contact: ContactInfo | null
}
export interface CallStatus {
  id: string
  status: string
  status_type: string | null
  timestamp: number | null
  recipient_id: string | null
  recipient_user_id: string | null
  biz_opaque_callback_data: string | null
}
export interface TemplateStatusUpdate {
  event: string
  message_template_id: string | null
  template_name: string | null
  language: string | null
  reason: string | null
  category: string | null
  disable_info: JsonValue
  other_info: JsonValue
}
export interface TemplateQualityUpdate {
  previous_quality_score: string | null
  new_quality_score: string | null
  message_template_id: string | null
  template_name: string | null
  language: string | null
}
export interface TemplateCategoryUpdate {
  message_template_id: string | null
  template_name: string | null
  language: string | null
  previous_category: string | null
  new_category: string | null
  correct_category: string | null
  category_update_timestamp: number | null
}
export interface PhoneNumberQuality {
  display_phone_number: string | null
  event: string
  old_limit: string | null
  current_limit: string | null
  max_daily_conversations_per_business: string | null
}
export interface PhoneNumberName {
  display_phone_number: string | null
  decision: string
  requested_verified_name: string | null
  rejection_reason: string | null
}
export interface AccountAlert {
  entity_type: string | null
  entity_id: string | null
  alert_info: { alert_severity: string | null; alert_status: string | null; alert_type: string | null; alert_description: string | null } | null
}
export interface AccountUpdate {
  event: string
  phone_number: string | null
  ban_info: JsonValue
  violation_info: JsonValue
  restriction_info: JsonValue
  waba_info: JsonValue
}
/** A message sent from the WhatsApp Business app. */
export interface MessageEcho { id: string; from: string | null; to: string | null; timestamp: number; content: MessageContent }
export interface History {
  metadata: { phase: number | null; chunk_order: number | null; progress: number | null } | null
  threads: { id: string; messages: JsonObject[] }[]
  errors: GraphError[]
}
export interface AppStateSync {
  sync_type: string
  contact: { full_name: string | null; first_name: string | null; phone_number: string | null } | null
  action: string | null
  metadata: { timestamp: number | null } | null
}
/** Anything else: another `field`, a new shape, an entry that did not parse. */
export interface UnknownEvent { kind: 'unknown'; field: string; routing: Routing | null; reason: string; raw: JsonValue }

/** One event out of a webhook body, discriminated by `kind`. */
export type WebhookEvent =
  | MessageEvent
  | StatusEvent
  | ErrorEvent
  | Update<'call', Call>
  | Update<'call_status', CallStatus>
  | Update<'template_status', TemplateStatusUpdate>
  | Update<'template_quality', TemplateQualityUpdate>
  | Update<'template_category', TemplateCategoryUpdate>
  | Update<'phone_number_quality', PhoneNumberQuality>
  | Update<'phone_number_name', PhoneNumberName>
  | Update<'account_alert', AccountAlert>
  | Update<'account_update', AccountUpdate>
  | Update<'message_echo', MessageEcho>
  | Update<'history', History>
  | Update<'app_state_sync', AppStateSync>
  | UnknownEvent

// ---------- access and audit ----------

/** A permission's wire name (see `permissionNames()`). */
export type Permission =
  | 'send' | 'send_template' | 'broadcast' | 'export_contacts' | 'export_conversations' | 'export_reports'
  | 'view_own' | 'view_team' | 'view_all' | 'assign' | 'reassign' | 'edit_contacts' | 'merge_contacts'
  | 'delete_contacts' | 'manage_rules' | 'manage_templates' | 'manage_integrations' | 'manage_numbers'
  | 'manage_users_and_roles' | 'view_reports' | 'view_audit'
/** Which contacts an export selects; every field is optional. */
export interface ContactFilter {
  tags_all: string[]
  tags_any: string[]
  tags_none: string[]
  attributes: { [key: string]: JsonValue }
  has_phone: boolean
}
/** A console user; `agent_id` is the agent it works as. */
export interface User { id: string; name: string; agent_id: string | null; disabled: boolean; created_at: Millis }
export type UserInput = Partial<User> & { id: string; name: string }
/** Where a membership applies; empty means everywhere. */
export interface Scope { teams: string[]; numbers: string[] }
export interface Membership { user_id: string; role: string; scope: Scope }
export type MembershipInput = { user_id: string; role: string; scope?: Partial<Scope> }
/** A named set of permissions. */
export interface Role { name: string; permissions: Permission[]; description?: string }
export interface UserRoles { user: User; memberships: Membership[] }
export type AuditOutcome = 'ok' | 'forbidden' | 'failed'
/** One audited attempt: who, what, on which object, when, from where, how it ended. */
export interface AuditEntry {
  seq: number
  at: Millis
  actor: string
  action: string
  target: string
  details: JsonValue
  client_id?: string
  outcome: AuditOutcome
  prev_hash: string
  hash: string
}
export type AuditProblemKind = 'edited' | 'removed' | 'reordered' | 'truncated' | 'unsealed' | 'checkpoint'
/** The first entry that does not verify, and why. */
export interface AuditProblem { seq: number; kind: AuditProblemKind; reason: string }
export interface AuditVerification {
  entries: number
  legacy: number
  last_seq: number
  head_hash: string
  checkpoints: number
  signatures_checked: boolean
  /** `null` when the whole chain verifies. */
  problem: AuditProblem | null
}

// ---------- CRM mapping and sync ----------

/** Why a mapping file is refused: the line and the reason. */
export interface MappingProblem { line: number; reason: string }
export interface MappingField {
  local: string
  crm: string
  direction: 'to_crm' | 'from_crm' | 'both'
  owner: 'local' | 'crm' | 'latest'
  transform: string[]
  default: string | null
  required: boolean
  null: 'unset' | 'clear'
}
export interface MappingInfo { crm_id_property: string; fallback: string[]; fields: MappingField[]; maps: string[] }
export interface PushReport {
  created: number
  updated: number
  unchanged: number
  rejected: number
  parked: number
  retries: number
  scheduled: number
  requests: number
  rate_limited: number
}
export interface PullReport { fetched: number; applied: number; created: number; conflicts: number; discrepancies: number }
export interface SyncReport { pull: PullReport; push: PushReport }
export interface FieldHealth { attempts: number; successes: number; errors: number }
export interface HealthSnapshot {
  attempts: number
  successes: number
  rejections: Record<string, number>
  latency_p50_ms: number | null
  latency_p99_ms: number | null
  lag_p50_ms: number | null
  lag_p99_ms: number | null
  fields: Record<string, FieldHealth>
}
/** A field changed on both sides: both values and which won. */
export interface Discrepancy {
  id: string
  connector: string
  key: string
  field: string
  local: JsonValue
  remote: JsonValue
  resolution: string
  at: Millis
}
export interface StandinRecord { id: string; properties: Record<string, string> }
export interface StandinStats { requests: number; over_limit: number; faults: number; records: number }

// ---------- Automation ----------

/** Why a rules file is refused: the line (0: the file as a whole) and the reason. */
export interface RulesProblem { line: number; reason: string }
export interface RulesInfo {
  /** Rule ids in evaluation order (higher priority first). */
  rules: string[]
  timers: string[]
  timezone: string | null
  sensitive_words: string[]
}
/** An action a rule (or the lifecycle pass) decided, by `type`. */
export type AutomationAction =
  | { type: 'reply'; rule: string; text: string }
  | { type: 'send_template'; rule: string; name: string; language: string }
  | { type: 'tag'; tag: string }
  | { type: 'untag'; tag: string }
  | { type: 'set'; attr: string; value: string }
  | { type: 'handoff'; reason: string }
  /** `until`: RFC 3339 time. */
  | { type: 'pause_automation'; until: string }
  /** An outgoing text blocked by the sensitive-word filter (never dropped silently). */
  | { type: 'block'; reason: string }
/** A matched rule that did not fire, and why. */
export interface Skipped { rule: string; reason: string }
export interface Evaluation {
  rules: string[]
  actions: AutomationAction[]
  handoff: boolean
  blocked: boolean
  /** The contact's tags after this message. */
  tags: string[]
  skipped: Skipped[]
  /** Why the whole message was not evaluated (loop protection, pause). */
  ignored?: string
}
export interface SegmentChange { contact: string; actions: AutomationAction[]; tags: string[] }
/** A pending no-reply timer: a `[[timers]]` entry armed for a contact. */
export interface Timer {
  timer_id: string
  /** The contact key (a stored contact's id, else the wa_id given). */
  contact: string
  conversation: string
  /** When it fires, epoch ms. */
  due_at: number
}
/** A timer that came due, with what its actions did. */
export interface TimerFired { timer: Timer; evaluation: Evaluation }

// ---------- Analytics ----------

/** Durations in seconds: `n` counted, nearest-rank median and p90. */
export interface FrtStats { n: number; median_s: number | null; p90_s: number | null; unanswered: number }
/** One agent's figures; agent `*` is the whole team. */
export interface AgentRow { agent: string; frt: FrtStats; handled: number; handle_time: FrtStats; open: number; resolved: number; load: number }
export interface FunnelRow { campaign: string; sent: number; delivered: number; read: number; failed: number; replied: number }
/** Failures of one Graph error code (`null`: no code). */
export interface FailureRow { code: number | null; count: number }
export interface WordCount { word: string; count: number }
export interface Anomaly { rule: string; number?: string; days: string[]; values: number[]; threshold: number; detail: string }
export interface RangeInfo { from: string | null; to: string | null; tz: string; include_automated: boolean }
/** How often the CRM (or the mapping) refused records with one error code. */
export interface RejectionCount { code: string; count: number }
/**
 * One CRM mapping's sync health: counts over the engine's whole history, its
 * parked pushes and discrepancies now, call latency and store-to-CRM lag in
 * milliseconds (`null`: nothing measured), saved at `updated_at` (epoch ms).
 */
export interface SyncHealthRow {
  connector: string
  /** The sync engine's name (its state namespace, one per mapping and CRM). */
  mapping: string
  attempts: number
  successes: number
  /** Successes over attempts (1 when nothing was tried). */
  success_rate: number
  /** Rejections, every code together. */
  rejections: number
  /** The most frequent codes (at most 5), by count then code. */
  top_rejections: RejectionCount[]
  parked: number
  discrepancies: number
  latency_p50_ms: number | null
  latency_p99_ms: number | null
  lag_p50_ms: number | null
  lag_p99_ms: number | null
  updated_at: number
}
export interface Report {
  range: RangeInfo
  frt: FrtStats
  agents: AgentRow[]
  funnel: FunnelRow[]
  failures: FailureRow[]
  /** Inbound messages per hour of the week, Monday 00:00 first (168 buckets). */
  hour_of_week: number[]
  hot_words: WordCount[]
  anomalies: Anomaly[]
  /** CRM sync health, one row per connector and mapping. */
  sync: SyncHealthRow[]
}
/** What ingesting one webhook body changed. */
export interface IngestSummary {
  events: number
  new_messages: number
  duplicate_messages: number
  outbound_created: number
  statuses_applied: number
  statuses_ignored: number
  statuses_pending: number
  graph_errors: number
}
