// The case page (case.html?order=ID): one order's facts with where each came from, its deadline, the
// escalation path, every capture, the merged timeline, the buyer's actions (record / withdraw) and the
// evidence package export. Everything comes from GET /api/orders/{id}/case; the page reloads when the
// service worker handles a chain event.
'use strict';

const $ = (sel) => document.querySelector(sel);
const orderId = orderIdFromQuery();
let current = null; // the last case answer
let pendingWithdraw = null; // seq of the action whose withdrawal waits for its confirming click
const thumbs = new Map(); // capture id → blob: URL (fetched once)

function kindText(kind) {
  return t(`kind_${kind}`) === `kind_${kind}` ? kind : t(`kind_${kind}`);
}

function renderHead(c) {
  const o = c.order;
  $('#title').textContent = `${t('caseOrder')} ${o.order_no || `#${o.id}`}`;
  $('#subtitle').textContent = [o.product, o.amount ? `¥${o.amount}` : '', o.shop_name || o.shop_host, o.status]
    .filter(Boolean).join(' · ');
  document.title = `${o.order_no} · ${t('extShort')}`;
  $('#to-shop').href = /^https?:\/\//.test(o.url || '') ? o.url : '#';
  const note = awaitingConfirmText(o);
  $('#confirm-note').textContent = note;
  $('#confirm-note').hidden = !note;
  renderClock();
}

function renderClock() {
  if (!current) return;
  const d = deadlineText(current.order, Date.now());
  const box = $('#clock');
  box.textContent = d.text;
  box.classList.toggle('overdue', d.overdue);
}

function sourceText(src, field) {
  if (!src) return t('srcUnknown');
  if (src.type === 'capture') {
    const where = src.line_no ? t('srcLine', [String(src.line_no)]) : field === 'url' ? t('srcAddress') : t('srcNoLine');
    return `${t('srcCapture', [String(src.capture_id), kindText(src.kind), formatTime(src.captured_at)])} · ${where}`;
  }
  if (src.type === 'manual') return t('srcManual', [formatTime(src.at)]);
  if (src.type === 'derived') return localText(src);
  return t('srcUnknown');
}

function renderFacts(c) {
  const table = $('#facts');
  table.replaceChildren();
  for (const f of c.facts) {
    const tr = el('tr');
    tr.dataset.field = f.field;
    const shown = f.display ? localText(f.display) : /_at$|deadline/.test(f.field) ? formatTime(f.value) : String(f.value);
    const value = el('td', 'value', shown);
    const src = el('div', 'src muted', sourceText(f.source, f.field));
    if (f.source && f.source.line) src.title = f.source.line;
    if (f.source && f.source.type === 'capture') {
      const a = el('a', 'open', t('srcOpen'));
      a.href = '#';
      a.addEventListener('click', (ev) => { ev.preventDefault(); openCapture(f.source.capture_id); });
      src.append(' ', a);
    }
    value.append(src);
    tr.append(el('th', null, localText(f)), value);
    table.append(tr);
  }
}

function renderPath(c) {
  const list = $('#path');
  list.replaceChildren();
  const now = Date.now();
  for (const step of c.path) {
    const li = el('li', `step ${step.state}`);
    li.dataset.code = step.code;
    const head = el('div', 'step-head');
    head.append(el('span', 'dot'), el('span', 'state-tag', t(`path_${step.state}`)), el('strong', null, localText(step)));
    li.append(head);
    const when = [];
    if (step.done_at) when.push(t('pathDoneAt', [formatTime(step.done_at)]));
    else if (step.due_at) {
      const due = Date.parse(step.due_at);
      const label = step.estimated ? 'pathDueEstimated' : 'pathDue';
      when.push(t(label, [formatTime(step.due_at)]));
      li.classList.toggle('late', step.state === 'now' && due <= now);
      if (step.state === 'now' && due <= now) when.push(t('pathOverdue', [formatDuration((now - due) / 1000)]));
      else if (step.state === 'now') when.push(t('pathLeft', [formatDuration((due - now) / 1000)]));
    }
    if (when.length) li.append(el('div', 'when', when.join(' · ')));
    for (const a of step.done_by || []) li.append(el('div', 'by muted', `✓ ${localText(a)} ${formatTime(a.at)}`));
    list.append(li);
  }
}

