// Route conversations: least-loaded with a hard cap, a queue when everyone is full.
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const wacrm = require(process.env.WACRM_NODE ?? 'wacrm')

const a = new wacrm.Assignment(new wacrm.Stores(), { hardCap: 2 })
await a.upsertAgent({ id: 'ana', skills: ['pt'] })
await a.upsertAgent({ id: 'ben' })
for (let i = 1; i <= 5; i++) console.log(await a.assign({ conversationId: `conv-${i}`, contactId: `cust-${i}` }))
console.log('loads:', a.loads(), 'queue:', a.queueLen())
console.log('release conv-1:', await a.release('conv-1'))
