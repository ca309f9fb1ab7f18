// The helper's event stream (WS /api/events). The MV3 service worker is suspended when idle, so the socket
// is (re)opened on start-up, on install, on every alarm (30 s) and on every message; `lastSeq` in
// chrome.storage.local makes the helper replay what was missed while the socket was closed.
//
// Live pushing starts before the replay, so events can arrive out of order: `lastSeq` is a watermark (every
// event up to it was handled) and `seenAbove` holds handled events beyond it; both drop repeats.
/* exported connectEvents, eventsStatus, disconnectEvents */
'use strict';

const WS_PING_MS = 20000; // a message every 20 s keeps the worker alive while the helper is up
// First connection to a helper (or its data was replaced): the whole chain is replayed once, and only the
// warnings of the last 10 minutes are shown (e.g. those the helper fired at its start, just before the
// browser connected); older history is in the popup, not in a flood of notifications.
const CATCH_UP_RECENT_MS = 10 * 60 * 1000;
let socket = null;
let socketInfo = { state: 'closed', since: null, head: null, error: null };
let queue = Promise.resolve();
// One connection at a time: every message to the worker asks for the stream, often several at once (a page's
// analysis and risk check, the popup's status and orders, the worker's own start-up), and each opened a socket
// of its own; the extras were never closed and handled every event again. Concurrent callers share the
// connection being opened; disconnectEvents (a new pairing) drops one opened for the pairing before.
let connecting = null;
let generation = 0;
// A connection failed since the last successful one (kept in session storage: the worker may be suspended
// between the failure and the helper coming back).
function markHelperDown() {
  chrome.storage.session.set({ helperDown: true }).catch(() => {});
}

function eventsStatus() {
  return { ...socketInfo, open: !!socket && socket.readyState === WebSocket.OPEN };
}

function disconnectEvents() {
  generation += 1;
  connecting = null;
  if (socket) {
    const s = socket;
    socket = null;
    clearInterval(s.pingTimer);
    try { s.close(1000, 'reconnect'); } catch (e) { /* already closed */ }
  }
  socketInfo = { ...socketInfo, state: 'closed' };
}

async function readCursor(pairingId) {
  const { eventCursor } = await chrome.storage.local.get('eventCursor');
  if (!eventCursor || eventCursor.pairing !== pairingId) return { pairing: pairingId, lastSeq: null, seenAbove: [] };
  return eventCursor;
}

function connectEvents() {
  if (socket && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)) return Promise.resolve();
  if (!connecting) {
    const opening = openEvents(generation).finally(() => { if (connecting === opening) connecting = null; });
    connecting = opening;
  }
  return connecting;
}

async function openEvents(gen) {
  const pairing = await getPairing();
  if (gen !== generation) return;
  if (!pairing.token) {
    socketInfo = { state: 'closed', error: 'not_paired' };
    return;
  }
  // A new helper or token means a different chain: its sequence numbers start over.
  const pairingId = `${pairing.url}#${pairing.token.slice(0, 8)}`;
  const cursor = await readCursor(pairingId);
  if (gen !== generation) return; // disconnected meanwhile: the caller after it opens the new pairing's socket
  let ws;
  try {
    ws = new WebSocket(`${pairing.url.replace(/^http/, 'ws')}/api/events`);
  } catch (e) {
    socketInfo = { state: 'closed', error: 'helper_not_running' };
    markHelperDown();
    return;
  }
  socket = ws;
  socketInfo = { state: 'connecting', error: null };
  const catchUp = typeof cursor.lastSeq === 'number' ? null : { cutoff: Date.now() - CATCH_UP_RECENT_MS, head: null };
  ws.onopen = () => {
    const auth = { type: 'auth', token: pairing.token, since: catchUp ? 0 : cursor.lastSeq };
    ws.send(JSON.stringify(auth));
    ws.pingTimer = setInterval(() => { if (ws.readyState === WebSocket.OPEN) ws.send('ping'); }, WS_PING_MS);
  };
  ws.onmessage = (msg) => {
    if (typeof msg.data !== 'string' || msg.data === 'pong') return;
    let data;
    try { data = JSON.parse(msg.data); } catch (e) { return; }
    queue = queue.then(() => onSocketMessage(ws, pairingId, data, catchUp)).catch((e) => console.warn('event handling failed', e));
  };
  ws.onclose = (ev) => {
    clearInterval(ws.pingTimer);
    if (socket !== ws) return; // replaced by a newer socket
    socket = null;
    if (ev.code !== 4001) markHelperDown();
    socketInfo = { ...socketInfo, state: 'closed', error: ev.code === 4001 ? 'not_paired' : socketInfo.error || 'helper_not_running' };
  };
  ws.onerror = () => { if (socket === ws) socketInfo = { ...socketInfo, error: 'helper_not_running' }; };
}

// Pages opened while the helper was down could not be analysed; tell every tab it is back (tab ids need no
// permission; content scripts that were waiting analyse their page again, the others ignore it).
async function tellTabsHelperIsBack() {
  const tabs = await chrome.tabs.query({});
  await Promise.all(tabs.map((tab) => chrome.tabs.sendMessage(tab.id, { type: 'helper.back' }).catch(() => {})));
}

async function onSocketMessage(ws, pairingId, data, catchUp) {
  if (data.type === 'ready') {
    const cursor = await readCursor(pairingId);
    if (catchUp) {
      catchUp.head = data.head;
      await chrome.storage.local.set({ eventCursor: { pairing: pairingId, lastSeq: 0, seenAbove: [] } });
    } else if (data.head < cursor.lastSeq) {
      // The helper's data was replaced (a new chain): forget the cursor and catch up from its start.
      await chrome.storage.local.remove('eventCursor');
      if (socket === ws) socket = null;
      clearInterval(ws.pingTimer);
      ws.close(1000, 'new chain');
      await connectEvents();
      return;
    }
    const { helperDown } = await chrome.storage.session.get('helperDown');
    if (helperDown) await chrome.storage.session.remove('helperDown');
    socketInfo = { state: 'open', head: data.head, error: null };
    refreshOrders().catch(() => {});
    if (helperDown) tellTabsHelperIsBack().catch(() => {});
    return;
  }
  if (data.type === 'error') {
    socketInfo = { ...socketInfo, error: (data.error && data.error.code) || 'not_paired' };
    return;
  }
  if (data.type !== 'event' || !data.event || typeof data.event.seq !== 'number') return;
  const event = data.event;
  const cursor = await readCursor(pairingId);
  if (typeof cursor.lastSeq === 'number' && event.seq <= cursor.lastSeq) return;
  if (cursor.seenAbove.includes(event.seq)) return;
  const old = catchUp && catchUp.head != null && event.seq <= catchUp.head;
  const recentWarning = SHOWN_TYPES.includes(event.type) && Date.parse(event.at) >= (catchUp ? catchUp.cutoff : 0);
  try {
    if (!old || recentWarning) await handleEvent(event);
  } finally {
    const seen = cursor.seenAbove.concat([event.seq]).sort((a, b) => a - b);
    let last = typeof cursor.lastSeq === 'number' ? cursor.lastSeq : event.seq - 1;
    while (seen.length && seen[0] <= last + 1) last = Math.max(last, seen.shift());
    await chrome.storage.local.set({ eventCursor: { pairing: pairingId, lastSeq: last, seenAbove: seen.slice(-500) } });
  }
}
