// Toolbar popup: helper status, the capture button for the current tab, tracked orders with their deadline,
// evidence count and next step, and buttons to record what the buyer did.
'use strict';

const ACTIONS = [
  ['contacted_merchant', 'actContacted'],
  ['platform_complaint_filed', 'actComplaint'],
  ['refunded', 'actRefunded'],
  ['delivered', 'actDelivered'],
];
const $ = (sel) => document.querySelector(sel);
let activeTab = null;
let flash = null; // {orderId, ok, text}: the last action's result, shown after the list is redrawn

function renderStatus(st) {
  const pill = $('#helper-status');
  pill.className = 'pill';
  if (st.error && st.error.code === 'helper_not_running') {
    pill.textContent = t('statusNotRunning');
    pill.classList.add('bad');
  } else if (st.error && st.error.code === 'not_paired') {
    pill.textContent = t('statusNotPaired');
    pill.classList.add('bad');
  } else if (st.error) {
    pill.textContent = errorText(st.error);
    pill.classList.add('bad');
  } else {
    pill.textContent = t('statusRunning');
    pill.classList.add('ok');
  }
  pill.title = st.url || '';
}

function timeLine(o, now) {
  const e = o.escalation || {};
  if (e.stage === 'resolved') return t('orderResolved');
  if (!o.deadline) return t('noDeadline');
  const deadline = Date.parse(o.deadline);
  if (deadline > now) return t('timeLeft', [formatDuration((deadline - now) / 1000), formatTime(o.deadline)]);
  return t('overdueBy', [formatDuration((now - deadline) / 1000), formatTime(o.deadline)]);
}

function renderOrders(reply) {
  const box = $('#orders');
  box.replaceChildren();
  if (reply.error) {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = errorText(reply.error);
    box.append(p);
    return;
  }
  const orders = reply.orders || [];
  if (!orders.length) {
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = t('noOrders');
    box.append(p);
    return;
  }
  const now = Date.now();
  for (const o of orders) {
    const node = $('#order-tpl').content.firstElementChild.cloneNode(true);
    const e = o.escalation || {};
    const resolved = e.stage === 'resolved'; // a page's status alone is not the buyer's confirmation
    const overdue = !resolved && o.deadline && Date.parse(o.deadline) <= now;
    node.classList.toggle('overdue', !!overdue);
    node.classList.toggle('resolved', !!resolved);
    node.classList.toggle('soon', !overdue && !resolved && o.deadline && Date.parse(o.deadline) - now < 15 * 60000);
    node.dataset.orderId = o.id;
    node.querySelector('.no').textContent = o.order_no || `#${o.id}`;
    const caseLink = node.querySelector('.case-link');
    caseLink.textContent = t('caseOpen');
    caseLink.addEventListener('click', (ev) => {
      ev.preventDefault();
      chrome.tabs.create({ url: chrome.runtime.getURL(`extension/case.html?order=${o.id}`) });
    });
    node.querySelector('.state').textContent = resolved ? t('stateResolved') : overdue ? t('stateOverdue') : t('stateWaiting');
    node.querySelector('.product').textContent = [o.product, o.shop_name || o.shop_host].filter(Boolean).join(' · ');
    node.querySelector('.amount').textContent = o.amount ? `¥${o.amount}` : '';
    node.querySelector('.status').textContent = o.status ? t('orderStatus', [o.status]) : '';
    node.querySelector('.evidence').textContent = t('evidenceCount', [String(o.evidence_count || 0)]);
    node.querySelector('.time').textContent = timeLine(o, now);
    node.querySelector('.next').textContent = e.next_step && !resolved ? t('nextStep', [localText(e.next_step)]) : '';
    const actions = node.querySelector('.actions');
    for (const [code, key] of ACTIONS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = t(key);
      b.dataset.action = code;
      b.addEventListener('click', () => record(o, code, node));
      actions.append(b);
    }
    if (flash && flash.orderId === o.id) {
      const st = node.querySelector('.action-status');
      st.className = `action-status ${flash.ok ? 'ok' : 'error'}`;
      st.textContent = flash.text;
    }
    box.append(node);
  }
}

