// Automation through the binding: a rules file refused with its line and reason; a
// message that fires a reply and a tag written to the contact in the stores; the
// cooldown kept across calls; handoff, the sensitive-word block, tags and segments.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const wacrm = require('../index.js')

const RULES = readFileSync(new URL('../../tests/fixtures/automation_rules.toml', import.meta.url), 'utf8')
const T0 = 1764662400000 // 2025-12-02 08:00 UTC
const ANA = '5511999990001'

test('a bad rules file is refused with its line and reason', () => {
  const bad = RULES.replace('cooldown = "30m"', 'cooldown = "3x"')
  const problem = wacrm.Rules.check(bad)
  assert.equal(problem.line, 10)
  assert.match(problem.reason, /3x/)
  assert.equal(wacrm.Rules.check(RULES), null)
  assert.throws(() => wacrm.Rules.parse(bad), (e) => e instanceof wacrm.ConfigError && /line 10/.test(e.message))
  assert.deepEqual(wacrm.Rules.parse(RULES).info().rules, ['shipping', 'discount'])
})

test('a message fires a reply and a tag; the cooldown holds across calls', async () => {
  const stores = new wacrm.Stores('memory:')
  const auto = new wacrm.Automation(wacrm.Rules.parse(RULES), stores)
  const ev = await auto.evaluate({ text: 'How much is shipping?', waId: ANA, at: T0, name: 'Ana Silva' })
  assert.deepEqual(ev.rules, ['shipping'])
  assert.deepEqual(ev.actions.find((a) => a.type === 'reply'), { type: 'reply', rule: 'shipping', text: 'Hi Ana, shipping takes 2 days.' })
  assert.ok(ev.actions.some((a) => a.type === 'tag' && a.tag === 'asked-shipping'))
  assert.equal(ev.handoff, false)
  assert.ok((await stores.contactGet(ANA)).tags.includes('asked-shipping'))
  assert.ok((await auto.contactTags(ANA)).includes('asked-shipping'))

  const again = await auto.evaluate({ text: 'shipping?', waId: ANA, at: T0 + 60_000 })
  assert.deepEqual(again.rules, [])
  assert.deepEqual(again.skipped.map((s) => s.rule), ['shipping'])
  assert.deepEqual((await auto.evaluate({ text: 'shipping?', waId: ANA, at: T0 + 31 * 60_000 })).rules, ['shipping'])
  assert.deepEqual(auto.matchingRules('frete e desconto'), ['shipping', 'discount'])
})

test('handoff, the sensitive-word block, tags and segments', async () => {
  const auto = new wacrm.Automation(wacrm.Rules.parse(RULES))
  const who = '5511999990009'
  const h = await auto.evaluate({ text: 'I want to talk to a person', waId: who, at: T0 })
  assert.equal(h.handoff, true)
  const out = await auto.evaluate({ text: 'your password is 1234', waId: who, at: T0, direction: 'out' })
  assert.equal(out.blocked, true)
  assert.equal(out.actions[0].type, 'block')
  assert.deepEqual(await auto.setContactTags(who, ['vip', 'b2b']), ['b2b', 'vip'])
  assert.deepEqual(await auto.contactSegments(who), ['follow-up-weekly'])
  const changes = await auto.lifecyclePass(T0 + 61 * 86_400_000)
  assert.deepEqual(changes.map((c) => c.contact), [who])
  assert.deepEqual(await auto.contactSegments(who), ['dormant'])
  await assert.rejects(auto.evaluate({ text: 'hi', waId: who, direction: 'sideways' }), (e) => e instanceof wacrm.ValidationError)
})

test('no-reply timers: armed by an outgoing message, listed, cancelled, fired once', async () => {
  const stores = new wacrm.Stores('memory:')
  const rules = wacrm.Rules.parse(RULES)
  assert.deepEqual(rules.info().timers, ['nudge'])
  const auto = new wacrm.Automation(rules, stores)
  await auto.evaluate({ text: 'hello', waId: ANA, at: T0, name: 'Ana Silva' })
  await auto.evaluate({ text: 'How can we help?', waId: ANA, at: T0 + 1_000, direction: 'out' })
  assert.deepEqual(await auto.timers(ANA), [{ timer_id: 'nudge', contact: ANA, conversation: ANA, due_at: T0 + 3_601_000 }])
  await auto.evaluate({ text: 'thanks', waId: ANA, at: T0 + 2_000 })
  assert.deepEqual(await auto.timers(), [])

  const t = await auto.armTimer('nudge', ANA, null, T0)
  assert.equal(t.due_at, T0 + 3_600_000)
  assert.deepEqual(await auto.runDueTimers(T0 + 60_000), [])
  const fired = await auto.runDueTimers(T0 + 3_600_000)
  assert.equal(fired.length, 1)
  assert.deepEqual(fired[0].timer, t)
  assert.ok(fired[0].evaluation.actions.some((a) => a.type === 'reply' && a.text === 'Still there, Ana?'))
  assert.ok((await stores.contactGet(ANA)).tags.includes('nudged'))

  await auto.armTimer('nudge', ANA, null, T0)
  assert.equal(await auto.cancelTimers(ANA), 1)
  await assert.rejects(auto.armTimer('missing', ANA), (e) => e instanceof wacrm.ValidationError)
})
