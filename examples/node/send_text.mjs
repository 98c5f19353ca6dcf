// Send a text, interactive buttons and a template to the in-process sandbox; typed errors carry the Graph code.
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const wacrm = require(process.env.WACRM_NODE ?? 'wacrm')

const sb = new wacrm.Sandbox()
const client = new wacrm.Client(sb.accessToken, sb.baseUrl)
sb.inboundText('12025550100', 'Ana', 'hi there') // opens the 24 h window for free-form text
const r = await client.sendText(sb.phoneNumberId, '+1 202 555 0100', 'Hello from wacrm')
console.log('text:', r.messages[0].id)
const buttons = wacrm.message.buttons('Did this help?', [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }])
console.log('buttons:', (await client.send(sb.phoneNumberId, '+1 202 555 0100', buttons)).messages[0].id)
console.log('template:', (await client.send(sb.phoneNumberId, '+1 202 555 0101', wacrm.message.template('hello_world', 'en_US'))).messages[0].id)
try {
  await client.send(sb.phoneNumberId, '+1 202 555 0101', wacrm.message.template('nope', 'en_US'))
} catch (e) {
  console.log('refused:', e instanceof wacrm.TemplateError, e.code, e.graphCode, e.retryable)
}
