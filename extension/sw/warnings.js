// Deadline warnings: a system notification, the toolbar badge (count of overdue orders) and a banner on the
// order's page. Each warning shown is reported back to the helper (POST /api/notifications) so the chain
// records that the buyer was told.
/* exported SHOWN_TYPES, handleEvent, refreshOrders, updateBadge, warningForOrder, isOverdue, onNotificationClicked */
'use strict';

const WARNING_TYPES = ['order.overdue', 'order.due_soon', 'escalation.step_due'];
// What the buyer is told about: the deadline warnings and the disk budget's (a recent one is shown on catching up).
const SHOWN_TYPES = WARNING_TYPES.concat(['storage.warning']);
// Only the buyer's delivered/refunded action resolves an order; a status read from the shop's page does not.
function isResolved(order) {
  return !!(order.escalation && order.escalation.stage === 'resolved');
}

function isOverdue(order, now) {
  if (isResolved(order) || !order.deadline) return false;
  const deadline = Date.parse(order.deadline);
  return !Number.isNaN(deadline) && deadline <= now;
}

async function updateBadge(overdue) {
  const count = Object.keys(overdue || await readStored('local', 'overdueOrders')).length;
  await chrome.action.setBadgeBackgroundColor({ color: '#c42b1c' });
  await chrome.action.setBadgeText({ text: count ? String(count) : '' });
  await chrome.action.setTitle({ title: count ? t('badgeTitle', [String(count)]) : t('actionTitle') });
}

// The overdue orders ({id: {order_no, deadline}}) are changed by the order list's refresh and by events, one
// change after another; the badge shows each set as it is written. A refresh that read the set before a
// warning added its order used to write it back without the order, and the badge went blank.
function updateOverdue(change) {
  return updateStored('local', 'overdueOrders', change, updateBadge);
}

// The helper's order list is the truth for overdue-ness; orders warned about by an event stay on the badge
// until they are resolved or disappear.
async function refreshOrders() {
  const reply = await helperFetch('GET', '/api/orders');
  if (reply.error) return reply;
  const now = Date.now();
  await chrome.storage.local.set({ ordersCache: { at: new Date().toISOString(), orders: reply.orders || [] } });
  await updateOverdue((warned) => {
    const overdue = {};
    for (const o of reply.orders || []) {
      if (isResolved(o)) continue;
      if (isOverdue(o, now) || warned[String(o.id)]) overdue[String(o.id)] = { order_no: o.order_no, deadline: o.deadline };
    }
    return overdue;
  });
  return reply;
}

function describe(event) {
  const d = event.data || {};
  const o = d.order || {};
  const overdueSeconds = d.overdue_seconds != null ? d.overdue_seconds
    : (d.escalation && d.escalation.overdue_seconds) || null;
  // A due-soon warning handled after the deadline (replayed, or the worker was asleep) is an overdue one.
  const stale = event.type === 'order.due_soon' && o.deadline && Date.parse(o.deadline) <= Date.now();
  return {
    seq: event.seq,
    hash: event.hash || null,
    type: stale ? 'order.overdue' : event.type,
    stale: !!stale,
    at: event.at,
    orderId: o.id != null ? o.id : event.order_id,
    orderNo: o.order_no || '',
    product: o.product || '',
    amount: o.amount || '',
    shop: o.shop_name || o.shop_host || '',
    url: o.url || '',
    promise: o.promise_text || '',
    deadline: o.deadline || null,
    overdueSeconds,
    secondsLeft: d.seconds_left != null ? d.seconds_left : null,
    nextStep: d.next_step || null,
  };
}

// How long ago the deadline passed, now (the event's figure ages while the warning is shown).
function overdueNow(w, now) {
  if (w.deadline && !Number.isNaN(Date.parse(w.deadline))) return Math.max(0, (now - Date.parse(w.deadline)) / 1000);
  return w.overdueSeconds || 0;
}

