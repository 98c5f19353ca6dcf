import * as wacrm from '../index'

const codes: string[] = wacrm.errorCodes()
const e: wacrm.WacrmError | null = wacrm.fromGraphBody('{}', 400)
if (e instanceof wacrm.RateLimitedError) {
  const wait: number | null = e.retryAfterMs
  const code: wacrm.ErrorCode = e.code
  void wait
  void code
}
void codes

const info: wacrm.PhoneInfo = wacrm.phone.parse('090-1234-5678', 'JP')
const events: wacrm.WebhookEvent[] = wacrm.webhook.parse('{}')
void info
void events

async function engine(): Promise<number> {
  const sb = new wacrm.Sandbox({ mps: 80 })
  const client = new wacrm.Client(sb.accessToken, sb.baseUrl)
  const id: string = await client.uploadMedia(sb.phoneNumberId, 'logo.png', 'image/png')
  const stores = new wacrm.Stores('sqlite://crm.db')
  const report: wacrm.ImportReport = await stores.importContactsCsv('c.csv', ['name=name'], { region: 'PT' })
  const s = new wacrm.Scheduler(stores, client, { limits: { mps: 80 } })
  const added: 'new' | 'duplicate' = await s.enqueue(wacrm.outgoing('k', sb.phoneNumberId, '+1555', { type: 'image', content: { source: { id } } }))
  const round = await s.runUntilIdle({ timeoutMs: 1000 })
  const a = new wacrm.Assignment(stores, { strategy: 'round_robin' })
  await a.upsertAgent({ id: 'ana' })
  const loads: Record<string, number> = await a.loads()
  const d = await wacrm.contacts.dedupeCsv(['c.csv'], ['name=name'], { idColumn: 'id' })
  return report.bad_rows.length + round.sent + Object.keys(loads).length + d.reports.length + added.length
}
void engine
