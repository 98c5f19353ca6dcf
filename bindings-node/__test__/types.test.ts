// Compiled with `tsc --strict --noEmit`: the whole typed surface, results and inputs,
// error classes, and webhook events narrowed by `kind` and `type`. The
// `@ts-expect-error` lines prove the types refuse what the binding refuses.
import * as wacrm from '../index'
import { component, message, param } from '../index'

// ---------- errors ----------
const codes: wacrm.ErrorCode[] = wacrm.errorCodes()
const e: wacrm.WacrmError | null = wacrm.fromGraphBody('{}', 400)
if (e instanceof wacrm.RateLimitedError) {
  const wait: number | null = e.retryAfterMs
  const code: wacrm.ErrorCode = e.code
  void wait
  void code
}
const d: wacrm.ErrorDetails | null = wacrm.graphErrorDetails('{}', 400)
if (d) {
  const err: wacrm.WacrmError = wacrm.fromDetails(d)
  const Cls: typeof wacrm.WacrmError = wacrm.errorClass(d.code)
  void err
  void Cls
}
void codes

// ---------- phone ----------
const info: wacrm.PhoneInfo = wacrm.phone.parse('090-1234-5678', 'JP')
const mobile: boolean = info.number_type === 'mobile'
const rows: wacrm.NormalizedRow[] = wacrm.phone.normalize(['+1 202 555 0100'])
void mobile
void rows

// ---------- webhook events: narrowing by kind, then by content type ----------
function describe(ev: wacrm.WebhookEvent): string {
  switch (ev.kind) {
    case 'message': {
      const c = ev.content
      if (c.type === 'text') return c.body
      if (c.type === 'image') return c.id + (c.caption ?? '')
      if (c.type === 'location') return `${c.latitude},${c.longitude}`
      if (c.type === 'reaction') return c.emoji ?? 'removed'
      if (c.type === 'button_reply' || c.type === 'list_reply') return c.id
      return ev.from ?? String(ev.raw.id ?? '')
    }
    case 'status':
      return typeof ev.status === 'string' ? ev.status : ev.status.other
    case 'error':
      return String(ev.error.code)
    case 'template_status':
      return ev.data.event + (ev.data.template_name ?? '')
    case 'template_quality':
      return ev.data.new_quality_score ?? ''
    case 'phone_number_quality':
      return ev.data.current_limit ?? ''
    case 'call':
      return ev.data.event
    case 'message_echo':
      return ev.data.content.type
    case 'history':
      return String(ev.data.threads.length)
    case 'app_state_sync':
      return ev.data.sync_type
    case 'unknown':
      return ev.field + ev.reason
    default:
      return ev.field
  }
}
const events: wacrm.WebhookEvent[] = wacrm.webhook.parse('{}')
void events.map(describe)
void wacrm.webhook.verifyAndParse('secret', Buffer.from('{}'), 'sha256=00')

