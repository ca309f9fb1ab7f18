// Which tabs show which watched page (chrome.storage.session, so it survives the worker being suspended).
// Content scripts register when the helper has told them what the page is; banners go to these tabs.
// This needs no "tabs" permission: the tab id comes from the message's sender.
/* exported registerPage, pagesForOrder, pageOfTab, forgetTab, pageKey */
'use strict';

function pageKey(url) {
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href;
  } catch (e) {
    return String(url || '');
  }
}

async function readPages() {
  const { pages } = await chrome.storage.session.get('pages');
  return pages && typeof pages === 'object' ? pages : {};
}

async function registerPage(tabId, entry) {
  const pages = await readPages();
  pages[String(tabId)] = { ...entry, url: pageKey(entry.url), at: Date.now() };
  await chrome.storage.session.set({ pages });
}

async function pageOfTab(tabId) {
  return (await readPages())[String(tabId)] || null;
}

async function forgetTab(tabId) {
  const pages = await readPages();
  if (pages[String(tabId)]) {
    delete pages[String(tabId)];
    await chrome.storage.session.set({ pages });
  }
}

// Tabs showing the order: the helper linked the page to the order, or the tab is at the order's URL.
async function pagesForOrder(order) {
  const pages = await readPages();
  const url = order && order.url ? pageKey(order.url) : null;
  return Object.entries(pages)
    .filter(([, p]) => (order && order.id != null && p.orderId === order.id) || (url && p.url === url))
    .map(([tabId, p]) => ({ tabId: Number(tabId), ...p }));
}