function warningTexts(w, now) {
  const order = [w.orderNo, w.product].filter(Boolean).join(' · ') || `#${w.orderId}`;
  const amount = w.amount ? ` ¥${w.amount}` : '';
  let title;
  let when;
  if (w.type === 'order.due_soon') {
    title = t('warnDueSoonTitle', [order]);
    when = t('warnLeft', [formatDuration(w.deadline ? (Date.parse(w.deadline) - now) / 1000 : w.secondsLeft)]);
  } else {
    title = t(w.type === 'escalation.step_due' ? 'warnStepTitle' : 'warnOverdueTitle', [order]);
    when = t('warnOverdueBy', [formatDuration(overdueNow(w, now))]);
  }
  const promise = t('warnPromise', [w.promise || t('noPromise')]);
  const next = w.nextStep ? t('warnNextStep', [localText(w.nextStep)]) : '';
  return { title: title + amount, promise, when, next };
}

async function report(seq, channel) {
  const reply = await helperFetch('POST', '/api/notifications', { event_seq: seq, channel });
  if (reply.error) console.warn(`could not record the ${channel} warning for event ${seq}`, reply.error);
  return !reply.error;
}

// Warnings already shown, by event hash: the same chain seen through another port, another pairing or after
// the helper restarted is not shown again (chrome.storage.local, the last 500).
async function alreadyShown(event) {
  if (!event.hash) return false;
  const { shownWarnings } = await chrome.storage.local.get('shownWarnings');
  return !!(shownWarnings && shownWarnings[event.hash]);
}

async function markShown(event) {
  if (!event.hash) return;
  const { shownWarnings } = await chrome.storage.local.get('shownWarnings');
  const all = Object.entries({ ...(shownWarnings || {}), [event.hash]: Date.now() }).sort((a, b) => a[1] - b[1]).slice(-500);
  await chrome.storage.local.set({ shownWarnings: Object.fromEntries(all) });
}

// One notification per order: a newer warning replaces the order's earlier one. A stale due-soon for an
// order whose overdue warning is already out adds nothing.
async function replaceOrderNotification(w, notificationId) {
  const { orderNotifications } = await chrome.storage.session.get('orderNotifications');
  const byOrder = orderNotifications || {};
  const before = w.orderId != null ? byOrder[String(w.orderId)] : null;
  if (before && before !== notificationId) await chrome.notifications.clear(before);
  if (w.orderId != null) {
    byOrder[String(w.orderId)] = notificationId;
    await chrome.storage.session.set({ orderNotifications: byOrder });
  }
}

async function showWarning(event) {
  const w = describe(event);
  const now = Date.now();
  const earlier = await warningForOrder(w.orderId);
  if (w.stale && earlier && earlier.type !== 'order.due_soon' && earlier.deadline === w.deadline) return;
  const texts = warningTexts(w, now);
  const shown = [];
  const notificationId = `ow-event-${event.seq}`;
  // The badge first: when the notification is up, the toolbar already counts the order.
  if (w.type !== 'order.due_soon' && w.orderId != null) {
    await updateOverdue((overdue) => {
      overdue[String(w.orderId)] = { order_no: w.orderNo, deadline: w.deadline };
    });
    shown.push('badge');
  }
  try {
    await replaceOrderNotification(w, notificationId);
    await chrome.notifications.create(notificationId, {
      type: 'basic',
      iconUrl: chrome.runtime.getURL('extension/icons/icon128.png'),
      title: texts.title,
      message: [texts.when, texts.promise, texts.next].filter(Boolean).join('\n'),
      contextMessage: w.shop || t('extShort'),
      priority: 2,
      requireInteraction: w.type !== 'order.due_soon',
    });
    const { notificationUrls } = await chrome.storage.session.get('notificationUrls');
    const urls = Object.entries({ ...(notificationUrls || {}), [notificationId]: w.url }).slice(-100);
    await chrome.storage.session.set({ notificationUrls: Object.fromEntries(urls) });
    const { notificationOrders } = await chrome.storage.session.get('notificationOrders');
    const orders = Object.entries({ ...(notificationOrders || {}), [notificationId]: w.orderId }).slice(-100);
    await chrome.storage.session.set({ notificationOrders: Object.fromEntries(orders) });
    shown.push('system');
  } catch (e) {
    console.warn('notification failed', e);
  }
  // Remember the warning so the banner also appears when the order's page is opened later.
  const { warnings } = await chrome.storage.local.get('warnings');
  const all = warnings && typeof warnings === 'object' ? warnings : {};
  if (w.orderId != null) all[String(w.orderId)] = w;
  await chrome.storage.local.set({ warnings: all });
  const tabs = await pagesForOrder({ id: w.orderId, url: w.url });
  let bannered = false;
  for (const p of tabs) {
    try {
      await chrome.tabs.sendMessage(p.tabId, { type: 'warning', warning: w });
      bannered = true;
    } catch (e) {
      await forgetTab(p.tabId); // the tab navigated away or closed
    }
  }
  if (bannered) shown.push('banner');
  for (const channel of shown) await report(event.seq, channel);
}