// ---------- outbound messages: constructors and literals share one type ----------
const messages: wacrm.OutboundMessage[] = [
  message.text('hi', { previewUrl: true }),
  message.image({ id: '123' }, { caption: 'logo' }),
  message.document({ link: 'https://example.com/a.pdf' }, { filename: 'a.pdf' }),
  message.audio({ id: '1' }),
  message.video({ id: '1' }),
  message.sticker({ id: '1' }),
  message.location(1, 2, { name: 'here' }),
  message.contacts([{ name: { formatted_name: 'Ana' } }]),
  message.reaction('wamid.A', '👍'),
  message.buttons('Pick', [{ id: 'y', title: 'Yes' }], { header: { type: 'image', image: { id: '1' } } }),
  message.list('Menu', 'Open', [{ rows: [{ id: 'a', title: 'A' }] }]),
  message.ctaUrl('Track', 'Open', 'https://example.com'),
  message.template('order_update', 'en_US', [
    component.header([param.image({ link: 'https://example.com/a.png' })]),
    component.body([param.text('Ana', 'first_name'), param.currency('$5', 'USD', 5000), param.dateTime('today')]),
    component.button('url', 0, [param.payload('p')]),
  ]),
  { type: 'text', text: { body: 'literal' } },
  { type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
]
// @ts-expect-error: a message needs its type's own field
const wrong: wacrm.OutboundMessage = { type: 'text', image: { id: '1' } }
// @ts-expect-error: media is by id or by link
message.image({ path: '/tmp/a.png' })
void wrong
void messages

// ---------- engine ----------
async function engine(): Promise<number> {
  const sb = new wacrm.Sandbox({ mps: 80 })
  sb.setFaults({ latency_ms: 10 })
  const ledger: wacrm.LedgerEntry[] = sb.ledger()
  const client = new wacrm.Client(sb.accessToken, sb.baseUrl)
  const sent: wacrm.SendResponse = await client.send(sb.phoneNumberId, '+1555', message.text('hi'), 'k1')
  const first: wacrm.SentMessage = sent.messages[0]
  const id: string = await client.uploadMedia(sb.phoneNumberId, 'logo.png', 'image/png', 'image')
  const url: wacrm.MediaUrl = await client.mediaUrl(id)
  const down: wacrm.DownloadedMedia = await client.downloadMedia(url.url, 'out.png')
  const ok: wacrm.Success = await client.deleteMedia(id)
  const page: wacrm.Page<wacrm.MessageTemplate> = await client.listTemplates(sb.wabaId, { status: 'APPROVED', limit: 10 })
  const created: wacrm.CreatedTemplate = await client.createTemplate(sb.wabaId, { name: 't', language: 'en_US', category: 'UTILITY', components: [] })
  const numbers: wacrm.Page<wacrm.PhoneNumber> = await client.listPhoneNumbers(sb.wabaId)
  const profile: wacrm.BusinessProfile = await client.getBusinessProfile(sb.phoneNumberId)
  await client.updateBusinessProfile(sb.phoneNumberId, { about: 'Open' })
  await client.markRead(sb.phoneNumberId, 'wamid.A', true)

  const stores = new wacrm.Stores('sqlite://crm.db')
  const report: wacrm.ImportReport = await stores.contactsImportCsv({ path: 'c.csv', map: ['name=name'], region: 'PT', requirePhone: true })
  const bad: wacrm.BadRow | undefined = report.bad_rows[0]
  const contact: wacrm.Contact | null = await stores.contactGet('c1')
  const stored: wacrm.Contact = await stores.contactUpsert({ id: 'c2', name: 'Ana', tags: ['vip'] })
  const members: wacrm.Contact[] = await stores.segmentMembers({ name: 'vip', filter: { tagsAll: ['vip'], attributes: { plan: 'gold' } } })
  const dedupe: wacrm.DedupeOutcome = await stores.contactsDedupe({ threshold: 0.9 }, false)
  const convs: wacrm.Conversation[] = await stores.conversationsOpen()
  const msgs: wacrm.MessageRecord[] = await stores.messagesForContact('c1')
  const stats: wacrm.OutboxStats = await stores.outboxStats()
  const items: wacrm.OutboxItem[] = await stores.outboxItems('parked', 10)
  for (const it of items) if (it.state.state === 'parked') void it.state.reason

  const s = new wacrm.Scheduler(stores, client, { limits: { mps: 80 }, policies: { quiet_hours: null }, tierCap: 1000 })
  const out: wacrm.OutgoingMessage = wacrm.outgoing('k', sb.phoneNumberId, '+1555', message.image({ id }), { category: 'marketing', campaignId: 'c' })
  const added: wacrm.Enqueued = await s.enqueue(out)
  const round: wacrm.RoundReport = await s.runUntilIdle(0, 1000)
  const once: wacrm.RoundReport = await s.runOnce()
  const recovered: number = await s.recover()

  const a = new wacrm.Assignment(stores, { strategy: 'round_robin', hardCap: 3 })
  await a.upsertAgent({ id: 'ana', skills: ['pt'], presence: 'online' })
  const outcome: wacrm.Outcome = await a.assign({ conversationId: 'c', contactId: 'k', requiredSkills: ['pt'] })
  const agent: string = outcome.outcome === 'assigned' ? outcome.agent_id : String(outcome.position)
  const moved: wacrm.Outcome[] = await a.setPresence('ana', 'away')
  const loads: Record<string, number> = a.loads()
  const queued: number = a.queueLen()

  const csv: wacrm.DedupeCsvOutcome = await wacrm.contacts.dedupeCsv({ paths: ['c.csv'], map: ['name=name'], idColumn: 'id', link: true })
  const pairs: wacrm.ScoredPair[] = csv.result.pairs

  void [ledger, first, down, ok, page, created, numbers, profile, bad, contact, stored, members, dedupe, convs, msgs, stats, once, agent, moved, pairs]
  return report.bad_rows.length + round.sent + recovered + Object.keys(loads).length + queued + csv.reports.length + added.length
}
void engine

// ---------- access and audit ----------
async function access(): Promise<number> {
  const stores = new wacrm.Stores()
  const c = new wacrm.Console(stores)
  const op: wacrm.NativeSession = c.operator('setup')
  await op.upsertUser({ id: 'ana', name: 'Ana', agent_id: 'ana' })
  await op.grant({ user_id: 'ana', role: 'agent', scope: { numbers: ['pn1'] } })
  await op.upsertRole({ name: 'exporter', permissions: ['export_contacts'] })
  const s = c.asUser('ana', 'web')
  const queued: wacrm.Enqueued[] = await s.broadcast('spring', [wacrm.outgoing('k', 'pn1', '+1555', message.text('hi'))])
  const contacts: wacrm.Contact[] = await s.exportContacts({ tags_all: ['vip'] })
  const v: wacrm.AuditVerification = await s.auditVerify()
  const first: wacrm.AuditProblem | null = v.problem
  const entries: wacrm.AuditEntry[] = await s.auditEntries(0, null)
  const outcome: wacrm.AuditOutcome = entries[0].outcome
  const users: wacrm.UserRoles[] = await s.listUsers()
  const roles: wacrm.Role[] = wacrm.rolePresets()
  const revoked: boolean = await s.revoke('ana', 'exporter')
  const can: boolean = s.can('broadcast')
  // @ts-expect-error: permissions are named
  s.can('fly')
  void [queued, contacts, first, outcome, users, roles, revoked, can]
  return await s.auditExport('audit.csv', 'csv')
}
void access

// ---------- CRM ----------
async function crm(): Promise<number> {
  const standin = new wacrm.CrmStandin()
  const problem: wacrm.MappingProblem | null = wacrm.Mapping.check('x = 1')
  const m = wacrm.Mapping.parse('[identity]\ncrm_id_property = "wacrm_id"\n')
  const info: wacrm.MappingInfo = m.info()
  const props: Record<string, string> = m.toCrm({ id: 'c1', email: 'a@b.c' })
  const back: wacrm.Contact = m.fromCrm({ id: 'c1' }, { email: 'a@b.c' })
  const sync = new wacrm.CrmSync(new wacrm.Stores(), m, { token: standin.token, baseUrl: standin.url })
  const pushed: wacrm.PushReport = await sync.push()
  const report: wacrm.SyncReport = await sync.sync()
  const found: wacrm.Discrepancy[] = await sync.discrepancies()
  const health: wacrm.HealthSnapshot = sync.health()
  const records: wacrm.StandinRecord[] = standin.records()
  void [problem, info, props, back, report, found, health, records]
  return pushed.created
}
void crm

// ---------- Automation and analytics ----------
async function automation(): Promise<string[]> {
  const problem: wacrm.RulesProblem | null = wacrm.Rules.check('x = 1')
  const rules = wacrm.Rules.parse('[[rules]]\nid = "a"\nkeywords = ["a"]\nactions = [{ tag = "t" }]\n')
  const info: wacrm.RulesInfo = rules.info()
  const stores = new wacrm.Stores()
  const auto = new wacrm.Automation(rules, stores, { stateUrl: 'memory:', tz: 'Europe/Lisbon' })
  const ev: wacrm.Evaluation = await auto.evaluate({ text: 'a', waId: '5511999990001', at: 0, direction: 'in', name: 'Ana' })
  for (const a of ev.actions) {
    if (a.type === 'reply') {
      const text: string = a.text
      void text
    }
  }
  const changes: wacrm.SegmentChange[] = await auto.lifecyclePass()
  const segments: string[] = await auto.contactSegments('5511999990001')
  const pending: wacrm.Timer[] = await auto.timers('5511999990001')
  const armed: wacrm.Timer = await auto.armTimer('nudge', '5511999990001', null, 0)
  const cancelled: number = await auto.cancelTimers('5511999990001')
  const fired: wacrm.TimerFired[] = await auto.runDueTimers()
  void [problem, info, changes, segments, pending, armed.due_at, cancelled, fired]
  return auto.setContactTags('5511999990001', ['vip'])
}
void automation

async function report(body: Buffer): Promise<string> {
  const stores = new wacrm.Stores()
  const ingested: wacrm.IngestSummary = await stores.webhookIngest(body)
  const r: wacrm.Report = await stores.report({ from: 0, to: 86_400_000, tz: 'Asia/Tokyo', top: 5, includeAutomated: false })
  const median: number | null = r.frt.median_s
  const rows: wacrm.FunnelRow[] = r.funnel
  const sync: wacrm.SyncHealthRow[] = r.sync
  const codes: wacrm.RejectionCount[] = sync[0].top_rejections
  const lag: number | null = sync[0].lag_p99_ms
  const csv: string = await stores.reportCsv()
  void [ingested, median, rows, sync, codes, lag, csv]
  return stores.reportHtml({}, 'Team')
}
void report

async function refused(): Promise<void> {
  const stores = new wacrm.Stores()
  // @ts-expect-error: presence is one of online, away, offline
  await new wacrm.Assignment(stores).setPresence('ana', 'asleep')
  // @ts-expect-error: outbox states are named
  await stores.outboxItems('lost')
  // @ts-expect-error: a message goes in or out
  await new wacrm.Automation(wacrm.Rules.parse('')).evaluate({ text: 'a', waId: '1', direction: 'up' })
}
void refused
