// The sandbox inspector page in headless Chromium, against a real `wacrm sandbox`:
// messages sent with the real client (the `wacrm send` CLI) appear with their
// status ticks, "reply as customer" reaches a webhook receiver signed, a 5xx
// fault shows the next send's error, the page works at 375 px and axe-core finds
// no serious or critical violation. Screenshots go to target/browser-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const BIN = process.env.WACRM_BIN || join(root, 'target/debug/wacrm');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.WACRM_BROWSER_ARTIFACTS || join(root, 'target/browser-artifacts');
const TOKEN = 'inspector-browser-token';
const SECRET = 'inspector-browser-secret';
const NUMBER = '106540352242922';
const CUSTOMER = '16505551234';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let sandbox; // child process
let info; // the JSON line `wacrm sandbox` prints
let receiver; // { server, url, got: [] }
let browser;
let page;
const pageErrors = [];

function startReceiver() {
  const got = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const want = 'sha256=' + createHmac('sha256', SECRET).update(raw).digest('hex');
      const sig = String(req.headers['x-hub-signature-256'] || '');
      const valid = sig.length === want.length && timingSafeEqual(Buffer.from(sig), Buffer.from(want));
      let body = null;
      try { body = JSON.parse(raw.toString('utf8')); } catch { /* kept as null */ }
      got.push({ valid, body });
      res.writeHead(valid ? 200 : 401).end();
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    ok({ server, got, url: `http://127.0.0.1:${server.address().port}/webhook` });
  }));
}

function startSandbox(webhookUrl) {
  const child = spawn(BIN, [
    'sandbox', '--port', '0', '--access-token', TOKEN, '--app-secret', SECRET,
    '--phone-number-id', NUMBER, '--webhook-url', webhookUrl,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WACRM_LOG: 'warn' } });
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) ok({ child, info: JSON.parse(out.slice(0, nl)) });
    });
    child.on('exit', (code) => fail(new Error(`wacrm sandbox exited ${code}: ${err}`)));
    setTimeout(() => fail(new Error('wacrm sandbox did not start: ' + err)), 30000);
  });
}

/** `wacrm send KIND ...` with the real client; resolves to { code, json }. */
function send(args) {
  return new Promise((ok) => {
    execFile(BIN, ['send', ...args, '--from', NUMBER, '--to', '+' + CUSTOMER], {
      env: { ...process.env, WACRM_BASE_URL: info.base_url, WACRM_ACCESS_TOKEN: TOKEN },
      timeout: 60000,
    }, (error, stdout, stderr) => {
      let json = null;
      try { json = JSON.parse(stdout); } catch { json = { stdout, stderr }; }
      ok({ code: error ? error.code : 0, json });
    });
  });
}

