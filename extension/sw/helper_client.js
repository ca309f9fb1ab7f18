// The one client for the helper's HTTP API (PROTOCOL.md). Every call has a timeout and resolves to the
// answer's JSON or {error: {code, message}}; it never throws.
/* exported DEFAULT_HELPER_URL, normaliseHelperUrl, getPairing, helperFetch, helperFile */
'use strict';

const DEFAULT_HELPER_URL = 'http://127.0.0.1:17365';
const DEFAULT_TIMEOUT_MS = 10000;

// Only the local helper is reachable (host_permissions): http://127.0.0.1:PORT or http://localhost:PORT.
function normaliseHelperUrl(value) {
  let url;
  try {
    url = new URL(String(value || '').trim());
  } catch (e) {
    return null;
  }
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(url.hostname)) return null;
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return null;
  return `http://${url.hostname}:${url.port || '80'}`;
}

async function getPairing() {
  const { helper } = await chrome.storage.local.get('helper');
  const url = normaliseHelperUrl(helper && helper.url) || DEFAULT_HELPER_URL;
  const token = helper && typeof helper.token === 'string' ? helper.token.trim() : '';
  // `evidence`: paired by `witness start` in the evidence browser, whose tabs the helper drives itself.
  return { url, token, evidence: !!(helper && helper.evidence === true) };
}

function fail(code, message, extra) {
  return { error: { code, message, ...(extra || {}) } };
}

async function helperRequest(method, path, body, opts) {
  const o = opts || {};
  const pairing = o.pairing || await getPairing();
  if (o.auth !== false && !pairing.token) {
    return fail('not_paired', 'no token stored; pair in the options page or start the evidence browser');
  }
  const headers = {};
  if (o.auth !== false) headers.Authorization = `Bearer ${pairing.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), o.timeoutMs || DEFAULT_TIMEOUT_MS);
  try {
    let res;
    try {
      res = await fetch(pairing.url + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctl.signal, cache: 'no-store', credentials: 'omit', redirect: 'error',
      });
    } catch (e) {
      if (ctl.signal.aborted) return fail('helper_timeout', `no answer from ${pairing.url} within ${o.timeoutMs || DEFAULT_TIMEOUT_MS} ms`);
      return fail('helper_not_running', `cannot reach ${pairing.url}`);
    }
    if (o.raw && res.ok) return { response: res, blob: await res.blob() };
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      if (ctl.signal.aborted) return fail('helper_timeout', 'the answer did not arrive in time');
      return fail(res.ok ? 'bad_response' : `http_${res.status}`, `HTTP ${res.status} without a JSON body`);
    }
    if (!res.ok) {
      const error = data && data.error && typeof data.error === 'object'
        ? { code: String(data.error.code || `http_${res.status}`), message: String(data.error.message || '') }
        : { code: `http_${res.status}`, message: `HTTP ${res.status}` };
      if (res.status === 429) error.retry_after = Number(res.headers.get('Retry-After')) || 1;
      return { error, status: res.status };
    }
    return data && typeof data === 'object' ? data : fail('bad_response', 'the answer is not a JSON object');
  } finally {
    clearTimeout(timer);
  }
}

// GET/POST with a retry when the helper says busy (429, Retry-After up to 10 s), up to `retries` times.
async function helperFetch(method, path, body, opts) {
  const retries = (opts && opts.retries) || 0;
  for (let attempt = 0; ; attempt += 1) {
    const reply = await helperRequest(method, path, body, opts);
    if (!reply.error || reply.error.code !== 'busy' || attempt >= retries) return reply;
    const wait = Math.min(10, reply.error.retry_after || 1);
    await new Promise((r) => setTimeout(r, wait * 1000));
  }
}

// A stored evidence file (needs the token, so extension pages show it through a blob: URL).
async function helperFile(captureId, name, opts) {
  const path = `/api/captures/${encodeURIComponent(captureId)}/files/${encodeURIComponent(name)}`;
  return helperRequest('GET', path, undefined, { ...(opts || {}), raw: true, timeoutMs: 30000 });
}