function renderActionButtons(c) {
  const box = $('#action-buttons');
  if (box.childElementCount === c.action_codes.length) return; // keep what the buyer is typing / focus
  box.replaceChildren();
  for (const a of c.action_codes) {
    const b = el('button', 'act', localText(a));
    b.type = 'button';
    b.dataset.action = a.code;
    b.addEventListener('click', () => recordAction(a.code));
    box.append(b);
  }
}

function renderActions(c) {
  const list = $('#actions');
  list.replaceChildren();
  if (!c.actions.length) list.append(el('li', 'empty muted', t('caseNoActions')));
  for (const a of c.actions.slice().reverse()) {
    const li = el('li', a.withdrawn ? 'withdrawn' : '');
    li.dataset.seq = a.seq;
    const main = el('div', 'main');
    main.append(el('strong', null, localText(a)), el('span', 'muted', ` ${formatTime(a.at)} · #${a.seq}`));
    li.append(main);
    const extra = [a.reference ? t('caseRefIs', [a.reference]) : '', a.note || ''].filter(Boolean).join(' · ');
    if (extra) li.append(el('div', 'muted', extra));
    if (a.withdrawn) {
      li.append(el('div', 'withdrawn-note', t('caseWithdrawnAt', [formatTime(a.withdrawn.at), String(a.withdrawn.seq)])));
    } else {
      const b = el('button', 'withdraw', pendingWithdraw === a.seq ? t('caseWithdrawConfirm') : t('caseWithdraw'));
      b.type = 'button';
      b.classList.toggle('confirm', pendingWithdraw === a.seq);
      b.addEventListener('click', () => withdraw(a.seq));
      li.append(b);
    }
    list.append(li);
  }
}

async function thumbnail(img, capture) {
  if (!capture.image) return;
  if (!thumbs.has(capture.id)) {
    const path = `/api/captures/${capture.id}/thumbnail`;
    thumbs.set(capture.id, helperRequest('GET', path, undefined, { raw: true, timeoutMs: 30000 })
      .then((r) => (r.error ? null : URL.createObjectURL(r.blob))));
  }
  const url = await thumbs.get(capture.id);
  if (url) img.src = url;
}

function openCapture(id) {
  const cap = current && current.captures.find((c) => c.id === id);
  if (cap && cap.image) sendMessage('viewer.open', { captureId: id, name: cap.image });
}

function renderCaptures(c) {
  const box = $('#captures');
  box.replaceChildren();
  $('#capture-count').textContent = String(c.captures.length);
  if (!c.captures.length) box.append(el('p', 'muted', t('caseNoCaptures')));
  for (const cap of c.captures.slice().reverse()) {
    const node = $('#capture-tpl').content.firstElementChild.cloneNode(true);
    node.dataset.captureId = cap.id;
    node.querySelector('.kind').textContent = kindText(cap.kind);
    const state = node.querySelector('.state');
    state.textContent = cap.page_state ? t(`pageState_${cap.page_state}`) : t('pageState_unknown');
    state.classList.toggle('bad', !!cap.page_state && cap.page_state !== 'ok');
    state.classList.toggle('ok', cap.page_state === 'ok');
    node.querySelector('.source').textContent = t(`source_${cap.source}`) === `source_${cap.source}` ? cap.source : t(`source_${cap.source}`);
    node.querySelector('.when').textContent = `#${cap.id} · ${formatTime(cap.captured_at)}`;
    node.querySelector('.url').textContent = cap.title || cap.url || '';
    node.querySelector('.url').title = cap.url || '';
    node.querySelector('.hash').textContent = cap.sha256 ? `SHA-256 ${cap.sha256.slice(0, 20)}…` : '';
    node.querySelector('.hash').title = cap.sha256 || '';
    const btn = node.querySelector('.thumb');
    btn.title = t('viewImage');
    btn.disabled = !cap.image;
    btn.addEventListener('click', () => openCapture(cap.id));
    thumbnail(node.querySelector('img'), cap);
    box.append(node);
  }
}