async function until(what, check, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function axeViolations() {
  // Evaluated through the driver, not as a <script>: the page's CSP forbids inline scripts.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return result;
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  receiver = await startReceiver();
  ({ child: sandbox, info } = await startSandbox(receiver.url));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(async () => {
  if (browser) await browser.close();
  if (sandbox) sandbox.kill('SIGINT');
  if (receiver) receiver.server.close();
});

test('the page refuses to show anything without the token', async () => {
  const anon = await browser.newPage();
  await anon.goto(info.base_url + '/_sandbox/ui');
  await anon.getByRole('heading', { name: 'Connect to the sandbox' }).waitFor();
  await anon.getByLabel('Access token').fill('wrong-token');
  await anon.getByRole('button', { name: 'Connect' }).click();
  await anon.getByText('The sandbox refused this token.').waitFor();
  assert.equal(await anon.locator('#app').isHidden(), true);
  await anon.close();
});

test('the token travels in the fragment and a header, never in a query string', async () => {
  const requests = [];
  page.on('request', (r) => requests.push(r));
  assert.ok(info.inspector.includes('#token='), info.inspector);
  await page.goto(info.inspector);
  await until('the live stream', async () => (await page.locator('#conn').textContent()) === 'Live');
  assert.equal(new URL(page.url()).hash, '', 'the token is wiped from the address bar');
  const stream = requests.find((r) => r.url().endsWith('/_sandbox/events'));
  assert.ok(stream, 'the page opened the event stream');
  assert.equal(await stream.headerValue('authorization'), 'Bearer ' + TOKEN);
  for (const r of requests) assert.ok(!r.url().includes(TOKEN), 'no URL carries the token: ' + r.url());
});

test('reply as customer sends a signed inbound webhook and opens the window', async () => {
  await page.getByLabel('Customer number').fill('+' + CUSTOMER);
  await page.getByLabel('Kind').selectOption('text');
  await page.getByLabel('Text', { exact: true }).fill('Hello from the customer');
  await page.getByRole('button', { name: 'Send as customer' }).click();
  const hit = await until('the signed inbound message', () => receiver.got.find((w) =>
    w.body?.entry?.[0]?.changes?.[0]?.value?.messages?.[0]?.text?.body === 'Hello from the customer'));
  assert.equal(hit.valid, true, 'X-Hub-Signature-256 verifies with the app secret');
  assert.equal(hit.body.entry[0].changes[0].value.messages[0].from, CUSTOMER);
  await page.locator('#thread .msg.in', { hasText: 'Hello from the customer' }).waitFor();
  await page.locator('#windows', { hasText: 'open until' }).waitFor();
});

test('a text, a list and a template appear with their status ticks', async () => {
  const text = await send(['text', '--body', 'Your order is ready']);
  assert.equal(text.code, 0, JSON.stringify(text.json));
  const list = await send(['list', '--body', 'Pick a delivery slot', '--button', 'Slots',
    '--row', 'am:Morning:8-12', '--row', 'pm:Afternoon']);
  assert.equal(list.code, 0, JSON.stringify(list.json));
  const tpl = await send(['template', '--name', 'order_update', '--language', 'en_US',
    '--param', 'Ana', '--param', 'A-1001']);
  assert.equal(tpl.code, 0, JSON.stringify(tpl.json));
  const ids = [text, list, tpl].map((r) => r.json.messages[0].id);
  for (const id of ids) {
    const msg = page.locator(`[data-wamid="${id}"]`);
    await msg.waitFor();
    for (const status of ['sent', 'delivered', 'read']) {
      await msg.locator(`.ticks [data-status="${status}"]`).waitFor();
    }
    assert.ok((await msg.textContent()).includes(id), 'the wamid is shown');
  }
  await page.locator(`[data-wamid="${ids[0]}"]`, { hasText: 'Your order is ready' }).waitFor();
  const listMsg = page.locator(`[data-wamid="${ids[1]}"]`);
  await listMsg.getByRole('button', { name: 'Morning — 8-12' }).waitFor();
  await listMsg.getByRole('button', { name: 'Afternoon' }).waitFor();
  await page.locator(`[data-wamid="${ids[2]}"]`, { hasText: 'Hi Ana, your order A-1001 has shipped.' }).waitFor();

  // "Mark failed" emits a failed status with its code.
  await page.locator(`[data-wamid="${ids[0]}"]`).getByRole('button', { name: /^Mark failed/ }).click();
  await page.locator(`[data-wamid="${ids[0]}"] .ticks [data-status="failed"]`, { hasText: '131026' }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'inspector.png'), fullPage: true });
});

test('a 5xx fault shows the next send\'s error on the page', async () => {
  await page.getByLabel('Server errors (5xx), % of requests').fill('100');
  await page.getByRole('button', { name: 'Apply faults' }).click();
  await page.getByText(/Faults applied: 5xx 100 %/).waitFor();
  const r = await send(['text', '--body', 'this one fails']);
  assert.equal(r.code, 1, 'the CLI reports the failure');
  assert.equal(r.json.error.graph_code, 131000);
  await page.locator('#rejected tr[data-code="131000"]', { hasText: 'injected server error' }).first().waitFor();
  await page.getByLabel('Server errors (5xx), % of requests').fill('0');
  await page.getByRole('button', { name: 'Apply faults' }).click();
  await page.getByText(/Faults applied: 5xx 0 %/).waitFor();
});

test('usable at 375 px and free of serious accessibility violations', async () => {
  const violations = await axeViolations();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], JSON.stringify(bad, null, 2));

  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 375 px`);
  const box = await page.getByRole('button', { name: 'Send as customer' }).boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 375, 'the reply button fits the screen');
  await page.screenshot({ path: join(ARTIFACTS, 'inspector-375.png'), fullPage: true });
  const narrow = (await axeViolations()).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(narrow, [], JSON.stringify(narrow, null, 2));
});

test('the page threw no script error', () => {
  assert.deepEqual(pageErrors, []);
});
