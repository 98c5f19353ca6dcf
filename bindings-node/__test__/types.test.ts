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
