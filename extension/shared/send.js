// The one way popup, options and content script talk to the service worker.
// sendMessage(action, args, {timeoutMs}) always resolves: the handler's result, or {error: {code, message}}.
/* exported sendMessage */
'use strict';

function sendMessage(action, args, opts) {
  const timeoutMs = (opts && opts.timeoutMs) || 15000;
  return new Promise((resolve) => {
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => finish({
      error: { code: 'timeout', message: `no answer to ${action} within ${timeoutMs} ms` },
    }), timeoutMs);
    try {
      chrome.runtime.sendMessage({ action, args: args || {} }, (reply) => {
        const err = chrome.runtime.lastError;
        if (err) return finish({ error: { code: 'extension_unavailable', message: err.message } });
        if (!reply || typeof reply !== 'object') {
          return finish({ error: { code: 'extension_unavailable', message: 'empty reply' } });
        }
        return finish(reply);
      });
    } catch (e) {
      // "Extension context invalidated" after the extension was reloaded under a live page.
      finish({ error: { code: 'extension_unavailable', message: String((e && e.message) || e) } });
    }
  });
}