function renderTimeline(c) {
  const list = $('#timeline');
  list.replaceChildren();
  for (const item of c.timeline.slice().reverse()) {
    const li = el('li', `tl ${item.kind}${item.sender ? ` from-${item.sender}` : ''}`);
    li.append(el('time', null, formatTime(item.at)));
    const body = el('div', 'body');
    body.append(el('div', 'what', localText(item)));
    if (item.text) body.append(el('div', 'text', item.text));
    if (item.capture_id && item.kind !== 'capture') {
      const a = el('a', 'src', item.kind === 'message' ? `#${item.capture_id}` : t('srcFromCapture', [String(item.capture_id)]));
      a.title = t('srcFromCapture', [String(item.capture_id)]);
      a.href = '#';
      a.addEventListener('click', (ev) => { ev.preventDefault(); openCapture(item.capture_id); });
      body.append(a);
    }
    li.append(body);
    list.append(li);
  }
}

function render(c) {
  current = c;
  renderHead(c);
  renderFacts(c);
  renderPath(c);
  renderActionButtons(c);
  renderActions(c);
  renderCaptures(c);
  renderTimeline(c);
}

function say(box, text, ok) {
  box.textContent = text;
  box.className = `status ${ok ? 'ok' : 'error'}`;
}

async function reload() {
  const reply = await loadCase(orderId);
  const err = $('#load-error');
  if (reply.error) {
    err.textContent = errorText(reply.error);
    err.hidden = false;
    return reply;
  }
  err.hidden = true;
  render(reply);
  return reply;
}

async function recordAction(code) {
  const body = { action: code };
  const reference = $('#act-reference').value.trim();
  const note = $('#act-note').value.trim();
  if (reference) body.reference = reference;
  if (note) body.note = note;
  document.querySelectorAll('#action-buttons button').forEach((b) => { b.disabled = true; });
  const reply = await helperFetch('POST', `/api/orders/${orderId}/actions`, body);
  document.querySelectorAll('#action-buttons button').forEach((b) => { b.disabled = false; });
  if (reply.error) return say($('#act-status'), errorText(reply.error), false);
  $('#act-reference').value = '';
  $('#act-note').value = '';
  say($('#act-status'), t('caseActionDone', [localText(reply.event.data), String(reply.event.seq)]), true);
  return reload();
}

async function withdraw(seq) {
  if (pendingWithdraw !== seq) { // first click asks; the second one withdraws
    pendingWithdraw = seq;
    renderActions(current);
    return null;
  }
  pendingWithdraw = null;
  const note = $('#act-note').value.trim();
  const reply = await helperFetch('POST', `/api/orders/${orderId}/actions/${seq}/withdraw`, note ? { note } : {});
  if (reply.error) return say($('#act-status'), errorText(reply.error), false);
  $('#act-note').value = '';
  say($('#act-status'), t('caseWithdrawn', [String(seq), String(reply.event.seq)]), true);
  return reload();
}

function step(list, key, state, detail) {
  let li = list.querySelector(`li[data-step="${key}"]`);
  if (!li) {
    li = el('li');
    li.dataset.step = key;
    list.append(li);
  }
  li.className = state;
  li.textContent = detail ? `${t(key)}: ${detail}` : t(key);
}

// POST …/export asking for progress lines (application/x-ndjson): {"progress": {label, done, total}} … then
// {"result": summary} or {"error": {…}}. A helper answering plain JSON is read the same way.
async function exportWithProgress(body, onProgress) {
  const pairing = await getPairing();
  let res;
  try {
    res = await fetch(`${pairing.url}/api/orders/${orderId}/export`, {
      method: 'POST', body: JSON.stringify(body), cache: 'no-store', credentials: 'omit', redirect: 'error',
      headers: { Authorization: `Bearer ${pairing.token}`, 'Content-Type': 'application/json', Accept: 'application/x-ndjson' },
    });
  } catch (e) {
    return { error: { code: 'helper_not_running', message: String(e) } };
  }
  if (!(res.headers.get('Content-Type') || '').includes('ndjson')) {
    const data = await res.json().catch(() => ({ error: { code: `http_${res.status}`, message: '' } }));
    return res.ok ? data : { error: data.error || { code: `http_${res.status}` } };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines.filter(Boolean)) {
      const item = JSON.parse(line);
      if (item.progress) onProgress(item.progress);
      else if (item.result) return item.result;
      else if (item.error) return { error: item.error };
    }
    if (done) return { error: { code: 'bad_response', message: 'the export ended without a result' } };
  }
}

