// Content script entry: ask the helper (through the service worker) what this page is; on a watched card
// shop page show the capture button, watch the chat pane, and show the overdue banner for its order.
'use strict';

(function main() {
  if (window.top !== window || globalThis.__orderWitnessStarted) return;
  globalThis.__orderWitnessStarted = true;

  // Cheap local hint before any HTML leaves the page for the (local) helper: card-shop vocabulary.
  const SHOP_HINT = /订单|卡密|发卡|卡盟|自动发货|发货|客服|商品|下单|充值|点券|工单|ICP/;
  const HTML_LIMIT = 6 * 1024 * 1024;
  let ui = null;
  let page = null;
  let watcher = null;
  let analysed = null; // the address the current analysis is for
  let orderTimer = null;
  // Visible only in this isolated world (the end-to-end tests read it; the page's scripts cannot).
  globalThis.__orderWitnessState = 'pending';

  function pageHtml() {
    const html = document.documentElement.outerHTML;
    return html.length > HTML_LIMIT ? html.slice(0, HTML_LIMIT) : html;
  }

  function ensureUi() {
    if (ui) return ui;
    ui = new PageUi({
      onCapture: captureNow,
      onOpenImage: (c) => sendMessage('viewer.open', { captureId: c.id, name: c.image }),
      onOpenCase: () => sendMessage('case.open', {}),
    });
    ui.mount();
    // For the end-to-end tests only: the isolated world is not visible to the page's own scripts.
    globalThis.__orderWitness = { ui, page: () => page };
    return ui;
  }

  async function captureNow() {
    ui.showBusy();
    const reply = await sendMessage('page.capture', {
      title: document.title, kind: page && page.page_kind,
    }, { timeoutMs: 120000 });
    if (!reply.error && reply.capture.order_id != null && !page.tracked_order) page.tracked_order = { id: reply.capture.order_id };
    ui.showResult(reply);
    // The helper may have just started tracking this order: show its deadline now, not after a reload.
    if (!reply.error && reply.order && reply.order.deadline) {
      page.tracked_order = { ...(page.tracked_order || {}), id: reply.order.id, deadline: reply.order.deadline };
      showDeadline();
    }
  }

  function chatStateText(reply) {
    if (reply.error) return `${t('chatAuto')} · ${errorText(reply.error)}`;
    if (reply.skipped === 'unchanged') return `${t('chatAuto')} · ${t('chatUnchanged')}`;
    if (reply.skipped) return `${t('chatAuto')} · ${t('chatOff')}`;
    const c = reply.capture;
    return `${t('chatAuto')} · ${t('chatSaved', [formatTime(c.captured_at).slice(11)])}`;
  }

  function startChat(info) {
    const s = info.settings || {};
    if (!s.chatAutoSnapshot) return;
    const isChatPage = info.page_kind === 'chat';
    if (!isChatPage && !(info.chat_sample && info.chat_sample.length)) return;
    const w = new ChatWatcher({
      samples: info.chat_sample,
      isChatPage,
      debounceMs: s.chatDebounceMs,
      periodicMinutes: s.chatPeriodicMinutes,
      snapshot: (hash, reason) => sendMessage('chat.snapshot', { threadHash: hash, reason, title: document.title }, { timeoutMs: 120000 }),
      onState: (reply) => ensureUi().setChatState(chatStateText(reply)),
    });
    if (w.start()) {
      watcher = w;
      ensureUi().setChatState(`${t('chatAuto')} · ${t('chatWatching')}`);
      globalThis.__orderWitnessChat = w;
    }
  }

  chrome.runtime.onMessage.addListener((msg, sender) => {
    // Only the service worker (no tab) of this extension speaks to the page UI.
    if (sender.id !== chrome.runtime.id || sender.tab || !msg) return;
    if (msg.type === 'helper.back') {
      if (/^unwatched:helper_(not_running|timeout)$/.test(globalThis.__orderWitnessState)) {
        reset();
        start();
      }
      return;
    }
    if (msg.type === 'order.tracked') {
      if (page && !page.tracked_order) relink();
      return;
    }
    if (msg.type !== 'warning' || !page) return;
    const w = msg.warning;
    const mine = (page.tracked_order && page.tracked_order.id === w.orderId) || (w.url && w.url.split('#')[0] === location.href.split('#')[0]);
    if (!mine) return;
    ensureUi().showWarning(w);
    if (w.deadline) {
      page.tracked_order = { ...(page.tracked_order || {}), id: w.orderId, deadline: w.deadline };
      showDeadline();
    }
  });

  // The shop started tracking an order: ask again which order this page belongs to, keeping the UI and the
  // chat watcher as they are (the service worker links the tab to the order, for the banner and the stamp).
  async function relink() {
    const at = location.href.split('#')[0];
    const reply = await sendMessage('page.analyze', {
      html: pageHtml(), title: document.title, looksLikeShop: true,
    }, { timeoutMs: 30000 });
    if (at !== location.href.split('#')[0] || !page || !reply.watched || !reply.tracked_order) return;
    page.tracked_order = reply.tracked_order;
    if (reply.warning) ensureUi().showWarning(reply.warning);
    showDeadline();
  }

  // The deadline chip, refreshed every 5 s (and at once when a warning arrives).
  function showDeadline() {
    ui.setOrderState(page.tracked_order);
    clearInterval(orderTimer);
    orderTimer = setInterval(() => {
      if (!ui || !page) return;
      ui.setOrderState(page.tracked_order);
      ui.refreshWarning();
    }, 5000);
  }

  // Single-page shops change the address without loading a page: start over for the new address.
  function reset() {
    if (watcher) watcher.stop();
    watcher = null;
    clearInterval(orderTimer);
    if (ui) ui.unmount();
    ui = null;
    page = null;
    stopRiskCheck();
    globalThis.__orderWitnessState = 'pending';
  }

  async function start() {
    analysed = location.href.split('#')[0];
    const text = (document.body && document.body.innerText) || '';
    // The pre-payment risk card runs beside the analysis (risk_card.js), so it is not held up by it.
    startRiskCheck({ html: pageHtml, hint: (s) => SHOP_HINT.test(s.slice(0, 200000)) });
    const reply = await sendMessage('page.analyze', {
      html: pageHtml(), title: document.title, looksLikeShop: SHOP_HINT.test(text.slice(0, 200000)),
    }, { timeoutMs: 30000 });
    if (analysed !== location.href.split('#')[0]) return; // the address changed meanwhile
    if (!reply.watched) {
      globalThis.__orderWitnessState = reply.error ? `unwatched:${reply.error.code}` : `unwatched:${reply.reason}`;
      return;
    }
    page = reply;
    globalThis.__orderWitnessState = 'watched';
    setStrings(reply.strings);
    const u = ensureUi();
    if (reply.error) u.showError(reply.error);
    if (reply.warning) u.showWarning(reply.warning);
    if (reply.tracked_order) showDeadline();
    startChat(reply);
  }

  start();
  setInterval(() => {
    if (analysed !== null && analysed !== location.href.split('#')[0] && document.visibilityState === 'visible') {
      reset();
      start();
    }
  }, 1000);
})();
