// Shows one stored evidence image. The file needs the token, so it is fetched here (an extension page) and
// shown through a blob: URL; its SHA-256 is recomputed and compared with the helper's record.
'use strict';

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function init() {
  await loadStrings();
  applyI18n();
  const q = new URLSearchParams(location.search);
  const id = q.get('capture');
  const name = q.get('name');
  document.getElementById('what').textContent = `#${id} · ${name}`;
  const check = document.getElementById('check');
  showNotes(id);
  const reply = await helperFile(id, name);
  if (reply.error) {
    check.className = 'error';
    check.textContent = errorText(reply.error);
    return;
  }
  const recorded = reply.response.headers.get('X-SHA256') || '';
  const actual = await sha256Hex(reply.blob);
  document.getElementById('hash').textContent = `SHA-256 ${actual}`;
  const same = recorded && recorded === actual;
  check.className = same ? 'ok' : 'error';
  check.textContent = same ? t('viewerHashOk') : t('viewerHashBad', [recorded || '—']);
  const img = document.getElementById('image');
  img.src = URL.createObjectURL(reply.blob);
  img.hidden = false;
}

// Where the capture came from and what the page was (source, page state, changed while captured).
async function showNotes(id) {
  const reply = await helperFetch('GET', `/api/captures/${encodeURIComponent(id)}`);
  if (reply.error || !reply.capture) return;
  const c = reply.capture;
  const notes = captureNotes({
    source: c.source, page_state: c.page_state,
    changed_during_capture: !!(c.meta && c.meta.page && c.meta.page.changed_during_capture),
  });
  document.getElementById('notes').replaceChildren(...notes.map((text) => {
    const d = document.createElement('div');
    d.textContent = text;
    return d;
  }));
}

init();
