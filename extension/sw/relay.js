// Capturing the buyer's own tab (PROTOCOL.md "Relay"): the helper drives the capture engine over CDP; this
// worker attaches chrome.debugger to that one tab for the capture's duration and relays the engine's CDP
// calls over a WebSocket to the helper. Only the worker holds the token; only commands the engine needs
// pass; the debugger is detached as soon as the capture ends (done, error, socket closed, timeout).
/* exported captureBuyerTab, hasDebugger, RELAY_METHODS */
'use strict';

const RELAY_TIMEOUT_MS = 150000;
const RELAY_METHODS = new Set([
  'Page.getFrameTree', 'Page.createIsolatedWorld', 'Page.getLayoutMetrics', 'Page.captureScreenshot',
  'Page.captureSnapshot', 'Runtime.evaluate', 'Network.enable', 'Network.disable', 'DOM.getDocument',
  'DOM.querySelectorAll', 'DOM.describeNode', 'DOM.pushNodesByBackendIdsToFrontend', 'DOM.setAttributeValue',
  'DOM.removeAttribute', 'DOM.disable', 'Target.getTargetInfo',
]);
const RELAY_EVENTS = new Set(['Network.responseReceived']);
const attachedTabs = new Set(); // one capture per tab at a time

async function hasDebugger() {
  try {
    return await chrome.permissions.contains({ permissions: ['debugger'] });
  } catch (e) {
    return false;
  }
}

function relayError(code, message) {
  return { error: { code, message } };
}

function browserInfo() {
  const ua = navigator.userAgentData;
  const brand = ua && ua.brands ? ua.brands.map((b) => `${b.brand} ${b.version}`).join(', ') : navigator.userAgent;
  return { name: brand.slice(0, 100), platform: (ua && ua.platform) || '' };
}

// Run one buyer's-tab capture; resolves to the helper's answer {capture, order, after_capture} or {error}.
async function captureBuyerTab({ tabId, url, title, kind, orderId, trigger }) {
  if (!Number.isInteger(tabId) || tabId < 0) return relayError('not_supported', 'no tab to capture');
  if (!(await hasDebugger())) return relayError('debugger_permission', 'the debugger permission is not granted');
  if (attachedTabs.has(tabId)) return relayError('busy', 'a capture of this tab is running');
  const ticket = await helperFetch('POST', '/api/relay', {
    kind, order_id: orderId != null ? orderId : null, tab: { url, title: title || '' }, trigger: trigger || 'manual',
  });
  if (ticket.error) return ticket;
  const pairing = await getPairing();
  attachedTabs.add(tabId);
  try {
    return await runRelay(`${pairing.url.replace(/^http/, 'ws')}${ticket.ws}`, tabId, {
      type: 'hello', token: pairing.token, ticket: ticket.ticket, secret: ticket.secret, browser: browserInfo(),
    });
  } finally {
    attachedTabs.delete(tabId);
  }
}

function runRelay(wsUrl, tabId, hello) {
  return new Promise((resolve) => {
    const debuggee = { tabId };
    let attached = false;
    let finished = false;
    const ws = new WebSocket(wsUrl);
    const send = (msg) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); };

    const onEvent = (source, method, params) => {
      if (source.tabId === tabId && !source.sessionId && RELAY_EVENTS.has(method)) send({ type: 'cdp_event', method, params });
    };
    const onDetach = (source, reason) => {
      if (source.tabId !== tabId || !attached) return;
      attached = false;
      send({ type: 'detached', reason });
    };
    async function detach() {
      chrome.debugger.onEvent.removeListener(onEvent);
      chrome.debugger.onDetach.removeListener(onDetach);
      if (!attached) return;
      attached = false;
      try { await chrome.debugger.detach(debuggee); } catch (e) { /* the tab is gone */ }
    }
    async function finish(value) {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      await detach();
      try { ws.close(); } catch (e) { /* closed already */ }
      resolve(value);
    }
    const timer = setTimeout(() => finish(relayError('timeout', 'the buyer-tab capture took too long')), RELAY_TIMEOUT_MS);

    async function attach() {
      try {
        await chrome.debugger.attach(debuggee, '1.3');
        attached = true;
        chrome.debugger.onEvent.addListener(onEvent);
        chrome.debugger.onDetach.addListener(onDetach);
        send({ type: 'attached' });
      } catch (e) {
        send({ type: 'attach_failed', message: String((e && e.message) || e) });
      }
    }

    async function command(msg) {
      if (!attached || !RELAY_METHODS.has(msg.method)) {
        send({ type: 'cdp_result', id: msg.id, error: attached ? `${msg.method} is not relayed` : 'not attached' });
        return;
      }
      try {
        const result = await chrome.debugger.sendCommand(debuggee, msg.method, msg.params || {});
        send({ type: 'cdp_result', id: msg.id, result: result || {} });
      } catch (e) {
        send({ type: 'cdp_result', id: msg.id, error: String((e && e.message) || e) });
      }
    }

    ws.onopen = () => send(hello);
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'attach') attach();
      else if (msg.type === 'cdp' && Number.isInteger(msg.id)) command(msg);
      else if (msg.type === 'detach') detach();
      else if (msg.type === 'done') finish(msg.result || relayError('bad_response', 'empty answer'));
      else if (msg.type === 'error') finish({ error: msg.error || { code: 'internal', message: '?' } });
    };
    ws.onclose = () => finish(relayError('helper_not_running', 'the relay closed before the capture finished'));
  });
}