function showProgress(list, p) {
  document.body.dataset.progressLines = String(Number(document.body.dataset.progressLines || 0) + 1);
  step(list, 'expBuilding', 'running', `${p.label} (${p.done}/${p.total})`);
  let bar = list.querySelector('progress');
  if (!bar) {
    bar = el('progress');
    list.querySelector('li[data-step="expBuilding"]').after(bar);
  }
  bar.max = p.total || 1;
  bar.value = p.done;
}

async function exportPackage() {
  const btn = $('#export-btn');
  const list = $('#export-steps');
  const result = $('#export-result');
  btn.disabled = true;
  list.replaceChildren();
  list.hidden = false;
  result.replaceChildren();
  step(list, 'expBuilding', 'running');
  const made = await exportWithProgress({ redact: $('#export-redact').checked }, (p) => showProgress(list, p));
  btn.disabled = false;
  const bar = list.querySelector('progress');
  if (bar) bar.remove();
  if (made.error) {
    step(list, 'expBuilding', 'failed', errorText(made.error));
    return;
  }
  step(list, 'expBuilding', 'done', t('expFiles', [String(made.files), String(made.captures)]));
  const ts = made.timestamp || {};
  step(list, 'expTimestamp', ts.status === 'ok' ? 'done' : 'warn',
    ts.status === 'ok' ? t('expTimestampOk', [ts.tsa || ts.url || '', formatTime(ts.gen_time)]) : t('expTimestampNone', [ts.reason || '']));
  step(list, 'expVerifying', 'running');
  const name = made.path.split(/[\\/]/).pop();
  const check = await helperFetch('POST', `/api/packages/${encodeURIComponent(name)}/verify`, {}, { timeoutMs: 300000 });
  const ok = !check.error && check.ok;
  step(list, 'expVerifying', ok ? 'done' : 'failed',
    check.error ? errorText(check.error) : ok ? t('expVerifiedOk') : t('expVerifiedBad', [String((check.problems || []).length)]));
  result.className = `status ${ok ? 'ok' : 'error'}`;
  result.append(el('div', 'path', made.path), el('div', 'hash', `SHA-256 ${made.sha256}`));
  const download = el('button', 'download', t('expDownload'));
  download.type = 'button';
  download.dataset.name = name;
  download.addEventListener('click', () => downloadPackage(name, download));
  const copy = el('button', null, t('expCopyPath'));
  copy.type = 'button';
  copy.addEventListener('click', async () => { copy.textContent = (await copyText(made.path)) ? t('copied') : t('copyFailed'); });
  result.append(download, ' ', copy);
}

async function downloadPackage(name, button) {
  const reply = await helperRequest('GET', `/api/packages/${encodeURIComponent(name)}`, undefined, { raw: true, timeoutMs: 300000 });
  if (reply.error) {
    button.textContent = errorText(reply.error);
    return;
  }
  const a = el('a');
  a.href = URL.createObjectURL(reply.blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

async function init() {
  await loadStrings();
  applyI18n();
  if (!orderId) {
    $('#load-error').textContent = t('caseNoOrder');
    $('#load-error').hidden = false;
    return;
  }
  $('#to-drafts').href = caseUrl('drafts', orderId);
  $('#export-btn').addEventListener('click', exportPackage);
  await reload();
  $('#export-btn').disabled = false; // disabled in the markup until the case is shown
  onChainChange(reload);
  let ticks = 0;
  setInterval(() => { // the deadline chip every second, the path's "left / overdue by" every 30 s
    renderClock();
    ticks += 1;
    if (current && ticks % 30 === 0) renderPath(current);
  }, 1000);
  document.body.dataset.ready = '1';
}

init();
