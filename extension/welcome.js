// First-run page of the evidence browser (and the extension's install page elsewhere): what the tool is,
// pinning the icon, logging in to the shop in this window, how capture works, where the case pages are.
'use strict';

async function init() {
  await loadStrings();
  applyI18n();
  document.title = t('welTitle');
  const pill = document.getElementById('helper-status');
  const st = await sendMessage('helper.status', {});
  pill.textContent = st.error ? errorText(st.error) : t('statusRunning');
  pill.classList.add(st.error ? 'bad' : 'ok');
  const reply = await sendMessage('orders.list', {});
  const box = document.getElementById('orders');
  for (const o of (reply.orders || []).slice(0, 5)) {
    const a = el('a', null, `${o.order_no} · ${o.product || o.shop_name || o.shop_host || ''}`);
    a.href = caseUrl('case', o.id);
    box.append(a);
  }
  document.body.dataset.ready = '1';
}

init();
