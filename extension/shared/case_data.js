// Shared by the case page and the drafts view: which order, the helper's case answer, copying, live reload.
// Extension pages call the helper directly (sw/helper_client.js: the pairing is in chrome.storage.local).
/* exported orderIdFromQuery, loadCase, copyText, onChainChange, el, deadlineText, caseUrl */
'use strict';

function orderIdFromQuery() {
  const id = Number(new URLSearchParams(location.search).get('order'));
  return Number.isInteger(id) && id > 0 ? id : null;
}

function caseUrl(page, orderId) {
  return chrome.runtime.getURL(`extension/${page}.html?order=${orderId}`);
}

async function loadCase(orderId) {
  return helperFetch('GET', `/api/orders/${orderId}/case`, undefined, { timeoutMs: 20000 });
}

// Clipboard write from a click; falls back to a selected textarea when the async API is refused.
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

// The service worker moves `eventCursor` after each chain event it handled: reload then (debounced).
function onChainChange(callback) {
  let timer = null;
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local' || !changes.eventCursor) return;
    clearTimeout(timer);
    timer = setTimeout(callback, 250);
  });
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

// "已逾期 2小时5分钟（时限 …）" / "还剩 …" / resolved / no deadline, at `now`.
function deadlineText(order, now) {
  const e = order.escalation || {};
  if (e.stage === 'resolved') return { text: t('orderResolved'), overdue: false };
  if (!order.deadline) return { text: t('noDeadline'), overdue: false };
  const deadline = Date.parse(order.deadline);
  if (deadline > now) return { text: t('timeLeft', [formatDuration((deadline - now) / 1000), formatTime(order.deadline)]), overdue: false };
  return { text: t('overdueBy', [formatDuration((now - deadline) / 1000), formatTime(order.deadline)]), overdue: true };
}
