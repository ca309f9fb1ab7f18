// Capturing a tab through the helper (POST /api/captures) and the automatic chat snapshots' memory of
// which thread text was already captured.
/* exported captureTab, chatSnapshot, captureSummary */
'use strict';

const CAPTURE_TIMEOUT_MS = 90000;
const KINDS = ['order', 'chat', 'rules', 'payment', 'other'];
const inFlight = new Map(); // page URL → promise of the running capture (one at a time per page)

function captureSummary(capture) {
  const arts = (capture && capture.artifacts) || [];
  const image = arts.find((a) => a.media_type === 'image/png' && /stamp/.test(a.name))
    || arts.find((a) => (a.media_type || '').startsWith('image/'));
  const main = image || arts[0] || {};
  return {
    id: capture.id,
    kind: capture.kind,
    order_id: capture.order_id != null ? capture.order_id : null,
    captured_at: capture.captured_at,
    sha256: main.sha256 || capture.meta_sha256 || '',
    image: image ? image.name : null,
    artifacts: arts.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size, media_type: a.media_type })),
    message_count: capture.message_count != null ? capture.message_count : null,
    source: capture.source || null,
    page_state: capture.page_state || 'ok',
  };
}

function kindFor(pageKind) {
  return KINDS.includes(pageKind) ? pageKind : 'other';
}

// One capture of a tab. In the evidence browser (paired by `witness start`) the helper captures the tab it
// drives (POST /api/captures); in the buyer's everyday browser the extension relays the buyer's own tab.
// `trigger`: 'auto' for the chat watcher's snapshots (the helper rate-limits those), else 'manual'.
async function captureTab({ tabId, url, title, kind, orderId, trigger }) {
  if (!/^https?:\/\//.test(url || '')) return { error: { code: 'not_supported', message: 'only web pages can be captured' } };
  const key = pageKey(url);
  if (inFlight.has(key)) return inFlight.get(key);
  const run = (async () => {
    const pairing = await getPairing();
    const request = { tabId, url, title: title || '', kind: kindFor(kind), orderId, trigger: trigger || 'manual' };
    // Without a tab id (a direct call naming only an address) the helper opens the URL anew: source "url".
    const viaHelper = pairing.evidence || !Number.isInteger(tabId);
    const reply = viaHelper ? await helperFetch('POST', '/api/captures', {
      url, kind: kindFor(kind), order_id: orderId != null ? orderId : null, tab: { url, title: title || '' },
      trigger: request.trigger,
    }, { timeoutMs: CAPTURE_TIMEOUT_MS, retries: 3 }) : await captureBuyerTab(request);
    if (reply.error) return reply;
    if (!reply.capture) return { error: { code: 'bad_response', message: 'no capture in the answer' } };
    const summary = captureSummary(reply.capture);
    const after = reply.after_capture || {};
    summary.changed_during_capture = !!after.changed_during_capture;
    await chrome.storage.local.set({ lastCapture: { ...summary, url } });
    refreshOrders().catch(() => {});
    const o = reply.order;
    return { capture: summary, order: o ? { id: o.id, deadline: o.deadline, status: o.status } : null };
  })();
  inFlight.set(key, run);
  try {
    return await run;
  } finally {
    inFlight.delete(key);
  }
}

// An automatic chat snapshot: skipped when the thread's text hash is the one captured last time for this
// page (reason "changed"); a periodic snapshot is taken anyway, since it shows the silence goes on.
async function chatSnapshot({ tabId, url, title, threadHash, reason, orderId }) {
  const settings = await getSettings();
  if (!settings.chatAutoSnapshot) return { skipped: 'disabled' };
  const key = pageKey(url);
  const hashes = await readStored('local', 'chatHashes');
  if (reason !== 'periodic' && hashes[key] && hashes[key].hash === threadHash) return { skipped: 'unchanged' };
  const reply = await captureTab({ tabId, url, title, kind: 'chat', orderId, trigger: 'auto' });
  if (reply.error) return reply;
  // Two chat tabs snapshotting at once each keep their entry (sw/stored.js).
  await updateStored('local', 'chatHashes', (next) => {
    next[key] = { hash: threadHash, at: Date.now(), capture: reply.capture.id };
    const keys = Object.keys(next).sort((a, b) => next[b].at - next[a].at);
    for (const old of keys.slice(300)) delete next[old];
  });
  await updateStored('local', 'chatLog', (log) => (Array.isArray(log) ? log : []).concat([{
    at: new Date().toISOString(), url: key, reason, capture: reply.capture.id, messages: reply.capture.message_count,
  }]).slice(-200));
  return reply;
}
