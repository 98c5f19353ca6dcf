// Sandbox inspector: reads the sandbox's event stream and drives its control API.
// Every value from the sandbox is inserted as text (never as HTML).
'use strict';
(() => {
  const TOKEN_KEY = 'wacrm-sandbox-token';
  const MAX_ROWS = 200;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'onclick') e.addEventListener('click', v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of kids.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  // ---------- model ----------
  let token = null;
  let stream = null;
  let retryTimer = null;
  const model = {
    templates: [],
    msgs: new Map(), // wamid -> message
    threads: new Map(), // "number|customer" -> [wamid]
    pending: new Map(), // wamid -> statuses that arrived before their message
    rejections: [],
    webhooks: [],
    usage: null,
    number: null,
    customer: null,
    formsFilled: false,
  };

  // Mexico mobile numbers are keyed 521… while the customer's own number is 52…
  const canon = (d) => (d && d.length === 12 && d.startsWith('52') ? '521' + d.slice(2) : d);
  const key = (number, customer) => number + '|' + customer;
  const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '');

  function reset() {
    model.msgs.clear();
    model.threads.clear();
    model.pending.clear();
    model.rejections = [];
    model.webhooks = [];
  }

  function addMessage(m) {
    if (model.msgs.has(m.id)) return model.msgs.get(m.id);
    m.statuses = [];
    model.msgs.set(m.id, m);
    const k = key(m.number, m.customer);
    if (!model.threads.has(k)) model.threads.set(k, []);
    model.threads.get(k).push(m.id);
    for (const s of model.pending.get(m.id) || []) addStatus(m, s);
    model.pending.delete(m.id);
    return m;
  }

  function addOutbound(entry) {
    if (!entry || !entry.id) return;
    addMessage({
      id: entry.id, dir: 'out', number: entry.phone_number_id, customer: entry.recipient,
      to: entry.to, type: entry.type, body: entry.body || {}, at: entry.accepted_at_ms,
    });
  }

  function addStatus(m, s) {
    if (m.statuses.some((x) => x.status === s.status)) return; // duplicated webhook
    m.statuses.push(s);
  }

  function applyEmitted(e) {
    const body = (e && e.body) || {};
    for (const entry of body.entry || []) {
      for (const change of entry.changes || []) {
        const v = change.value || {};
        const number = (v.metadata || {}).phone_number_id;
        for (const s of v.statuses || []) {
          const err = (s.errors || [])[0];
          const st = { status: s.status, code: err ? err.code : null, at: e.at_ms };
          const m = model.msgs.get(s.id);
          if (m) addStatus(m, st);
          else {
            if (!model.pending.has(s.id)) model.pending.set(s.id, []);
            model.pending.get(s.id).push(st);
          }
        }
        const names = {};
        for (const c of v.contacts || []) names[c.wa_id || c.user_id] = (c.profile || {}).name;
        for (const m of v.messages || []) {
          const customer = m.from ? canon(m.from) : m.from_user_id;
          addMessage({
            id: m.id, dir: 'in', number, customer, type: m.type, body: m,
            at: Number(m.timestamp) * 1000 || e.at_ms, name: names[m.from || m.from_user_id],
          });
        }
      }
    }
  }

  function pushBounded(list, v) {
    list.push(v);
    if (list.length > 2000) list.splice(0, list.length - 2000);
  }

  function onEvent(kind, data) {
    switch (kind) {
      case 'snapshot':
        reset();
        model.templates = data.templates || [];
        for (const l of data.ledger || []) addOutbound(l);
        for (const e of data.emitted || []) applyEmitted(e);
        model.rejections = data.rejections || [];
        model.webhooks = data.webhooks || [];
        model.usage = data.usage || null;
        break;
      case 'message': addOutbound(data); break;
      case 'emitted': applyEmitted(data); break;
      case 'rejected': pushBounded(model.rejections, data); break;
      case 'webhook': pushBounded(model.webhooks, data); break;
      case 'usage': model.usage = data; break;
      default: return;
    }
    schedule();
  }

  // ---------- stream ----------
  function setConn(text) { $('conn').textContent = text; }

  function showLogin(msg) {
    $('app').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = msg || '';
    setConn('Not connected');
    $('token-input').focus();
  }

  function dispatch(chunk) {
    let kind = 'message';
    const data = [];
    for (const line of chunk.split('\n')) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? '' : line.slice(i + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') kind = value;
      else if (field === 'data') data.push(value);
    }
    if (!data.length) return;
    try { onEvent(kind, JSON.parse(data.join('\n'))); } catch (e) { /* a malformed event is skipped */ }
  }

  function retry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, 1500);
  }

  // fetch, not EventSource: the token travels in a header, never in the URL.
  async function connect() {
    if (stream) stream.abort();
    const ctrl = new AbortController();
    stream = ctrl;
    setConn('Connecting…');
    let res;
    try {
      res = await fetch('/_sandbox/events', {
        headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' },
        cache: 'no-store', signal: ctrl.signal,
      });
    } catch (e) {
      if (stream === ctrl) { setConn('Sandbox unreachable — retrying…'); retry(); }
      return;
    }
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('The sandbox refused this token.');
      return;
    }
    if (!res.ok || !res.body) { setConn('Sandbox answered ' + res.status + ' — retrying…'); retry(); return; }
    $('login').hidden = true;
    $('app').hidden = false;
    setConn('Live');
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          dispatch(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      }
    } catch (e) { /* connection lost */ }
    if (stream === ctrl) { setConn('Disconnected — reconnecting…'); retry(); }
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const j = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(j.error || 'the sandbox answered ' + res.status);
    return j;
  }

  function toast(text, bad) {
    const t = $('toast');
    t.textContent = text;
    t.classList.toggle('bad', !!bad);
  }

  // ---------- rendering ----------
  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => { scheduled = false; render(); }, 30);
  }

  function numbers() { return (model.usage && model.usage.numbers) || []; }

  function render() {
    const nums = numbers();
    if (!model.number || !nums.some((n) => n.id === model.number)) model.number = nums.length ? nums[0].id : null;
    renderNumberSelect(nums);
    renderUsage(nums.find((n) => n.id === model.number));
    const customers = renderCustomers();
    if (!model.customer || !customers.includes(model.customer)) model.customer = customers[0] || null;
    markCurrentCustomer();
    renderThread();
    renderWindows();
    renderRejections();
    renderWebhooks();
    fillForms(nums.find((n) => n.id === model.number));
  }

  function renderNumberSelect(nums) {
    const sel = $('number-select');
    const want = nums.map((n) => n.id).join(',');
    if (sel.dataset.ids !== want) {
      sel.replaceChildren(...nums.map((n) => el('option', { value: n.id },
        `${n.verified_name} · +${n.display_phone_number} (id ${n.id})`)));
      sel.dataset.ids = want;
    }
    if (model.number) sel.value = model.number;
  }

  function renderUsage(n) {
    const u = model.usage;
    const box = $('usage');
    if (!n || !u) { box.replaceChildren(); return; }
    const cap = u.tier_cap === null || u.tier_cap === undefined ? 'no cap' : u.tier_cap.toLocaleString();
    const f = u.faults || {};
    const faults = [
      f.error_rate ? `5xx ${Math.round(f.error_rate * 100)} %` : null,
      f.latency_ms ? `latency ${f.latency_ms} ms` : null,
      f.drop_after_accept_rate ? `drop after accept ${Math.round(f.drop_after_accept_rate * 100)} %` : null,
      f.drop_rate ? `drop ${Math.round(f.drop_rate * 100)} %` : null,
    ].filter(Boolean);
    const row = (k, v, cls) => [el('dt', {}, k), el('dd', { class: cls }, v)];
    box.replaceChildren(el('dl', { class: 'usage', 'data-testid': 'usage' },
      row('Messages/s now', `${n.mps_now} of ${n.limits.mps} per second`, n.mps_now >= n.limits.mps ? 'over' : null),
      row('Throughput refusals (130429)', String(n.throughput_hits)),
      row('Pair-limit hits (131056)', String(n.pair_limit_hits), n.pair_limit_hits ? 'over' : null),
      row('Pair limit', `${n.limits.pair_burst} burst, then one per ${n.limits.pair_interval_ms / 1000} s`),
      row('Unique recipients, 24 h (portfolio)', `${u.tier_unique_recipients} of ${cap} (${u.tier})`,
        u.tier_cap && u.tier_unique_recipients >= u.tier_cap ? 'over' : null),
      row('Faults', faults.length ? faults.join(', ') : 'none', faults.length ? 'over' : null),
      row('Webhook URL', u.webhook_url || 'none (webhooks are recorded only)'),
      row('Accepted messages', String(u.accepted)),
    ));
  }

  function threadsOf(number) {
    const out = [];
    for (const [k, ids] of model.threads) {
      const [num, customer] = [k.slice(0, k.indexOf('|')), k.slice(k.indexOf('|') + 1)];
      if (num !== number) continue;
      const last = model.msgs.get(ids[ids.length - 1]);
      out.push({ customer, count: ids.length, last });
    }
    out.sort((a, b) => (b.last ? b.last.at : 0) - (a.last ? a.last.at : 0));
    return out;
  }

  function renderCustomers() {
    const list = threadsOf(model.number);
    const ul = $('customers');
    if (!list.length) {
      ul.replaceChildren(el('li', { class: 'empty' }, 'No messages yet'));
      return [];
    }
    ul.replaceChildren(...list.map((t) => el('li', {},
      el('button', {
        type: 'button', 'data-customer': t.customer,
        onclick: () => { model.customer = t.customer; $('reply-from').value = '+' + t.customer; render(); },
      }, /^\d+$/.test(t.customer) ? '+' + t.customer : t.customer,
      el('span', { class: 'sub' }, `${t.count} message${t.count === 1 ? '' : 's'} · ${time(t.last && t.last.at)}`)))));
    return list.map((t) => t.customer);
  }

  function markCurrentCustomer() {
    for (const b of $('customers').querySelectorAll('button')) {
      b.setAttribute('aria-current', b.dataset.customer === model.customer ? 'true' : 'false');
    }
    const from = $('reply-from');
    if (model.customer && !from.value && document.activeElement !== from) {
      from.value = /^\d+$/.test(model.customer) ? '+' + model.customer : model.customer;
    }
  }

  function renderThread() {
    const ol = $('thread');
    const ids = model.threads.get(key(model.number, model.customer)) || [];
    $('thread-h').textContent = model.customer
      ? `Conversation with ${/^\d+$/.test(model.customer) ? '+' : ''}${model.customer}` : 'Conversation';
    if (!ids.length) {
      ol.replaceChildren(el('li', { class: 'empty' }, 'Send a message through the sandbox to see it here.'));
      return;
    }
    const atBottom = ol.scrollHeight - ol.scrollTop - ol.clientHeight < 40;
    ol.replaceChildren(...ids.slice(-MAX_ROWS).map((id) => renderMessage(model.msgs.get(id))));
    if (atBottom) ol.scrollTop = ol.scrollHeight;
  }

  const STATUS_LABEL = { sent: 'Sent ✓', delivered: 'Delivered ✓✓', read: 'Read ✓✓', failed: 'Failed' };

  function renderMessage(m) {
    const who = m.dir === 'out' ? 'Business' : (m.name || 'Customer');
    const li = el('li', { class: 'msg ' + m.dir, 'data-wamid': m.id, 'data-type': m.type },
      el('p', { class: 'kind' }, `${who} · ${typeLabel(m)}`),
      m.dir === 'out' ? renderOutbound(m.type, m.body) : renderInbound(m.type, m.body, m),
      el('p', { class: 'meta' }, time(m.at), ' · ', el('span', { class: 'mono' }, m.id)));
    if (m.dir === 'out') {
      const order = ['sent', 'delivered', 'read', 'failed'];
      const sts = [...m.statuses].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
      li.append(el('ul', { class: 'ticks', 'aria-label': 'Status' }, sts.length
        ? sts.map((s) => el('li', { 'data-status': s.status },
          s.status === 'failed' ? `Failed · error ${s.code}` : (STATUS_LABEL[s.status] || s.status)))
        : el('li', { 'data-status': 'accepted' }, 'Accepted')));
      const failed = sts.some((s) => s.status === 'failed');
      if (!failed) {
        li.append(el('div', { class: 'actions' },
          sts.some((s) => s.status === 'read') ? null : el('button', {
            type: 'button', class: 'secondary', 'aria-label': 'Mark read ' + m.id,
            onclick: () => markStatus(m.id, 'read'),
          }, 'Mark read'),
          el('button', {
            type: 'button', class: 'secondary', 'aria-label': 'Mark failed ' + m.id,
            onclick: () => markStatus(m.id, 'failed'),
          }, 'Mark failed')));
      }
    }
    return li;
  }

  function typeLabel(m) {
    const b = m.body || {};
    if (m.type === 'interactive') return 'interactive ' + ((b.interactive || {}).type || '');
    if (m.type === 'template') return 'template ' + ((b.template || {}).name || '');
    return m.type;
  }

  function textOf(x) { return x && typeof x === 'object' ? (x.text || '') : (x || ''); }

  function mediaTile(type, media) {
    media = media || {};
    return el('div', { class: 'tile', role: 'group', 'aria-label': type + ' attachment' },
      el('strong', {}, type.toUpperCase()), ' ',
      el('span', { class: 'mono' }, media.link || (media.id ? 'media id ' + media.id : '')),
      media.filename ? el('div', {}, 'File: ' + media.filename) : null,
      media.caption ? el('p', { class: 'body' }, media.caption) : null);
  }

  function locationView(l) {
    l = l || {};
    return el('p', { class: 'body' }, '📍 ', [l.name, l.address].filter(Boolean).join(' — '),
      ` (${l.latitude}, ${l.longitude})`);
  }

  function contacts(list) {
    return el('ul', { class: 'body' }, (list || []).map((c) => el('li', {},
      ((c.name || {}).formatted_name || 'Contact'), ': ',
      (c.phones || []).map((p) => p.phone || p.wa_id).join(', '))));
  }

  function fillTemplate(t) {
    const lang = (t.language || {}).code;
    const rec = model.templates.find((r) => r.name === t.name && r.language === lang);
    const comps = t.components || [];
    const value = (p) => {
      if (!p) return '';
      if (p.type === 'text') return p.text;
      if (p.type === 'currency') return (p.currency || {}).fallback_value;
      if (p.type === 'date_time') return (p.date_time || {}).fallback_value;
      return '[' + p.type + ']';
    };
    const parts = [];
    const source = rec ? rec.components : [];
    for (const c of source) {
      const ctype = String(c.type || '').toLowerCase();
      if (!c.text || (ctype !== 'body' && ctype !== 'header' && ctype !== 'footer')) continue;
      const given = comps.find((x) => String(x.type || '').toLowerCase() === ctype) || {};
      const params = given.parameters || [];
      let n = 0;
      const text = c.text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (all, name) => {
        const p = /^\d+$/.test(name) ? params[Number(name) - 1]
          : (params.find((x) => x.parameter_name === name) || params[n]);
        n += 1;
        return p ? value(p) : all;
      });
      parts.push(el('p', { class: ctype === 'body' ? 'body' : 'meta' }, text));
    }
    if (!rec) {
      parts.push(el('p', { class: 'body' }, 'Parameters: ',
        comps.flatMap((c) => (c.parameters || []).map(value)).join(', ') || 'none'));
    }
    return el('div', {}, el('p', { class: 'meta' }, `Template ${t.name} (${lang})`), parts);
  }

  function renderOutbound(type, b) {
    switch (type) {
      case 'text': return el('p', { class: 'body' }, (b.text || {}).body);
      case 'image': case 'video': case 'audio': case 'document': case 'sticker':
        return mediaTile(type, b[type]);
      case 'location': return locationView(b.location);
      case 'contacts': return contacts(b.contacts);
      case 'reaction': return el('p', { class: 'body' }, `${(b.reaction || {}).emoji || '(removed)'} on `,
        el('span', { class: 'mono' }, (b.reaction || {}).message_id));
      case 'template': return fillTemplate(b.template || {});
      case 'interactive': return interactive(b.interactive || {});
      default: return el('pre', { class: 'body mono' }, JSON.stringify(b[type] ?? b, null, 1));
    }
  }

  function interactive(i) {
    const a = i.action || {};
    const header = i.header ? (i.header.type === 'text' ? el('p', { class: 'meta' }, i.header.text)
      : mediaTile(i.header.type || 'header', i.header[i.header.type])) : null;
    const choices = [];
    if (i.type === 'button') {
      for (const btn of a.buttons || []) {
        const r = btn.reply || {};
        choices.push(choice(r.title, () => replyWith({ type: 'interactive', interactive: {
          type: 'button_reply', button_reply: { id: r.id, title: r.title } } }, r.title)));
      }
    } else if (i.type === 'list') {
      choices.push(el('p', { class: 'meta' }, 'List button: ' + (a.button || '')));
      for (const s of a.sections || []) {
        if (s.title) choices.push(el('p', { class: 'meta' }, s.title));
        for (const r of s.rows || []) {
          choices.push(choice(r.title + (r.description ? ' — ' + r.description : ''),
            () => replyWith({ type: 'interactive', interactive: {
              type: 'list_reply', list_reply: { id: r.id, title: r.title, description: r.description } } }, r.title)));
        }
      }
    } else if (i.type === 'cta_url') {
      const p = a.parameters || {};
      choices.push(el('p', { class: 'meta' }, `Link button “${p.display_text || ''}” → `, el('span', { class: 'mono' }, p.url || '')));
    } else if (a.parameters || a.name) {
      choices.push(el('p', { class: 'meta' }, 'Button: ' + ((a.parameters || {}).flow_cta || a.name || '')));
    }
    return el('div', {}, header,
      el('p', { class: 'body' }, textOf(i.body)),
      i.footer ? el('p', { class: 'meta' }, textOf(i.footer)) : null,
      choices.length ? el('div', { class: 'choices', role: 'group', 'aria-label': 'Choices (press to reply as the customer)' }, choices) : null);
  }

  function choice(label, onclick) {
    return el('button', { type: 'button', class: 'choice', onclick }, label);
  }

  function renderInbound(type, m) {
    switch (type) {
      case 'text': return el('p', { class: 'body' }, (m.text || {}).body);
      case 'interactive': {
        const i = m.interactive || {};
        const r = i.button_reply || i.list_reply || {};
        return el('p', { class: 'body' }, `Chose “${r.title || ''}” `, el('span', { class: 'mono' }, `(${r.id || ''})`));
      }
      case 'button': return el('p', { class: 'body' }, `Pressed “${(m.button || {}).text || ''}”`);
      case 'location': return locationView(m.location);
      case 'contacts': return contacts(m.contacts);
      case 'image': case 'video': case 'audio': case 'document': case 'sticker': return mediaTile(type, m[type]);
      default: return el('pre', { class: 'body mono' }, JSON.stringify(m[type] ?? m, null, 1));
    }
  }

  function table(id, heads, rows, empty) {
    const t = $(id);
    t.replaceChildren(
      el('thead', {}, el('tr', {}, heads.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: heads.length, class: 'empty' }, empty))));
  }

  function renderWindows() {
    const u = model.usage;
    const ws = ((u && u.windows) || []).filter((w) => w.phone_number_id === model.number);
    table('windows', ['Customer', 'Last message from them', 'State'], ws.map((w) => el('tr', {},
      el('td', {}, w.customer),
      el('td', {}, new Date(w.last_inbound_ms).toLocaleString()),
      el('td', { class: w.open ? null : 'bad' }, w.open
        ? `open until ${new Date(w.open_until_ms).toLocaleString()}` : 'closed (templates only)'))),
    'No customer has written yet: free-form messages fail with 131047 until one does.');
  }

  function renderRejections() {
    const rows = model.rejections.slice(-MAX_ROWS).reverse().map((r) => {
      const c = r.context || {};
      const req = c.request || {};
      return el('tr', { 'data-code': r.code },
        el('td', {}, time(r.at_ms)),
        el('td', {}, c.phone_number_id || ''),
        el('td', {}, [req.to, req.type].filter(Boolean).join(' · ') || c.path || ''),
        el('td', {}, String(r.http)),
        el('td', { class: 'bad' }, String(r.code) + (r.subcode ? '/' + r.subcode : '')),
        el('td', {}, r.message + (r.details ? ' — ' + r.details : '')));
    });
    table('rejected', ['Time', 'Number', 'Request', 'HTTP', 'Graph code', 'Error'], rows, 'Nothing refused.');
  }

  function summary(body) {
    try {
      const v = JSON.parse(body).entry[0].changes[0];
      const val = v.value || {};
      if (val.statuses) return val.statuses.map((s) => `${s.status} ${s.id}`).join(', ');
      if (val.messages) return val.messages.map((m) => `inbound ${m.type} from ${m.from || m.from_user_id}`).join(', ');
      return v.field;
    } catch (e) { return ''; }
  }

  function renderWebhooks() {
    const rows = model.webhooks.slice(-MAX_ROWS).reverse().map((w) => el('tr', {},
      el('td', {}, summary(w.body)),
      el('td', { class: 'mono' }, w.url || '(no URL)'),
      el('td', { class: 'mono', title: w.signature }, (w.signature || '').slice(0, 23) + '…'),
      el('td', { class: w.delivered ? null : 'bad' }, w.last_status === null || w.last_status === undefined ? '—' : String(w.last_status)),
      el('td', {}, String(w.attempts)),
      el('td', {}, String(Math.max(0, w.attempts - 1))),
      el('td', { class: w.delivered ? null : 'bad' }, w.delivered ? 'yes' : 'no')));
    table('webhooks', ['Content', 'URL', 'Signature', 'Status code', 'Attempts', 'Retries', 'Delivered'], rows, 'No webhook delivered yet.');
  }

  function fillForms(n) {
    const u = model.usage;
    if (!u || !n || model.formsFilled === model.number) return;
    model.formsFilled = model.number;
    const f = u.faults || {};
    $('fault-error').value = Math.round((f.error_rate || 0) * 100);
    $('fault-latency').value = f.latency_ms || 0;
    $('fault-drop').value = Math.round((f.drop_after_accept_rate || 0) * 100);
    $('limit-mps').value = n.limits.mps;
    $('limit-burst').value = n.limits.pair_burst;
    $('limit-interval').value = n.limits.pair_interval_ms;
    $('limit-tier').value = { TIER_250: 'tier250', TIER_2K: 'tier2k', TIER_10K: 'tier10k', TIER_100K: 'tier100k', TIER_UNLIMITED: 'unlimited' }[u.tier] || 'tier250';
  }

  // ---------- actions ----------
  async function markStatus(id, status) {
    try {
      await api('POST', `/_sandbox/messages/${encodeURIComponent(id)}/status`,
        status === 'failed' ? { status, code: 131026 } : { status });
      toast(`Reported ${status} for ${id}`);
    } catch (e) { toast('Could not mark the message: ' + e.message, true); }
  }

  async function replyWith(message, what) {
    const from = $('reply-from').value.trim() || (model.customer ? '+' + model.customer : '');
    if (!from) { toast('Type the customer number first.', true); $('reply-from').focus(); return; }
    try {
      const r = await api('POST', '/_sandbox/inbound', {
        phone_number_id: model.number, from, name: $('reply-name').value.trim() || 'Customer', message,
      });
      toast(`Sent “${what}” as ${from} (${r.id})`);
    } catch (e) { toast('Reply refused: ' + e.message, true); }
  }

  function onReply(ev) {
    ev.preventDefault();
    const kind = $('reply-kind').value;
    if (kind === 'text') {
      const body = $('reply-text').value;
      replyWith({ type: 'text', text: { body } }, body);
    } else if (kind === 'button') {
      const id = $('reply-button-id').value, title = $('reply-button-title').value;
      replyWith({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id, title } } }, title);
    } else {
      const latitude = Number($('reply-lat').value), longitude = Number($('reply-long').value);
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) { toast('Latitude and longitude must be numbers.', true); return; }
      replyWith({ type: 'location', location: { latitude, longitude, name: $('reply-place').value } }, 'location');
    }
  }

  async function onFaults(ev) {
    ev.preventDefault();
    const pct = (id) => Math.min(100, Math.max(0, Number($(id).value) || 0)) / 100;
    const faults = Object.assign({}, (model.usage && model.usage.faults) || {}, {
      error_rate: pct('fault-error'),
      latency_ms: Math.max(0, Math.round(Number($('fault-latency').value) || 0)),
      drop_after_accept_rate: pct('fault-drop'),
    });
    try {
      const f = await api('PUT', '/_sandbox/faults', faults);
      if (model.usage) model.usage.faults = f;
      toast(`Faults applied: 5xx ${Math.round(f.error_rate * 100)} %, latency ${f.latency_ms} ms, drop after accept ${Math.round(f.drop_after_accept_rate * 100)} %`);
      schedule();
    } catch (e) { toast('Faults refused: ' + e.message, true); }
  }

  async function onLimits(ev) {
    ev.preventDefault();
    const body = { phone_number_id: model.number, tier: $('limit-tier').value };
    const num = (id) => ($(id).value === '' ? undefined : Number($(id).value));
    if (num('limit-mps') !== undefined) body.mps = num('limit-mps');
    if (num('limit-burst') !== undefined) body.pair_burst = num('limit-burst');
    if (num('limit-interval') !== undefined) body.pair_interval_ms = Math.round(num('limit-interval'));
    try {
      await api('PUT', '/_sandbox/limits', body);
      toast('Limits applied.');
    } catch (e) { toast('Limits refused: ' + e.message, true); }
  }

  function showKindFields() {
    const kind = $('reply-kind').value;
    for (const d of document.querySelectorAll('.kind-fields')) d.hidden = d.dataset.kind !== kind;
  }

  function start() {
    $('login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      token = $('token-input').value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      $('token-input').value = '';
      connect();
    });
    $('number-select').addEventListener('change', (ev) => { model.number = ev.target.value; model.customer = null; render(); });
    $('reply-form').addEventListener('submit', onReply);
    $('reply-kind').addEventListener('change', showKindFields);
    $('faults-form').addEventListener('submit', onFaults);
    $('limits-form').addEventListener('submit', onLimits);

    // The token comes in the fragment (never sent to any server) or from the prompt;
    // it is kept for this tab only and wiped from the address bar.
    const frag = new URLSearchParams(window.location.hash.slice(1));
    if (frag.get('token')) {
      sessionStorage.setItem(TOKEN_KEY, frag.get('token'));
      history.replaceState(null, '', window.location.pathname);
    }
    token = sessionStorage.getItem(TOKEN_KEY);
    if (token) connect(); else showLogin('');
  }

  start();
})();
