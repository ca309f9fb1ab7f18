// The pre-payment risk card's two page actions (issue 16): ask the helper for the risk check of a product or
// checkout page (POST /api/risk), and keep a snapshot of the offer as sold (POST /api/offers).
// Same watch rule as page.analyze: blocked or switched-off hosts are never sent; unknown hosts only with the
// content script's card-shop hint, and the card shows only where the helper says the page is a shop.
/* exported riskOfPage, snapshotOffer */
'use strict';

const RISK_HTML_LIMIT = 8 * 1024 * 1024;
const OFFER_REASONS = ['opened', 'pay', 'checkout'];

async function riskDecision(url, looksLikeShop) {
  const pairing = await getPairing();
  if (new URL(url).origin === pairing.url) return 'helper';
  const decision = watchDecision(await getSettings(), url);
  if (decision === 'ask' && !looksLikeShop) return 'no_hint';
  return decision;
}

async function riskOfPage(args, sender) {
  if (typeof args.html !== 'string' || args.html.length > RISK_HTML_LIMIT) {
    return { error: { code: 'bad_request', message: 'html must be a string under 8 MiB' } };
  }
  const decision = await riskDecision(sender.url, !!args.looksLikeShop);
  if (!['listed', 'ask'].includes(decision)) return { shown: false, reason: decision };
  const reply = await helperFetch('POST', '/api/risk', { url: sender.url, html: args.html }, { timeoutMs: 10000 });
  if (reply.error) return { shown: false, reason: 'error', error: reply.error };
  const shown = !!(reply.risk && reply.risk.applies) && (decision === 'listed' || !!reply.is_shop);
  return { shown, reason: decision, risk: shown ? reply.risk : null, strings: await language };
}

async function snapshotOffer(args, sender) {
  if (typeof args.html !== 'string' || args.html.length > RISK_HTML_LIMIT || !OFFER_REASONS.includes(args.reason)) {
    return { error: { code: 'bad_request', message: `html (under 8 MiB) and reason (${OFFER_REASONS.join(', ')}) required` } };
  }
  const decision = await riskDecision(sender.url, true);
  if (!['listed', 'ask'].includes(decision)) return { skipped: decision };
  return helperFetch('POST', '/api/offers', {
    url: sender.url, title: String(args.title || '').slice(0, 500), html: args.html, reason: args.reason,
  }, { timeoutMs: 30000 });
}
