// User settings (chrome.storage.local key `settings`) and the rule that decides which pages are watched.
/* exported DEFAULT_SETTINGS, loadLanguage, getSettings, saveSettings, watchDecision, hostOf */
'use strict';

const DEFAULT_SETTINGS = {
  // Pages the helper recognises as card shops (analyze: is_shop) are watched unless their host is blocked;
  // hosts in `watchHosts` are watched whatever the helper says.
  autoDetect: true,
  watchHosts: [],
  blockHosts: [],
  chatAutoSnapshot: true,
  chatDebounceMs: 1500,
  chatPeriodicMinutes: 30, // 0 = off: a snapshot while a chat stays open proves the silence goes on
  notifyDueSoon: true,
  language: 'zh_CN', // 'zh_CN' | 'en' | 'auto' (the browser's language)
};
const LANGUAGES = ['zh_CN', 'en', 'auto'];

function cleanHostList(list) {
  if (!Array.isArray(list)) return [];
  const out = [];
  for (const item of list) {
    const host = String(item || '').trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    if (host && /^[a-z0-9.\-:[\]]+$/.test(host) && !out.includes(host)) out.push(host);
  }
  return out;
}

function cleanSettings(raw) {
  const s = { ...DEFAULT_SETTINGS, ...(raw && typeof raw === 'object' ? raw : {}) };
  return {
    autoDetect: s.autoDetect !== false,
    watchHosts: cleanHostList(s.watchHosts),
    blockHosts: cleanHostList(s.blockHosts),
    chatAutoSnapshot: s.chatAutoSnapshot !== false,
    chatDebounceMs: Math.min(30000, Math.max(300, Number(s.chatDebounceMs) || DEFAULT_SETTINGS.chatDebounceMs)),
    chatPeriodicMinutes: Math.min(1440, Math.max(0, Number(s.chatPeriodicMinutes) || 0)),
    notifyDueSoon: s.notifyDueSoon !== false,
    language: LANGUAGES.includes(s.language) ? s.language : DEFAULT_SETTINGS.language,
  };
}

async function getSettings() {
  const { settings } = await chrome.storage.local.get('settings');
  return cleanSettings(settings);
}

// Two settings changed at once (two switches flipped quickly on the options page) both stay.
function saveSettings(patch) {
  return updateStored('local', 'settings', (stored) => cleanSettings({ ...cleanSettings(stored), ...(patch || {}) }));
}

// Load the chosen language's messages for t() here and for the pages (i18n.strings).
async function loadLanguage() {
  const { language } = await getSettings();
  if (language === 'auto') {
    setStrings(null);
    return null;
  }
  const res = await fetch(chrome.runtime.getURL(`_locales/${language}/messages.json`));
  const strings = await res.json();
  setStrings(strings);
  return strings;
}

// "host:port" and "host" of a page URL.
function hostOf(url) {
  try {
    const u = new URL(url);
    return { host: u.host.toLowerCase(), hostname: u.hostname.toLowerCase() };
  } catch (e) {
    return { host: '', hostname: '' };
  }
}

function listHas(list, h) {
  return list.includes(h.host) || list.includes(h.hostname);
}

// 'blocked' | 'listed' | 'ask' (ask the helper; watched when it says is_shop) | 'off'.
function watchDecision(settings, url) {
  const h = hostOf(url);
  if (!h.host) return 'off';
  if (listHas(settings.blockHosts, h)) return 'blocked';
  if (listHas(settings.watchHosts, h)) return 'listed';
  return settings.autoDetect ? 'ask' : 'off';
}
