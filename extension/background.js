// order-witness service worker: one message table {action: handler}, the helper client, the event stream
// and the warnings. The sender is checked before any handler runs: content scripts (web pages) may only
// call the actions marked PAGE (analyse the page, capture it, chat snapshot, open the image viewer, strings,
// the risk check, the offer snapshot, and the case page of the tab's own order);
// everything else is for the extension's own pages.
'use strict';

importScripts(
  'shared/i18n.js', 'sw/helper_client.js', 'sw/stored.js', 'sw/settings.js', 'sw/pages.js', 'sw/warnings.js', 'sw/events.js',
  'sw/capture.js', 'sw/relay.js', 'sw/risk.js',
);

// The pairing token lives in chrome.storage.local: content scripts (web pages' renderers) must not read it.
if (chrome.storage.local.setAccessLevel) {
  chrome.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {});
}

const TICK_ALARM = 'ow-tick';
const PAGE_HTML_LIMIT = 8 * 1024 * 1024;
let language = loadLanguage().catch(() => null); // resolves to the chosen language's strings (null = browser's)

function senderKind(sender) {
  if (!sender || sender.id !== chrome.runtime.id) return null;
  const base = chrome.runtime.getURL('');
  if (sender.url && sender.url.startsWith(base)) return 'extension';
  if (sender.tab && sender.tab.id >= 0 && /^https?:\/\//.test(sender.url || '')) return 'page';
  return null;
}

function bad(message) {
  return { error: { code: 'bad_request', message } };
}

async function helperStatus() {
  const pairing = await getPairing();
  const health = await helperFetch('GET', '/api/health', undefined, { auth: false, timeoutMs: 3000, pairing });
  if (health.error) return { url: pairing.url, paired: !!pairing.token, running: false, error: health.error };
  const orders = await helperFetch('GET', '/api/orders', undefined, { timeoutMs: 5000, pairing });
  return {
    url: pairing.url, paired: !orders.error, running: true, version: health.version,
    error: orders.error || null, events: eventsStatus(),
  };
}

// ---- handlers for content scripts (sender = a tab with a web page) ----

// The tab's entry (its order, for banners and the capture's request) follows the answer: a tab that
// navigated away is forgotten at once, one analysed again at the same address keeps its entry until the
// answer replaces it (or removes it: the page is not watched any more).
async function analyzePage(args, sender) {
  if (typeof args.html !== 'string' || args.html.length > PAGE_HTML_LIMIT) return bad('html must be a string under 8 MiB');
  await forgetTab(sender.tab.id, sender.url);
  const reply = await decidePage(args, sender);
  if (!reply.watched) await forgetTab(sender.tab.id);
  return reply;
}

async function decidePage(args, sender) {
  const url = sender.url;
  const settings = await getSettings();
  const pairing = await getPairing();
  if (new URL(url).origin === pairing.url) return { watched: false, reason: 'helper' };
  const decision = watchDecision(settings, url);
  if (decision === 'blocked' || decision === 'off') return { watched: false, reason: decision };
  if (decision === 'ask' && !args.looksLikeShop) return { watched: false, reason: 'no_hint' };
  const analysis = await helperFetch('POST', '/api/analyze', { url, html: args.html }, { timeoutMs: 20000 });
  if (analysis.error) {
    // A listed site keeps its button (which then says what is wrong); an unknown site stays untouched.
    if (decision !== 'listed') return { watched: false, reason: 'error', error: analysis.error };
    return { watched: true, reason: 'listed', error: analysis.error, strings: await language, settings: { chatAutoSnapshot: false } };
  }
  const watched = decision === 'listed' || !!analysis.is_shop;
  const tracked = analysis.tracked_order || null;
  if (watched) {
    await registerPage(sender.tab.id, { url, orderId: tracked ? tracked.id : null, kind: analysis.page_kind });
    if (decision === 'ask') await rememberDetectedHost(url);
  }
  return {
    watched,
    reason: decision,
    page_kind: analysis.page_kind,
    order: analysis.order || null,
    promise: analysis.promise || null,
    deadline: analysis.deadline || null,
    message_count: Array.isArray(analysis.messages) ? analysis.messages.length : 0,
    // A few message texts let the content script find the chat pane to watch.
    chat_sample: (Array.isArray(analysis.messages) ? analysis.messages : [])
      .map((m) => String((m && m.text) || '')).filter(Boolean).slice(-6),
    tracked_order: tracked,
    strings: await language,
    warning: tracked ? await warningForOrder(tracked.id) : null,
    settings: {
      chatAutoSnapshot: settings.chatAutoSnapshot, chatDebounceMs: settings.chatDebounceMs,
      chatPeriodicMinutes: settings.chatPeriodicMinutes,
    },
  };
}

async function capturePage(args, sender) {
  const page = await pageOfTab(sender.tab.id);
  const kind = typeof args.kind === 'string' ? args.kind : (page && page.kind) || 'other';
  const reply = await captureTab({
    tabId: sender.tab.id, url: sender.url, title: String(args.title || sender.tab.title || ''), kind,
    orderId: page ? page.orderId : null,
  });
  // The helper may have started tracking the order from this capture: banners for it go to this tab.
  if (page && !reply.error && reply.capture.order_id != null && page.orderId == null) {
    await linkTab(sender.tab.id, sender.url, reply.capture.order_id);
  }
  return reply;
}

async function chatPage(args, sender) {
  if (typeof args.threadHash !== 'string' || !args.threadHash) return bad('threadHash required');
  const page = await pageOfTab(sender.tab.id);
  return chatSnapshot({
    tabId: sender.tab.id, url: sender.url, title: String(args.title || ''), threadHash: args.threadHash,
    reason: args.reason === 'periodic' ? 'periodic' : 'changed', orderId: page ? page.orderId : null,
  });
}

async function openViewer(args) {
  const id = Number(args.captureId);
  if (!Number.isInteger(id) || id < 1 || typeof args.name !== 'string') return bad('captureId and name required');
  const q = new URLSearchParams({ capture: String(id), name: args.name });
  await chrome.tabs.create({ url: chrome.runtime.getURL(`extension/viewer.html?${q}`) });
  return { ok: true };
}

// The case page of the order this tab shows (the banner's link): a page can open no other order's case.
async function openCase(args, sender) {
  const page = await pageOfTab(sender.tab.id);
  if (!page || page.orderId == null) return { error: { code: 'not_found', message: 'this page belongs to no tracked order' } };
  await chrome.tabs.create({ url: chrome.runtime.getURL(`extension/case.html?order=${page.orderId}`), index: sender.tab.index + 1 });
  return { ok: true };
}

// ---- handlers for the extension's pages (popup, options, viewer) ----

async function savePairing(args) {
  const url = normaliseHelperUrl(args.url);
  if (!url) return { error: { code: 'bad_address', message: 'use http://127.0.0.1:PORT or http://localhost:PORT' } };
  let token = typeof args.token === 'string' ? args.token.trim() : '';
  if (!token && args.keepToken) token = (await getPairing()).token;
  await chrome.storage.local.set({ helper: { url, token } });
  return helperStatus();
}

async function recordAction(args) {
  const id = Number(args.orderId);
  if (!Number.isInteger(id) || id < 1 || typeof args.action !== 'string') return bad('orderId and action required');
  const body = { action: args.action };
  if (args.note) body.note = String(args.note);
  if (args.reference) body.reference = String(args.reference);
  const reply = await helperFetch('POST', `/api/orders/${id}/actions`, body);
  if (!reply.error) await refreshOrders();
  return reply;
}

async function captureActiveTab(args) {
  const tabId = Number(args.tabId);
  const page = Number.isInteger(tabId) ? await pageOfTab(tabId) : null;
  return captureTab({
    tabId: Number.isInteger(tabId) ? tabId : null, url: String(args.url || ''), title: String(args.title || ''), kind: args.kind || (page && page.kind) || 'other',
    orderId: page ? page.orderId : null,
  });
}

// Hosts the helper recognised as card shops, shown in the options page so the user can stop watching them.
async function rememberDetectedHost(url) {
  const { host } = hostOf(url);
  await updateStored('local', 'detectedHosts', (all) => {
    all[host] = Date.now();
    return Object.fromEntries(Object.entries(all).sort((a, b) => b[1] - a[1]).slice(0, 100));
  });
}

async function detectedHosts() {
  const { detectedHosts: all } = await chrome.storage.local.get('detectedHosts');
  const settings = await getSettings();
  return {
    hosts: Object.entries(all || {}).sort((a, b) => b[1] - a[1])
      .map(([host, at]) => ({ host, at: new Date(at).toISOString(), blocked: settings.blockHosts.includes(host) })),
  };
}

const PAGE = ['page'];
const EXT = ['extension'];
const HANDLERS = {
  'page.analyze': { from: PAGE, run: analyzePage },
  'page.capture': { from: PAGE, run: capturePage },
  'chat.snapshot': { from: PAGE, run: chatPage },
  'viewer.open': { from: [...PAGE, ...EXT], run: openViewer },
  'case.open': { from: PAGE, run: openCase },
  'page.risk': { from: PAGE, run: riskOfPage },
  'offer.snapshot': { from: PAGE, run: snapshotOffer },
  'helper.status': { from: EXT, run: helperStatus },
  'pairing.get': { from: EXT, run: async () => { const p = await getPairing(); return { url: p.url, paired: !!p.token }; } },
  'pairing.save': { from: EXT, run: savePairing },
  'settings.get': { from: EXT, run: async () => ({ settings: await getSettings() }) },
  'settings.save': { from: EXT, run: async (args) => ({ settings: await saveSettings(args.settings) }) },
  'sites.detected': { from: EXT, run: detectedHosts },
  'i18n.strings': { from: [...PAGE, ...EXT], run: async () => ({ strings: await language }) },
  'orders.list': { from: EXT, run: () => refreshOrders() },
  'orders.get': { from: EXT, run: (args) => helperFetch('GET', `/api/orders/${Number(args.id)}`) },
  'orders.action': { from: EXT, run: recordAction },
  'capture.tab': { from: EXT, run: captureActiveTab },
  'debugger.status': { from: EXT, run: async () => ({ granted: await hasDebugger() }) },
  'capture.last': { from: EXT, run: async () => ({ capture: (await chrome.storage.local.get('lastCapture')).lastCapture || null }) },
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const entry = msg && typeof msg.action === 'string' ? HANDLERS[msg.action] : null;
  if (!entry) {
    sendResponse({ error: { code: 'bad_request', message: `unknown action ${msg && msg.action}` } });
    return false;
  }
  const kind = senderKind(sender);
  if (!kind || !entry.from.includes(kind)) {
    sendResponse({ error: { code: 'forbidden_sender', message: `${msg.action} is not allowed from here` } });
    return false;
  }
  connectEvents().catch(() => {});
  language
    .then(() => entry.run(msg.args && typeof msg.args === 'object' ? msg.args : {}, sender))
    .then((result) => sendResponse(result || { ok: true }))
    .catch((e) => sendResponse({ error: { code: 'internal', message: String((e && e.message) || e) } }));
  return true;
});

async function ensureAlarm() {
  if (!(await chrome.alarms.get(TICK_ALARM))) chrome.alarms.create(TICK_ALARM, { periodInMinutes: 0.5 });
}

function wake() {
  ensureAlarm().catch(() => {});
  connectEvents().catch(() => {});
  updateBadge().catch(() => {});
}

chrome.runtime.onInstalled.addListener(wake);
chrome.runtime.onStartup.addListener(wake);
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name !== TICK_ALARM) return;
  connectEvents().catch(() => {});
  refreshOrders().catch(() => {});
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.settings) language = loadLanguage().catch(() => null);
  if (area === 'local' && changes.helper) {
    disconnectEvents();
    connectEvents().catch(() => {});
    refreshOrders().catch(() => {});
  }
});
chrome.tabs.onRemoved.addListener((tabId) => { forgetTab(tabId).catch(() => {}); });
chrome.notifications.onClicked.addListener((id) => { onNotificationClicked(id).catch(() => {}); });
wake();
