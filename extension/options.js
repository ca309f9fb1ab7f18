// Options: the helper's address and pairing token, which sites are watched, chat snapshot settings.
'use strict';

const $ = (sel) => document.querySelector(sel);
let settings = null;

// ok: true = 'ok', false = 'error', null = 'pending' (a question on its way).
function say(el, text, ok) {
  el.textContent = text;
  el.className = ok === null ? 'pending' : ok ? 'ok' : 'error';
}

function statusText(st) {
  if (st.error) return errorText(st.error);
  return t('pairOk', [st.url, st.version || '?']);
}

// Each click on 配对 is one attempt, answered in #pair-status: 检查助手… at once, then the answer. Only the latest
// attempt's answer is shown, and the start-up check never shows once the user has tried (it can finish after a
// quick user).
let attempts = 0;
// The stored address is filled in only into a box the user has not touched: written while they type (between
// selecting the box's text and inserting theirs), it was joined to what they typed.
let addressTouched = false;
['focus', 'pointerdown', 'input'].forEach((type) => $('#helper-url').addEventListener(type, () => { addressTouched = true; }));

async function loadPairing() {
  const p = await sendMessage('pairing.get', {});
  if (attempts) return;
  if (p.error) return say($('#pair-status'), errorText(p.error), false);
  if (!addressTouched && !$('#helper-url').value) $('#helper-url').value = p.url;
  $('#helper-token').placeholder = p.paired ? t('optTokenStored') : t('optTokenPlaceholder');
  const st = await sendMessage('helper.status', {});
  if (!attempts) say($('#pair-status'), statusText(st), !st.error);
}

// Runs on the click itself, before the page has its strings: what the user typed is read now, and the
// status says at once that the click was taken.
async function pair() {
  const attempt = ++attempts;
  const url = $('#helper-url').value;
  const token = $('#helper-token').value.trim();
  say($('#pair-status'), t('statusChecking'), null);
  await ready;
  let st;
  try {
    st = await sendPairing(url, token);
  } catch (e) {
    st = { error: { code: 'internal', message: String((e && e.message) || e) } };
  }
  if (attempt !== attempts) return;
  $('#helper-token').value = '';
  say($('#pair-status'), statusText(st), !st.error);
  if (!st.error) $('#helper-token').placeholder = t('optTokenStored');
}

async function sendPairing(url, token) {
  const args = { url };
  // An empty box keeps the stored token (it is never shown back).
  if (token) args.token = token;
  else {
    const current = await sendMessage('pairing.get', {});
    if (current.error) return current;
    if (!current.paired) return { error: { code: 'not_paired', message: '' } };
    args.keepToken = true;
  }
  return sendMessage('pairing.save', args);
}

function renderHosts(listEl, key) {
  listEl.replaceChildren();
  const hosts = settings[key];
  if (!hosts.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = t('optNoHosts');
    listEl.append(li);
  }
  for (const host of hosts) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = host;
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.textContent = t('optRemove');
    rm.addEventListener('click', () => saveSettings({ [key]: hosts.filter((h) => h !== host) }));
    li.append(name, rm);
    listEl.append(li);
  }
}

async function renderDetected() {
  const listEl = $('#detected-hosts');
  const reply = await sendMessage('sites.detected', {});
  listEl.replaceChildren();
  const hosts = reply.error ? [] : reply.hosts.filter((d) => !d.blocked);
  if (!hosts.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = t('optNoHosts');
    listEl.append(li);
  }
  for (const d of hosts) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = d.host;
    const stop = document.createElement('button');
    stop.type = 'button';
    stop.textContent = t('optStopWatching');
    stop.addEventListener('click', () => saveSettings({ blockHosts: settings.blockHosts.concat([d.host]) }));
    li.append(name, stop);
    listEl.append(li);
  }
}

function render() {
  $('#auto-detect').checked = settings.autoDetect;
  $('#chat-auto').checked = settings.chatAutoSnapshot;
  $('#chat-debounce').value = settings.chatDebounceMs / 1000;
  $('#chat-periodic').value = settings.chatPeriodicMinutes;
  $('#notify-due-soon').checked = settings.notifyDueSoon;
  $('#language').value = settings.language;
  renderHosts($('#watch-hosts'), 'watchHosts');
  renderHosts($('#block-hosts'), 'blockHosts');
  renderDetected();
}

async function saveSettings(patch) {
  const reply = await sendMessage('settings.save', { settings: { ...settings, ...patch } });
  if (reply.error) return say($('#settings-status'), errorText(reply.error), false);
  settings = reply.settings;
  render();
  say($('#settings-status'), t('saved'), true);
  return reply;
}

function addHost(inputSel, key) {
  const value = $(inputSel).value.trim();
  if (!value) return;
  $(inputSel).value = '';
  saveSettings({ [key]: settings[key].concat([value]) });
}

// Whether this browser lets the extension capture the buyer's own tab (the `debugger` permission).
async function showDebugger() {
  const st = await sendMessage('debugger.status', {});
  say($('#debugger-status'), st.granted ? t('debuggerGranted') : t('debuggerMissing'), !!st.granted);
}

// The page's strings and settings come from the service worker. The handlers are attached before the first
// await: a click on 配对 that comes before the worker answers is answered after (pair() waits for `ready`),
// never lost; the settings' controls stay disabled until they show the stored settings (options.html).
const ready = (async () => {
  await loadStrings();
  applyI18n();
  document.title = t('optionsTitle');
  const reply = await sendMessage('settings.get', {});
  if (reply.error) {
    say($('#settings-status'), errorText(reply.error), false);
    return;
  }
  settings = reply.settings;
  render();
  document.querySelectorAll('fieldset.settings').forEach((f) => { f.disabled = false; });
})();

$('#pair').addEventListener('click', pair);
$('#watch-add-btn').addEventListener('click', () => addHost('#watch-add', 'watchHosts'));
$('#block-add-btn').addEventListener('click', () => addHost('#block-add', 'blockHosts'));
$('#language').addEventListener('change', async () => {
  await saveSettings({ language: $('#language').value });
  location.reload();
});
$('#auto-detect').addEventListener('change', () => saveSettings({ autoDetect: $('#auto-detect').checked }));
$('#save-settings').addEventListener('click', () => saveSettings({
  chatAutoSnapshot: $('#chat-auto').checked,
  chatDebounceMs: Math.round(Number($('#chat-debounce').value) * 1000),
  chatPeriodicMinutes: Number($('#chat-periodic').value),
  notifyDueSoon: $('#notify-due-soon').checked,
}));
ready.then(async () => {
  await showDebugger();
  await loadPairing();
});
