// One stored table (an object in chrome.storage) changed by read-modify-write, one change after another: two
// handlers changing the same table at once (a tab registering while a chat tab is relinked, a warning's badge
// while the order list is refreshed) never write back each other's stale copy.
/* exported updateStored, readStored */
'use strict';

const storedQueues = {};

async function readStoredNow(area, key) {
  const value = (await chrome.storage[area].get(key))[key];
  return value && typeof value === 'object' ? value : {};
}

// `change(table)` edits the table in place, or returns the new value (false: nothing changed, nothing
// written); `after(value)` runs before the next change starts (what shows the table, so the last shown is
// the last written).
function updateStored(area, key, change, after = null) {
  const name = `${area}.${key}`;
  const run = (storedQueues[name] || Promise.resolve()).then(async () => {
    const table = await readStoredNow(area, key);
    const result = await change(table);
    if (result === false) return table;
    const value = result === undefined ? table : result;
    await chrome.storage[area].set({ [key]: value });
    if (after) await after(value);
    return value;
  });
  storedQueues[name] = run.catch(() => {});
  return run;
}

// The table once the changes already asked for are written.
async function readStored(area, key) {
  await storedQueues[`${area}.${key}`];
  return readStoredNow(area, key);
}
