// Which tabs show which watched page (chrome.storage.session, so it survives the worker being suspended).
// Content scripts register when the helper has told them what the page is; banners go to these tabs.
// This needs no "tabs" permission: the tab id comes from the message's sender.
/* exported registerPage, linkTab, pagesForOrder, pageOfTab, forgetTab, pageKey */
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

// Every change is a read-modify-write of the one stored table, one after another (sw/stored.js), so two tabs
// registering at once (an order page's capture reply and a chat tab relinked by the order.created event)
// never write back each other's stale copy. `change(pages)` edits in place; false means nothing changed.
function updatePages(change) {
  return updateStored('session', 'pages', change);
}

async function registerPage(tabId, entry) {
  await updatePages((pages) => {
    pages[String(tabId)] = { ...entry, url: pageKey(entry.url), at: Date.now() };
  });
}

// The tab's capture was linked to an order by the helper: the tab belongs to it, unless the tab has moved on
// (another address) or was linked meanwhile.
async function linkTab(tabId, url, orderId) {
  await updatePages((pages) => {
    const p = pages[String(tabId)];
    if (!p || p.url !== pageKey(url) || p.orderId != null) return false;
    pages[String(tabId)] = { ...p, orderId };
  });
}

async function pageOfTab(tabId) {
  return (await readStored('session', 'pages'))[String(tabId)] || null; // with the changes already asked for
}

// `keepUrl`: keep the entry when the tab is still at that address (a page analysed again keeps its order
// while the helper answers, so a capture clicked meanwhile still names it).
async function forgetTab(tabId, keepUrl = null) {
  await updatePages((pages) => {
    const p = pages[String(tabId)];
    if (!p || (keepUrl !== null && p.url === pageKey(keepUrl))) return false;
    delete pages[String(tabId)];
  });
}

// Tabs showing the order: the helper linked the page to the order, or the tab is at the order's URL.
async function pagesForOrder(order) {
  const pages = await readStored('session', 'pages');
  const url = order && order.url ? pageKey(order.url) : null;
  return Object.entries(pages)
    .filter(([, p]) => (order && order.id != null && p.orderId === order.id) || (url && p.url === url))
    .map(([tabId, p]) => ({ tabId: Number(tabId), ...p }));
}