async function warningForOrder(orderId) {
  if (orderId == null) return null;
  const { warnings } = await chrome.storage.local.get('warnings');
  return (warnings && warnings[String(orderId)]) || null;
}

async function forgetWarning(orderId) {
  const { warnings } = await chrome.storage.local.get('warnings');
  if (warnings && warnings[String(orderId)]) {
    delete warnings[String(orderId)];
    await chrome.storage.local.set({ warnings });
  }
}

// The evidence folder passed 80 % (or all) of its disk budget (helper/capture/snapshots.py): one system
// notification, replaced by the next one, and the last warning kept for the popup.
async function showStorageWarning(event) {
  const d = event.data || {};
  const paused = d.automatic_snapshots === 'paused';
  const warning = { seq: event.seq, at: event.at, percent: d.percent, paused, text: { zh: d.zh, en: d.en } };
  await chrome.storage.local.set({ storageWarning: warning });
  const notificationId = `ow-event-${event.seq}`;
  const { storageNotification } = await chrome.storage.session.get('storageNotification');
  if (storageNotification && storageNotification !== notificationId) await chrome.notifications.clear(storageNotification);
  try {
    await chrome.notifications.create(notificationId, {
      type: 'basic',
      iconUrl: chrome.runtime.getURL('extension/icons/icon128.png'),
      title: storageWarningTitle(warning),
      message: storageWarningText(warning),
      contextMessage: t('extShort'),
      priority: paused ? 2 : 1,
      requireInteraction: paused,
    });
    await chrome.storage.session.set({ storageNotification: notificationId });
  } catch (e) {
    console.warn('notification failed', e);
    return;
  }
  await report(event.seq, 'system');
}

async function handleEvent(event) {
  if (event.type === 'storage.warning') {
    if (await alreadyShown(event)) return;
    await showStorageWarning(event);
    await markShown(event);
    return;
  }
  if (WARNING_TYPES.includes(event.type)) {
    if (event.type === 'order.due_soon' && !(await getSettings()).notifyDueSoon) return;
    if (await alreadyShown(event)) return;
    await showWarning(event);
    await markShown(event);
    return;
  }
  if (event.type === 'order.created') await tellUnlinkedPages(event.data && event.data.order);
  if (['action.recorded', 'action.withdrawn', 'order.updated', 'order.created'].includes(event.type)) {
    const action = event.type === 'action.recorded' && event.data && event.data.action;
    if (['delivered', 'refunded'].includes(action) && event.order_id != null) {
      await updateOverdue((overdue) => {
        delete overdue[String(event.order_id)];
      });
      await forgetWarning(event.order_id);
    }
    await refreshOrders();
  }
}

// A click opens the order's case page (facts, path, drafts); without an order, the shop page or the popup.
// A newly tracked order: the shop's open pages that belong to no order yet (a chat opened before the order
// page was captured) analyse themselves again, so their banner, deadline and captures' stamp name it.
async function tellUnlinkedPages(order) {
  if (!order || !order.shop_host) return;
  const { pages } = await chrome.storage.session.get('pages');
  const tabs = Object.entries(pages || {}).filter(([, p]) => p.orderId == null && hostOf(p.url).host === order.shop_host);
  await Promise.all(tabs.map(([tabId]) => chrome.tabs.sendMessage(Number(tabId), { type: 'order.tracked' }).catch(() => {})));
}

async function onNotificationClicked(notificationId) {
  const { notificationUrls, notificationOrders } = await chrome.storage.session.get(['notificationUrls', 'notificationOrders']);
  const orderId = notificationOrders && notificationOrders[notificationId];
  const url = notificationUrls && notificationUrls[notificationId];
  if (orderId != null) await chrome.tabs.create({ url: chrome.runtime.getURL(`extension/case.html?order=${orderId}`) });
  else if (url && /^https?:\/\//.test(url)) await chrome.tabs.create({ url });
  else await chrome.tabs.create({ url: chrome.runtime.getURL('extension/popup.html') });
  chrome.notifications.clear(notificationId);
}
