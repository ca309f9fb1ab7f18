// The drafts view (drafts.html?order=ID[&channel=payment]): each channel's complaint draft from
// GET /api/orders/{id}/drafts/{channel}, field by field with a copy button each, the whole text, the
// 【请填写：…】 blanks highlighted, a live count for fields with a length limit, and where to file it.
'use strict';

const $ = (sel) => document.querySelector(sel);
const orderId = orderIdFromQuery();
const BLANK = /【请填写：[^】]*】/g;
let channel = new URLSearchParams(location.search).get('channel');
let draft = null;
let loads = 0; // loadDraft calls so far
const edited = {}; // label → text the buyer changed (limited fields are editable)

function chars(text) {
  return [...String(text)].length;
}

// Text with each blank wrapped in <mark class="blank">.
function highlighted(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of String(text).matchAll(BLANK)) {
    frag.append(String(text).slice(last, m.index), el('mark', 'blank', m[0]));
    last = m.index + m[0].length;
  }
  frag.append(String(text).slice(last));
  return frag;
}

function fieldText(label) {
  if (label in edited) return edited[label];
  const v = draft.fields[label];
  return Array.isArray(v) ? v.join('\n') : String(v);
}

// The whole draft with the buyer's edits put in place of the generated values.
function wholeText() {
  let text = draft.text;
  for (const [label, value] of Object.entries(edited)) {
    const original = draft.fields[label];
    if (typeof original === 'string') text = text.replace(`${label}：${original}`, `${label}：${value}`);
  }
  return text;
}

async function copy(text, button) {
  const ok = await copyText(text);
  const before = button.dataset.label || button.textContent;
  button.dataset.label = before;
  button.textContent = ok ? t('copied') : t('copyFailed');
  setTimeout(() => { button.textContent = before; }, 1500);
}

function counter(label, limit, textarea) {
  const box = el('div', 'counter');
  const update = () => {
    const n = chars(textarea.value);
    box.textContent = t('draftCount', [String(n), String(limit)]);
    box.classList.toggle('over', n > limit);
  };
  textarea.addEventListener('input', () => {
    edited[label] = textarea.value;
    update();
    $('#whole').replaceChildren(highlighted(wholeText()));
  });
  update();
  return box;
}

function renderFields() {
  const box = $('#fields');
  box.replaceChildren();
  for (const label of Object.keys(draft.fields)) {
    const row = el('div', 'field');
    row.dataset.label = label;
    row.append(el('div', 'label', label));
    const limit = (draft.limits || {})[label];
    const cell = el('div', 'value');
    if (limit) {
      const area = el('textarea');
      area.value = fieldText(label);
      cell.append(area, counter(label, limit, area));
    } else {
      cell.append(highlighted(fieldText(label)));
    }
    const b = el('button', 'copy', t('draftCopy'));
    b.type = 'button';
    b.addEventListener('click', () => copy(fieldText(label), b));
    row.append(cell, b);
    box.append(row);
  }
}

function renderWhere() {
  const list = $('#where');
  list.replaceChildren();
  for (const w of draft.where || []) {
    const li = el('li');
    const name = el('strong', null, w.name);
    li.append(name);
    if (w.url) {
      const a = el('a', null, w.url);
      a.href = w.url;
      a.target = '_blank';
      a.rel = 'noopener';
      li.append(' ', a);
    }
    li.append(el('span', 'path', localText(w)));
    list.append(li);
  }
}

// One fetch, one text: the view shows and copies the draft it fetched (a draft names the moment it was made).
// When the buyer picks another channel or claim before a reply arrives, only the latest choice's reply is shown.
async function loadDraft() {
  const mine = ++loads;
  const shown = channel;
  for (const b of document.querySelectorAll('#channels button')) b.setAttribute('aria-selected', String(b.dataset.channel === shown));
  const claim = $('#claim').value;
  const reply = await helperFetch('GET', `/api/orders/${orderId}/drafts/${encodeURIComponent(shown)}?claim=${claim}`);
  if (mine !== loads) return;
  if (reply.error) {
    $('#load-error').textContent = errorText(reply.error);
    $('#load-error').hidden = false;
    return;
  }
  draft = reply;
  for (const k of Object.keys(edited)) delete edited[k];
  $('#draft-title').textContent = reply.title;
  renderWhere();
  renderFields();
  $('#whole').replaceChildren(highlighted(wholeText()));
  document.body.dataset.channel = shown;
}

function renderChannels(list) {
  const nav = $('#channels');
  nav.replaceChildren();
  for (const c of list) {
    const b = el('button', c.suggested ? 'suggested' : '', c.suggested ? `${c.title} ★` : c.title);
    b.type = 'button';
    b.setAttribute('role', 'tab');
    b.dataset.channel = c.code;
    b.title = c.suggested ? t('draftSuggested') : '';
    b.addEventListener('click', () => { channel = c.code; loadDraft(); });
    nav.append(b);
  }
}

async function init() {
  await loadStrings();
  applyI18n();
  if (!orderId) {
    $('#load-error').textContent = t('caseNoOrder');
    $('#load-error').hidden = false;
    return;
  }
  $('#to-case').href = caseUrl('case', orderId);
  const c = await loadCase(orderId);
  if (c.error) {
    $('#load-error').textContent = errorText(c.error);
    $('#load-error').hidden = false;
    return;
  }
  const o = c.order;
  $('#title').textContent = `${t('draftTitle')} · ${o.order_no}`;
  $('#subtitle').textContent = [o.product, o.amount ? `¥${o.amount}` : '', o.shop_name || o.shop_host].filter(Boolean).join(' · ');
  document.title = `${t('draftTitle')} · ${o.order_no}`;
  renderChannels(c.channels);
  if (!c.channels.some((x) => x.code === channel)) channel = (c.channels.find((x) => x.suggested) || c.channels[0]).code;
  $('#claim').addEventListener('change', loadDraft);
  $('#copy-all').addEventListener('click', () => copy(wholeText(), $('#copy-all')));
  await loadDraft();
  $('#copy-all').disabled = false; // disabled in the markup: a click before the draft is shown would copy nothing
  document.body.dataset.ready = '1';
}

init();
