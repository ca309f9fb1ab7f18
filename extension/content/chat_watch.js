// Automatic chat snapshots: watch the chat pane (MutationObserver, debounced); when its text changes ask
// the service worker for a chat capture (it skips a thread whose text hash was already captured); and,
// if configured, take a periodic snapshot while the chat stays open.
// Changes coalesce: a thread that never stops changing is still snapshotted at least every `maxWaitMs`, and
// when the helper answers `snapshot_limited` (its per-thread and overall limits) one snapshot of the latest
// state is taken after its Retry-After, however many changes come in between.
/* exported ChatWatcher, findChatPane, threadHash, threadText */
'use strict';

// cyrb53: a fast 53-bit string hash. Change detection only (the evidence itself is hashed with SHA-256 by
// the helper); crypto.subtle is missing on plain-http shops.
function threadHash(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

// Time labels in a thread change by themselves ("刚刚" → "3分钟前", a seeded "22:26" becomes "22:27", 今天 →
// 昨天); only a change of what was said should make a new snapshot. So times, dates and relative-time words
// are dropped, and whitespace (which differs between server-rendered and script-added messages).
const TIME_LABELS = new RegExp([
  '\\d{4}\\s*[-/年.]\\s*\\d{1,2}\\s*[-/月.]\\s*\\d{1,2}\\s*日?', '\\d{1,2}\\s*月\\s*\\d{1,2}\\s*日',
  '\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\.\\d+)?', '\\d+\\s*(?:秒|分钟|小时|天|周|个月)前', '刚刚',
  '今天', '昨天', '前天', '星期[一二三四五六日天]', '周[一二三四五六日天]', '凌晨', '早上', '上午', '中午', '下午', '晚上',
].join('|'), 'g');

function threadText(raw) {
  return String(raw || '').replace(TIME_LABELS, '').replace(/\s+/g, '');
}

function elementsWithText(text) {
  const needle = text.trim().slice(0, 40);
  const out = [];
  if (!needle || !document.body) return out;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeValue.includes(needle) && node.parentElement) out.push(node.parentElement);
  }
  return out;
}

function scrollsItself(el) {
  return /(auto|scroll)/.test(getComputedStyle(el).overflowY);
}

function commonAncestor(els) {
  let pane = els[0];
  for (const el of els.slice(1)) {
    while (pane && !pane.contains(el)) pane = pane.parentElement;
  }
  return pane && document.body.contains(pane) ? pane : document.body;
}

// The element holding the chat. Chats scroll inside their own pane, so the pane (overflow auto/scroll)
// that holds the most of the helper's sample messages wins; a conversation list elsewhere that repeats the
// last message does not widen it. Without such a pane: the nearest common ancestor of the last place each
// sample appears. Never wider than <body>; null when none of the texts is on the page.
function findChatPane(samples) {
  const hits = (samples || []).map(elementsWithText).filter((list) => list.length);
  if (!hits.length) return null;
  const score = new Map();
  hits.forEach((list) => {
    const panes = new Set();
    for (const el of list) {
      for (let a = el; a && a !== document.body; a = a.parentElement) if (scrollsItself(a)) panes.add(a);
    }
    panes.forEach((p) => score.set(p, (score.get(p) || 0) + 1));
  });
  let best = null;
  score.forEach((n, p) => {
    if (!best || n > best.n || (n === best.n && best.p.contains(p))) best = { p, n };
  });
  if (best && best.n >= Math.min(2, hits.length)) return best.p;
  const last = hits.map((list) => list[list.length - 1]);
  return last.length > 1 ? commonAncestor(last) : (last[0].parentElement || last[0]);
}

class ChatWatcher {
  constructor({ samples, isChatPage, debounceMs, periodicMinutes, snapshot, onState }) {
    this.samples = samples;
    this.isChatPage = isChatPage;
    this.debounceMs = debounceMs || 1500;
    this.periodicMs = (periodicMinutes || 0) * 60000;
    this.snapshot = snapshot; // (hash, reason) → Promise<reply>
    this.onState = onState;
    this.pane = null;
    this.timer = null;
    this.busy = false;
    this.lastHash = null;
    this.maxWaitMs = 20000;
    this.firstChange = 0; // when the oldest change not yet snapshotted happened
    this.retryTimer = null; // a snapshot the helper deferred (snapshot_limited)
  }

  locate() {
    this.pane = findChatPane(this.samples) || (this.isChatPage && document.body) || null;
    return this.pane;
  }

  text() {
    return threadText(this.pane.innerText || this.pane.textContent || '');
  }

  start() {
    if (!this.locate()) return false;
    this.observer = new MutationObserver(() => this.schedule());
    this.observer.observe(this.pane, { childList: true, subtree: true, characterData: true });
    if (this.periodicMs > 0) this.periodic = setInterval(() => this.run('periodic'), this.periodicMs);
    this.run('changed');
    return true;
  }

  stop() {
    this.stopped = true;
    if (this.observer) this.observer.disconnect();
    clearInterval(this.periodic);
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
  }

  // Every change seen so far has been checked, and no snapshot is running, queued or waiting for a retry.
  idle() {
    return !this.firstChange && !this.busy && !this.pending && !this.retryTimer;
  }

  schedule() {
    if (this.retryTimer) return; // the deferred snapshot will take the latest state
    const now = Date.now();
    if (!this.firstChange) this.firstChange = now;
    clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.debounceMs, this.firstChange + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.run('changed'), delay);
  }

  deferred(reply, reason) {
    const limited = reply && reply.error && reply.error.code === 'snapshot_limited';
    if (!limited || this.retryTimer || this.stopped) return limited;
    const waitMs = Math.max(1, Number(reply.error.retry_after) || 5) * 1000;
    clearTimeout(this.timer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.run(reason);
    }, waitMs);
    return true;
  }

  async run(reason) {
    if (this.stopped) return;
    if (!this.pane.isConnected) {
      this.observer.disconnect();
      if (!this.locate()) return;
      this.observer.observe(this.pane, { childList: true, subtree: true, characterData: true });
    }
    if (this.busy) {
      this.pending = this.pending === 'periodic' ? 'periodic' : reason;
      return;
    }
    const hash = threadHash(this.text());
    this.firstChange = 0;
    if (reason === 'changed' && hash === this.lastHash) return;
    this.busy = true;
    try {
      const reply = await this.snapshot(hash, reason);
      if (!reply.error) this.lastHash = hash;
      this.deferred(reply, reason);
      this.onState(reply);
    } finally {
      this.busy = false;
    }
    if (this.pending) {
      const next = this.pending;
      this.pending = null;
      this.run(next);
    }
  }
}
