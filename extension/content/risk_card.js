// The pre-payment risk card (issue 16): on a card shop's product or checkout page, the helper's risk check
// (level 低 / 中 / 高, each signal with the text or element it rests on), and a snapshot of the offer as sold:
// when the page is opened, again when the buyer presses a buy / pay button, and on the checkout page.
// Its own <order-witness-ui> element with a closed shadow root (hidden from captures like the button).
/* exported startRiskCheck, stopRiskCheck */
'use strict';

const RISK_CSS = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
.card { position: fixed; top: 12px; right: 12px; z-index: 2147483646; width: 340px; max-height: 70vh; overflow: auto;
  background: #fff; color: #1f2328; border: 1px solid #d0d7de; border-left: 5px solid #8c959f; border-radius: 8px;
  box-shadow: 0 6px 20px rgba(0,0,0,.16); font-size: 12px; line-height: 1.5; padding: 8px 28px 8px 10px; }
.card[hidden] { display: none; }
.card.low { border-left-color: #1a7f37; } .card.medium { border-left-color: #bf8700; } .card.high { border-left-color: #cf222e; }
.head { font-size: 14px; font-weight: 600; cursor: pointer; }
.level { display: inline-block; border-radius: 10px; padding: 0 8px; margin-left: 4px; color: #fff; background: #8c959f; }
.low .level { background: #1a7f37; } .medium .level { background: #bf8700; } .high .level { background: #cf222e; }
.note { color: #57606a; font-size: 11px; margin: 2px 0 6px; }
ul { list-style: none; margin: 0; padding: 0; }
li { margin: 5px 0; padding-left: 16px; position: relative; overflow-wrap: anywhere; }
li::before { position: absolute; left: 0; top: 0; }
li.strong::before { content: "▲"; color: #cf222e; } li.warn::before { content: "▲"; color: #bf8700; }
li.good::before { content: "✓"; color: #1a7f37; } li.info::before { content: "·"; color: #57606a; }
li.strong { font-weight: 600; }
.ev { display: block; color: #57606a; font-size: 11px; font-weight: 400; }
.ev q { color: #24292f; }
.more { color: #0969da; cursor: pointer; font-size: 11px; }
.goods[hidden] { display: none; }
.snap { margin-top: 6px; color: #57606a; font-size: 11px; border-top: 1px solid #eaeef2; padding-top: 4px; }
.snap:empty { display: none; }
.x { position: absolute; top: 4px; right: 6px; border: 0; background: transparent; color: #57606a; cursor: pointer;
  font-size: 16px; line-height: 1; padding: 2px; }
`;

class RiskCard {
  constructor() {
    this.host = document.createElement('order-witness-ui');
    this.host.setAttribute('style', 'all: initial !important; position: fixed !important; top: 0 !important; left: 0 !important; width: 0 !important; height: 0 !important; z-index: 2147483646 !important;');
    this.root = this.host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = RISK_CSS;
    this.card = this.el('section', 'card');
    this.card.hidden = true;
    this.card.setAttribute('role', 'note');
    this.root.append(style, this.card);
  }

  el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  mount() {
    if (!this.host.isConnected) document.documentElement.appendChild(this.host);
  }

  unmount() {
    this.host.remove();
  }

  local(s) {
    return uiLang() === 'en' ? s.en || s.zh : s.zh || s.en;
  }

  signalItem(s) {
    const li = this.el('li', s.tone, this.local(s));
    const ev = s.evidence;
    if (ev && (ev.text || ev.element)) {
      const line = this.el('span', 'ev');
      if (ev.text && !this.local(s).includes(ev.text)) {
        const q = this.el('q', null, ev.text.length > 90 ? `${ev.text.slice(0, 90)}…` : ev.text);
        line.append(t('riskEvidence'), q);
      }
      if (ev.element) line.append(` ${ev.element}`);
      li.append(line);
    }
    return li;
  }

  show(risk) {
    this.risk = risk;
    const levels = { low: t('riskLevelLow'), medium: t('riskLevelMedium'), high: t('riskLevelHigh') };
    const x = this.el('button', 'x', '×');
    x.type = 'button';
    x.title = t('close');
    x.addEventListener('click', (ev) => { if (ev.isTrusted) this.card.hidden = true; });
    const head = this.el('div', 'head', t('riskTitle'));
    head.append(this.el('span', 'level', levels[risk.level_code] || risk.level));
    const note = this.el('div', 'note', t('riskDisclaimer'));
    const bad = risk.signals.filter((s) => s.tone === 'strong' || s.tone === 'warn');
    const rest = risk.signals.filter((s) => s.tone !== 'strong' && s.tone !== 'warn');
    const list = this.el('ul', 'bad');
    list.append(...bad.map((s) => this.signalItem(s)));
    const goods = this.el('ul', 'goods');
    goods.append(...rest.map((s) => this.signalItem(s)));
    goods.hidden = bad.length > 0;
    const more = this.el('div', 'more', t('riskMore', [String(rest.length)]));
    more.hidden = !goods.hidden || !rest.length;
    more.addEventListener('click', (ev) => { if (ev.isTrusted) { goods.hidden = false; more.hidden = true; } });
    this.snap = this.snap || this.el('div', 'snap');
    this.card.replaceChildren(x, head, note, list, more, goods, this.snap);
    this.card.className = `card ${risk.level_code}`;
    this.card.hidden = false;
    this.mount();
  }

  setSnapshot(reply) {
    if (!this.snap || !reply) return;
    if (reply.error) {
      this.snap.textContent = t('riskSnapshotFailed', [errorText(reply.error)]);
      return;
    }
    if (!reply.snapshot) return;
    const s = reply.snapshot;
    const hash = String(s.sha256 || '').slice(0, 12);
    this.snap.textContent = t(s.reused ? 'riskSnapshotSame' : 'riskSnapshotSaved', [formatTime(s.captured_at), hash]);
  }
}

const BUY_WORDS = /购买|下单|支付|付款|结算|提交订单|buy|checkout|pay/i;
const riskState = { card: null, html: null, checks: 0, lastLength: -1, observer: null, timer: null, onClick: null, paidAt: -1e9 };

async function runRiskCheck(reason) {
  const html = riskState.html();
  const text = (document.body && document.body.innerText) || '';
  riskState.lastLength = text.length;
  riskState.checks += 1;
  const reply = await sendMessage('page.risk', { html, looksLikeShop: riskState.hint(text) }, { timeoutMs: 15000 });
  const info = globalThis.__orderWitnessRisk || {};
  globalThis.__orderWitnessRisk = { ...info, checks: riskState.checks, reason: reply.reason || null, shown: !!reply.shown };
  if (!reply.shown) return;
  if (reply.strings) setStrings(reply.strings);
  riskState.card = riskState.card || new RiskCard();
  riskState.card.show(reply.risk);
  const now = performance.now();
  globalThis.__orderWitnessRisk = {
    ...globalThis.__orderWitnessRisk, shownAt: info.shownAt || now, updatedAt: now, level: reply.risk.level,
    page: reply.risk.page, codes: reply.risk.signals.map((s) => s.code), card: riskState.card,
  };
  snapshot(reply.risk.page === 'checkout' ? 'checkout' : reason, html);
  if (reply.risk.page === 'product') watchBuyButtons();
}

async function snapshot(reason, html) {
  const reply = await sendMessage('offer.snapshot', { html, title: document.title, reason }, { timeoutMs: 30000 });
  if (riskState.card) riskState.card.setSnapshot(reply);
  const info = globalThis.__orderWitnessRisk || {};
  globalThis.__orderWitnessRisk = { ...info, snapshots: [...(info.snapshots || []), reply.snapshot || reply] };
}

// The moment the buyer goes to pay: a trusted click on a buy / pay button (or a form submit) on the product page.
function watchBuyButtons() {
  if (riskState.onClick) return;
  riskState.onClick = (ev) => {
    if (!ev.isTrusted) return;
    const el = ev.type === 'submit' ? ev.target
      : ev.target.closest && ev.target.closest('button, a, input[type=submit], input[type=button], [role=button], .btn, [lay-submit]');
    const label = el && (ev.type === 'submit' ? 'submit' : (el.innerText || el.value || '').trim());
    if (!label || label.length > 24 || (ev.type !== 'submit' && !BUY_WORDS.test(label))) return;
    // A click on a submit button is followed by the form's submit: one snapshot for the one moment.
    if (performance.now() - riskState.paidAt < 2000) return;
    riskState.paidAt = performance.now();
    snapshot('pay', riskState.html());
  };
  document.addEventListener('click', riskState.onClick, true);
  document.addEventListener('submit', riskState.onClick, true);
}

// Pages that render after an XHR: check again once the text has changed and stayed quiet for a moment.
function watchSettling() {
  if (!document.body || riskState.observer) return;
  riskState.observer = new MutationObserver(() => {
    clearTimeout(riskState.timer);
    riskState.timer = setTimeout(() => {
      const length = ((document.body && document.body.innerText) || '').length;
      if (riskState.checks >= 8 || Math.abs(length - riskState.lastLength) <= 10) return;
      runRiskCheck('opened');
    }, 80);
  });
  riskState.observer.observe(document.body, { childList: true, subtree: true, characterData: true });
}

function startRiskCheck({ html, hint }) {
  riskState.html = html;
  riskState.hint = hint;
  watchSettling();
  return runRiskCheck('opened');
}

function stopRiskCheck() {
  if (riskState.observer) riskState.observer.disconnect();
  clearTimeout(riskState.timer);
  if (riskState.onClick) {
    document.removeEventListener('click', riskState.onClick, true);
    document.removeEventListener('submit', riskState.onClick, true);
  }
  if (riskState.card) riskState.card.unmount();
  Object.assign(riskState, { card: null, checks: 0, lastLength: -1, observer: null, timer: null, onClick: null, paidAt: -1e9 });
  globalThis.__orderWitnessRisk = null;
}