async function record(order, action, node) {
  node.querySelectorAll('.actions button').forEach((b) => { b.disabled = true; });
  const reply = await sendMessage('orders.action', { orderId: order.id, action });
  flash = reply.error ? { orderId: order.id, ok: false, text: errorText(reply.error) }
    : { orderId: order.id, ok: true, text: t('actionRecorded') };
  await loadOrders();
}

async function loadOrders() {
  renderOrders(await sendMessage('orders.list', {}));
}

function showCapture(reply) {
  const box = $('#capture-status');
  box.replaceChildren();
  if (reply.error) {
    box.className = 'status error';
    box.textContent = `${t('captureFailed')} ${errorText(reply.error)}`;
    return;
  }
  const c = reply.capture;
  box.className = (c.page_state || 'ok') === 'ok' && !c.changed_during_capture ? 'status ok' : 'status error';
  const line = document.createElement('div');
  line.textContent = t('captureDone', [formatTime(c.captured_at)]);
  const notes = captureNotes(c).map((text) => {
    const d = document.createElement('div');
    d.textContent = text;
    return d;
  });
  const hash = document.createElement('div');
  hash.className = 'hash';
  hash.textContent = `SHA-256 ${String(c.sha256 || '').slice(0, 16)}…`;
  box.append(line, ...notes, hash);
  if (c.image) {
    const a = document.createElement('a');
    a.href = '#';
    a.textContent = t('viewImage');
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      sendMessage('viewer.open', { captureId: c.id, name: c.image });
    });
    box.append(a);
  }
}

async function capture() {
  const button = $('#capture');
  button.disabled = true;
  const box = $('#capture-status');
  box.className = 'status muted';
  box.textContent = t('capturing');
  const reply = await sendMessage('capture.tab', {
    tabId: activeTab.id, url: activeTab.url, title: activeTab.title,
  }, { timeoutMs: 120000 });
  button.disabled = false;
  showCapture(reply);
  loadOrders();
}

// The last disk-budget warning (sw/warnings.js): automatic snapshots stop at the budget, so the buyer sees it here.
async function showStorageWarning() {
  const { storageWarning } = await chrome.storage.local.get('storageWarning');
  const box = $('#storage-warning');
  box.hidden = !storageWarning;
  if (!storageWarning) return;
  box.classList.toggle('paused', !!storageWarning.paused);
  const title = document.createElement('strong');
  title.textContent = storageWarningTitle(storageWarning);
  box.replaceChildren(title, document.createElement('br'), storageWarningText(storageWarning));
  box.title = storageWarning.at ? formatTime(storageWarning.at) : '';
}

async function init() {
  await loadStrings();
  applyI18n();
  document.title = t('extShort');
  $('#capture-sub').textContent = subCaption('btnCapture', 'btnCaptureSub');
  // activeTab: clicking the toolbar icon grants the current tab's address for this popup. The capture button
  // is disabled (popup.html) until the tab is known: a click before that would have had no tab to capture.
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  activeTab = tab || null;
  if (activeTab && /^https?:\/\//.test(activeTab.url || '')) $('#capture').disabled = false;
  else {
    $('#capture-status').className = 'status muted';
    $('#capture-status').textContent = t('cannotCaptureHere');
  }
  const [status] = await Promise.all([sendMessage('helper.status', {}), loadOrders(), showStorageWarning()]);
  renderStatus(status);
}

// Attached before init's first await: a click is never lost to a slow answer from the service worker.
$('#open-options').addEventListener('click', (ev) => {
  ev.preventDefault();
  chrome.runtime.openOptionsPage();
});
$('#capture').addEventListener('click', capture);
init();
