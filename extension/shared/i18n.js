// Strings and formatting shared by every part of the extension (service worker, popup, options, content
// script). Classic script: it defines globals and is loaded by importScripts, <script> and content_scripts.
/* exported awaitingConfirmText, captureNotes, t, setStrings, loadStrings, uiLang, subCaption, applyI18n, errorText, formatDuration, formatTime, localText, storageWarningTitle, storageWarningText */
'use strict';

// The UI language is a setting (default Simplified Chinese; "auto" follows the browser through chrome.i18n,
// whose default_locale is zh_CN). When a language is chosen, its _locales/<lang>/messages.json is loaded by
// the service worker and handed to pages and content scripts (setStrings).
let STRINGS = null;

function setStrings(strings) {
  STRINGS = strings && typeof strings === 'object' ? strings : null;
}

function t(key, subs) {
  const list = subs == null ? [] : [].concat(subs);
  if (STRINGS && STRINGS[key]) {
    return STRINGS[key].message.replace(/\$(\d)/g, (_, n) => (list[n - 1] != null ? String(list[n - 1]) : ''));
  }
  return chrome.i18n.getMessage(key, list.map(String)) || key;
}

// The order's status says delivered/refunded (read from the shop's page) but the buyer has not confirmed it:
// the line asking them to (reminders go on until then); '' otherwise.
function awaitingConfirmText(order) {
  const code = order && order.escalation && order.escalation.awaiting_confirmation;
  return code === 'delivered' || code === 'refunded' ? t(`awaitingConfirm_${code}`) : '';
}

function uiLang() {
  return t('lang') === 'en' ? 'en' : 'zh';
}

// Extension pages: take the chosen language's strings from the service worker, then fill the page.
async function loadStrings() {
  const reply = await sendMessage('i18n.strings', {}, { timeoutMs: 5000 });
  if (!reply.error) setStrings(reply.strings);
  document.documentElement.lang = uiLang() === 'en' ? 'en' : 'zh-CN';
}

// A second-language caption ("保存证据" + "Capture evidence"); empty when the UI is already in that language.
function subCaption(mainKey, subKey) {
  const sub = t(subKey);
  return sub === t(mainKey) ? '' : sub;
}

// Fill elements marked data-i18n (text), data-i18n-placeholder and data-i18n-title.
function applyI18n(root) {
  (root || document).querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  (root || document).querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  });
  (root || document).querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = t(el.dataset.i18nTitle); });
}

// Plain words for a structured error {code, message}. Known codes have their own message; the helper's
// own message is kept as the detail.
const ERROR_KEYS = {
  helper_not_running: 'errHelperNotRunning',
  helper_timeout: 'errHelperTimeout',
  not_paired: 'errNotPaired',
  bad_origin: 'errBadOrigin',
  busy: 'errBusy',
  capture_failed: 'errCaptureFailed',
  capture_timeout: 'errCaptureFailed',
  bad_request: 'errBadRequest',
  not_found: 'errNotFound',
  timeout: 'errTimeout',
  extension_unavailable: 'errExtensionUnavailable',
  bad_address: 'errBadAddress',
  not_supported: 'errNotSupported',
  forbidden_sender: 'errForbiddenSender',
  debugger_permission: 'errDebuggerPermission',
  attach_failed: 'errAttachFailed',
};

// The capture's source and page state in plain words (panel, popup).
const SOURCE_KEYS = { buyer_tab: 'sourceBuyerTab', evidence_browser: 'sourceEvidenceBrowser', url: 'sourceUrl', tab: 'sourceEvidenceBrowser' };
const STATE_KEYS = { login_required: 'stateLoginRequired', loading: 'stateLoading', error: 'stateError' };

function captureNotes(capture) {
  const lines = [];
  if (capture.source && SOURCE_KEYS[capture.source]) lines.push(t(SOURCE_KEYS[capture.source]));
  if (capture.page_state && STATE_KEYS[capture.page_state]) lines.push(t(STATE_KEYS[capture.page_state]));
  if (capture.changed_during_capture) lines.push(t('changedDuringCapture'));
  return lines;
}

function errorText(error) {
  if (!error) return '';
  const key = ERROR_KEYS[error.code];
  const plain = key ? t(key) : t('errOther', [error.code || '?']);
  return key && !['bad_request', 'capture_failed', 'capture_timeout'].includes(error.code) ? plain
    : `${plain}${error.message ? ` (${error.message})` : ''}`;
}

// 3725 → "1小时2分" / "1 h 2 min"; under a minute → seconds.
function formatDuration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  const d = Math.floor(s / 86400); const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60); const sec = s % 60;
  const zh = uiLang() === 'zh';
  const parts = [];
  if (d) parts.push(zh ? `${d}天` : `${d} d`);
  if (h) parts.push(zh ? `${h}小时` : `${h} h`);
  if (m && !d) parts.push(zh ? `${m}分钟` : `${m} min`);
  if (!d && !h && (sec || !m)) parts.push(zh ? `${sec}秒` : `${sec} s`);
  return parts.join(zh ? '' : ' ');
}

// ISO time → local "2026-11-27 14:05:03" (China time, as the shops print it).
function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const china = new Date(date.getTime() + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${china.getUTCFullYear()}-${p(china.getUTCMonth() + 1)}-${p(china.getUTCDate())} `
    + `${p(china.getUTCHours())}:${p(china.getUTCMinutes())}:${p(china.getUTCSeconds())}`;
}

// {zh, en} objects from the helper (next steps, action labels) in the UI language.
function localText(obj) {
  if (!obj) return '';
  if (typeof obj === 'string') return obj;
  return (uiLang() === 'en' ? obj.en || obj.zh : obj.zh || obj.en) || '';
}

// The disk-budget warning (a `storage.warning` event, kept by the service worker) in the interface's language.
function storageWarningTitle(w) {
  return t(w.paused ? 'storagePausedTitle' : 'storageNearFullTitle');
}

function storageWarningText(w) {
  return t(w.paused ? 'storagePaused' : 'storageNearFull', [localText(w.text) || `${w.percent}%`]);
}
