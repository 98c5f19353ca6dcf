// Send a text and a template to the in-process sandbox; typed errors carry the Graph code.
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const wacrm = require(process.env.WACRM_NODE ?? 'wacrm')

const sb = new wacrm.Sandbox()
const client = new wacrm.Client(sb.accessToken, sb.baseUrl)
sb.inboundText('12025550100', 'Ana', 'hi there') // opens the 24 h window for free-form text
const r = await client.sendText(sb.phoneNumberId, '+1 202 555 0100', 'Hello from wacrm')
console.log('text:', r.messages[0].id)
const template = { type: 'template', content: { name: 'hello_world', language: 'en_US', components: [] } }
console.log('template:', (await client.send(sb.phoneNumberId, '+1 202 555 0101', template)).messages[0].id)
try {
  await client.send(sb.phoneNumberId, '+1 202 555 0101', { ...template, content: { ...template.content, name: 'nope' } })
} catch (e) {
  console.log('refused:', e instanceof wacrm.TemplateError, e.code, e.graphCode, e.retryable)
}
