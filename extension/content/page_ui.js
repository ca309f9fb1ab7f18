// The in-page UI: a small "保存证据 / Capture evidence" button (bottom right) and the overdue banner (top).
// It lives in a closed Shadow DOM on its own element, so the shop's CSS does not reach it and the shop's
// scripts cannot reach into it; clicks must be real user clicks (isTrusted).
/* exported PageUi */
'use strict';

const PAGE_UI_CSS = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
.dock { position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; display: flex; flex-direction: column;
  align-items: flex-end; gap: 6px; max-width: 300px; }
.dock.pos-bl { right: auto; left: 16px; align-items: flex-start; }
.dock.pos-mr { bottom: auto; top: 45%; }
.dock.pos-ml { bottom: auto; top: 45%; right: auto; left: 16px; align-items: flex-start; }
.panel { background: #fff; color: #1f2328; border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px;
  font-size: 12px; line-height: 1.5; box-shadow: 0 4px 14px rgba(0,0,0,.12); max-width: 300px; overflow-wrap: anywhere; }
.panel[hidden] { display: none; }
.panel.error { border-color: #cf222e; color: #a40e26; background: #fff5f5; }
.panel .hash { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; }
.panel a { color: #0969da; cursor: pointer; text-decoration: underline; }
.panel { position: relative; padding-right: 24px; }
.panel .x { position: absolute; top: 2px; right: 4px; border: 0; background: transparent; color: #57606a; cursor: pointer;
  font-size: 15px; line-height: 1; padding: 2px; }
.chat { font-size: 11px; color: #57606a; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 12px; padding: 2px 8px; }
.chat[hidden] { display: none; }
.chat.overdue { color: #a40e26; background: #ffebe9; border-color: #ff8182; font-weight: 600; }
button.capture { display: flex; align-items: center; gap: 8px; border: 0; border-radius: 20px; padding: 8px 14px 8px 10px;
  background: #c42b1c; color: #fff; cursor: pointer; box-shadow: 0 3px 10px rgba(196,43,28,.35); font-size: 14px; }
button.capture:hover { background: #a82315; }
button.capture:disabled { background: #8c959f; cursor: progress; box-shadow: none; }
button.capture svg { width: 20px; height: 20px; border-radius: 50%; background: rgba(255,255,255,.18); flex: none; }
button.capture .label { display: flex; flex-direction: column; align-items: flex-start; line-height: 1.15; }
button.capture .sub { font-size: 10px; opacity: .85; }
button.capture .sub:empty { display: none; }
.banner { position: fixed; top: 0; left: 0; right: 0; z-index: 2147483647; background: #c42b1c; color: #fff;
  padding: 10px 44px 10px 16px; font-size: 14px; line-height: 1.5; box-shadow: 0 2px 10px rgba(0,0,0,.25); }
.banner.soon { background: #9a6700; }
.banner[hidden] { display: none; }
.banner strong { font-size: 15px; }
.banner .line { display: block; }
.banner a.case { color: #fff; font-weight: 600; text-decoration: underline; cursor: pointer; }
.banner .close { position: absolute; right: 10px; top: 8px; background: transparent; border: 0; color: #fff;
  font-size: 20px; cursor: pointer; line-height: 1; }
`;

class PageUi {
  constructor({ onCapture, onOpenImage, onOpenCase }) {
    this.onCapture = onCapture;
    this.onOpenImage = onOpenImage;
    this.onOpenCase = onOpenCase;
    this.host = document.createElement('order-witness-ui');
    this.host.setAttribute('style', 'all: initial !important; position: fixed !important; top: 0 !important; left: 0 !important; width: 0 !important; height: 0 !important; z-index: 2147483647 !important;');
    this.root = this.host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = PAGE_UI_CSS;
    this.root.appendChild(style);

    this.banner = this.el('div', 'banner');
    this.banner.hidden = true;
    this.banner.setAttribute('role', 'alert');
    this.bannerText = this.el('div', 'text');
    const close = this.el('button', 'close');
    close.textContent = '×';
    close.title = t('close');
    close.addEventListener('click', (ev) => { if (ev.isTrusted) this.banner.hidden = true; });
    // The order's case page (path, drafts, package): opened by the service worker, for this tab's order only.
    // Built once, outside the text that is redrawn every 5 s, so a click is never lost to a redraw.
    this.caseLink = this.el('a', 'case');
    this.caseLink.textContent = t('caseOpenFromBanner');
    this.caseLink.addEventListener('click', (ev) => { if (ev.isTrusted) this.onOpenCase(); });
    this.banner.append(this.bannerText, this.caseLink, close);

    this.dock = this.el('div', 'dock');
    this.status = this.el('div', 'panel');
    this.status.hidden = true;
    this.status.setAttribute('aria-live', 'polite');
    this.chat = this.el('div', 'chat');
    this.chat.hidden = true;
    this.order = this.el('div', 'chat order');
    this.order.hidden = true;
    this.button = this.el('button', 'capture');
    this.button.type = 'button';
    // Drawn inline: an <img> of the extension's icon would need web_accessible_resources (fingerprintable).
    const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    icon.setAttribute('viewBox', '0 0 20 20');
    icon.setAttribute('aria-hidden', 'true');
    const mark = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    mark.setAttribute('d', 'M4.5 10.5l3.5 3.5 7.5-8');
    mark.setAttribute('fill', 'none');
    mark.setAttribute('stroke', '#fff');
    mark.setAttribute('stroke-width', '2.4');
    mark.setAttribute('stroke-linecap', 'round');
    icon.appendChild(mark);
    const label = this.el('span', 'label');
    const main = this.el('span', 'main');
    main.textContent = t('btnCapture');
    const sub = this.el('span', 'sub');
    sub.textContent = subCaption('btnCapture', 'btnCaptureSub');
    label.append(main, sub);
    this.button.append(icon, label);
    this.button.title = t('btnCaptureTitle');
    this.button.addEventListener('click', (ev) => {
      if (!ev.isTrusted || this.button.disabled) return; // page scripts cannot press it
      this.onCapture();
    });
    this.dock.append(this.status, this.order, this.chat, this.button);
    this.root.append(this.banner, this.dock);
  }

  el(tag, cls) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    return e;
  }

  // Stay off the page's own controls: try corners until none of the points under the dock is a button,
  // link or input of the page (a chat's "send" button usually sits bottom right).
  // Once placed, the dock stays where it is while that spot is still free (a panel shown or hidden, a
  // snapshot taken): it moves only when the page now has a control under it.
  place() {
    const all = ['pos-br', 'pos-bl', 'pos-mr', 'pos-ml'];
    const spots = this.spot ? [this.spot, ...all.filter((s) => s !== this.spot)] : all;
    const size = this.dock.getBoundingClientRect();
    if (this.spot && (!size.width || !size.height)) return this.spot; // hidden (e.g. during a capture): nothing to test
    const interactive = 'button, a[href], input, textarea, select, [role="button"], [contenteditable=""], [contenteditable="true"]';
    for (const spot of spots) {
      this.dock.classList.remove(...spots);
      this.dock.classList.add(spot);
      const r = this.dock.getBoundingClientRect();
      const points = [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2],
        [r.right - 2, r.bottom - 2], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
      const blocked = points.some(([x, y]) => document.elementsFromPoint(x, y)
        .some((el) => el !== this.host && !this.host.contains(el) && el.closest(interactive)));
      if (!blocked) {
        this.spot = spot;
        return spot;
      }
    }
    const keep = this.spot || 'pos-br';
    this.dock.classList.remove(...spots);
    this.dock.classList.add(keep);
    return keep;
  }

  mount() {
    if (!this.host.isConnected) document.documentElement.appendChild(this.host);
    if (!this.placed) {
      this.placed = true;
      this.place();
      let timer = null;
      window.addEventListener('resize', () => { clearTimeout(timer); timer = setTimeout(() => this.place(), 300); });
    }
    // Some shops rebuild <body>/<html> content; put the element back if it is removed.
    if (!this.keeper) {
      this.keeper = new MutationObserver(() => { if (!this.host.isConnected) document.documentElement.appendChild(this.host); });
      this.keeper.observe(document.documentElement, { childList: true });
    }
  }

  unmount() {
    if (this.keeper) this.keeper.disconnect();
    this.host.remove();
  }

  showBusy() {
    this.button.disabled = true;
    this.setStatus([t('capturing')], false);
  }

  showResult(reply) {
    this.button.disabled = false;
    if (reply.error) {
      this.setStatus([t('captureFailed'), errorText(reply.error)], true);
      return;
    }
    const c = reply.capture;
    const notes = captureNotes(c);
    const lines = [t('captureDone', [formatTime(c.captured_at)]), ...notes];
    this.status.replaceChildren(this.closer());
    this.status.classList.toggle('error', (c.page_state || 'ok') !== 'ok' || !!c.changed_during_capture);
    this.status.hidden = false;
    for (const line of lines) this.status.append(this.line(line));
    const hash = this.line(`SHA-256 ${String(c.sha256 || '').slice(0, 16)}…`);
    hash.classList.add('hash');
    this.status.append(hash);
    if (c.image) {
      const link = document.createElement('a');
      link.textContent = t('viewImage');
      link.addEventListener('click', (ev) => { if (ev.isTrusted) this.onOpenImage(c); });
      this.status.append(link);
    }
  }

  showError(error) {
    this.setStatus([errorText(error)], true);
  }

  setStatus(lines, isError) {
    this.status.replaceChildren(this.closer(), ...lines.filter(Boolean).map((l) => this.line(l)));
    this.status.classList.toggle('error', !!isError);
    this.status.hidden = false;
  }

  // The panel's own × (re-added whenever the panel is refilled).
  closer() {
    const x = this.el('button', 'x');
    x.type = 'button';
    x.textContent = '×';
    x.title = t('close');
    x.addEventListener('click', (ev) => { if (ev.isTrusted) this.status.hidden = true; });
    return x;
  }

  line(text) {
    const d = document.createElement('div');
    d.textContent = text;
    return d;
  }

  setChatState(text) {
    const wasHidden = this.chat.hidden;
    this.chat.textContent = text || '';
    this.chat.hidden = !text;
    if (wasHidden !== this.chat.hidden) this.place();
  }

  // The tracked order's deadline on its own page: time left, or how long ago it passed.
  setOrderState(order) {
    const wasHidden = this.order.hidden;
    const resolved = order && order.escalation && order.escalation.stage === 'resolved'; // the buyer's word only
    if (!order || (!order.deadline && !resolved)) {
      this.order.hidden = true;
    } else {
      const now = Date.now();
      const deadline = Date.parse(order.deadline);
      const overdue = !resolved && deadline <= now;
      this.order.textContent = resolved ? t('orderResolved')
        : overdue ? t('overdueBy', [formatDuration((now - deadline) / 1000), formatTime(order.deadline)])
          : t('timeLeft', [formatDuration((deadline - now) / 1000), formatTime(order.deadline)]);
      const note = resolved ? '' : awaitingConfirmText(order);
      if (note) this.order.textContent += ` · ${note}`;
      this.order.classList.toggle('overdue', overdue);
      this.order.hidden = false;
    }
    if (wasHidden !== this.order.hidden) this.place();
  }

  // Keep the banner's "overdue by" current while it is shown.
  refreshWarning() {
    if (this.warning && !this.banner.hidden) this.showWarning(this.warning);
  }

  showWarning(warning) {
    this.warning = warning;
    const now = Date.now();
    // A "due soon" warning shown after the deadline has passed reads as overdue.
    const passed = warning.deadline && Date.parse(warning.deadline) <= now;
    const w = warning.type === 'order.due_soon' && passed ? { ...warning, type: 'order.overdue' } : warning;
    const order = [w.orderNo, w.product].filter(Boolean).join(' · ') || `#${w.orderId}`;
    const title = document.createElement('strong');
    const lines = [];
    if (w.type === 'order.due_soon') {
      title.textContent = t('warnDueSoonTitle', [order]);
      const left = w.deadline ? (Date.parse(w.deadline) - now) / 1000 : w.secondsLeft;
      lines.push(t('warnLeft', [formatDuration(left)]));
    } else {
      title.textContent = t(w.type === 'escalation.step_due' ? 'warnStepTitle' : 'warnOverdueTitle', [order]);
      const over = w.deadline ? (now - Date.parse(w.deadline)) / 1000 : w.overdueSeconds;
      lines.push(t('warnOverdueBy', [formatDuration(over)]));
    }
    lines.push(t('warnPromise', [w.promise || t('noPromise')]));
    if (w.nextStep) lines.push(t('warnNextStep', [localText(w.nextStep)]));
    this.bannerText.replaceChildren(title, ...lines.map((l) => {
      const s = document.createElement('span');
      s.className = 'line';
      s.textContent = l;
      return s;
    }));
    this.banner.classList.toggle('soon', w.type === 'order.due_soon');
    this.banner.hidden = false;
    this.mount();
  }
}
