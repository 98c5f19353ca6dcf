// Import a CSV (bad rows reported by line), target a segment, find and merge duplicates.
import { createRequire } from 'node:module'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const require = createRequire(import.meta.url)
const wacrm = require(process.env.WACRM_NODE ?? 'wacrm')

const path = join(mkdtempSync(join(tmpdir(), 'wacrm-')), 'customers.csv')
writeFileSync(path, `id,name,phone,email,city,tags
c1,Ana Sousa,+351 912 345 678,ana@example.com,Lisboa,hk
c2,Ana Souza,+351 912 345 678,ana@example.com,Lisboa,
c3,Bruno Lima,+351 913 000 111,bruno@example.com,Porto,hk
c4,Carla Dias,not a phone,carla@example.com,Faro,
`)
const stores = new wacrm.Stores()
const report = await stores.contactsImportCsv({ path, map: ['id=external_id', 'name=name', 'phone=phone', 'email=email', 'city=city', 'tags=tags'], idColumn: 'id', region: 'PT' })
console.log('imported', report.imported, 'bad lines', report.bad_rows.map((b) => b.line))
console.log('segment hk:', (await stores.segmentMembers({ name: 'hk', filter: { tagsAll: ['hk'] } })).map((c) => c.name))
const { result, merged } = await stores.contactsDedupe(null, true)
for (const p of result.pairs) console.log(`${p.a} ~ ${p.b} score ${p.score.toFixed(3)} ${p.evidence}`)
console.log('merged:', merged.merged)
