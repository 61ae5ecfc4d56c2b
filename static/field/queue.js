// The field app's storage and sync: the device token, the assigned
// consultations and the queue of interviews live in IndexedDB; each queued
// interview is sent to the field sync API with PUT, one at a time.
//
// An entry of the queue is {id, slug, title, state, reference, reason,
// errors, record, created, updated}. state is one of:
//   tablet   – kept on this tablet, to be sent
//   sending  – being sent (shown only, never stored: after a reload the
//              entry is on this tablet and sent again; PUT is idempotent)
//   sent     – accepted by the server: the answers are deleted from the
//              tablet and only the reference is kept
//   rejected – refused by the server (409, 410, 422, 403, 404) with its
//              reason; kept and exportable, never sent again by itself

const DB_NAME = 'budgetgrid-field';
const DB_VERSION = 1;

let dbPromise = null;

export function openDB() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
        if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', { keyPath: 'id' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbPromise;
}

// tx runs fn on a store and resolves with the request's result once the
// transaction has committed (so that what is acknowledged is written).
async function tx(store, mode, fn, durability = 'strict') {
  const db = await openDB();
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode, { durability });
    let result;
    const req = fn(t.objectStore(store));
    if (req) req.onsuccess = () => { result = req.result; };
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('IndexedDB transaction aborted'));
  });
}

export const getKV = (key) => tx('kv', 'readonly', (s) => s.get(key));
export const setKV = (key, value) => tx('kv', 'readwrite', (s) => s.put(value, key));
export const deleteKV = (key) => tx('kv', 'readwrite', (s) => s.delete(key));

export const getEntry = (id) => tx('queue', 'readonly', (s) => s.get(id));
// putEntry writes an entry; relaxed durability is only for writes that a
// crash may lose safely (a sent or rejected mark: sending again gets the
// same answer from the server).
export const putEntry = (entry, durability = 'strict') => tx('queue', 'readwrite', (s) => s.put({ ...entry, updated: new Date().toISOString() }), durability);
export async function entries() {
  const all = (await tx('queue', 'readonly', (s) => s.getAll())) || [];
  return all.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}

/**
 * settle marks entries left "sending" by a page that closed mid-send as on
 * this tablet again: nothing is in flight when the app starts.
 */
export async function settle() {
  for (const e of await entries()) if (e.state === 'sending') await putEntry({ ...e, state: 'tablet' });
}

export const UNSENT = ['tablet', 'sending', 'rejected'];

/** Entries whose answers the server has not accepted. */
export async function unsent() {
  return (await entries()).filter((e) => UNSENT.includes(e.state));
}

export function api(path) {
  return '/api/field/v1' + path;
}

/**
 * classify reads the server's answer to a PUT of interview `id`. Only a
 * 201 or 200 whose JSON body says created/duplicate for this very id, with
 * a reference, counts as sent: a Wi-Fi sign-in page answering 200 with
 * HTML does not. It returns {kind, reference, reason, errors} with kind
 * sent, rejected, unauthorized or retry.
 */
export function classify(status, contentType, text, id) {
  let body = null;
  if (/^application\/json/i.test(contentType || '')) {
    try { body = JSON.parse(text); } catch { body = null; }
  }
  const notOurs = { kind: 'retry', reason: `The answer (HTTP ${status}) did not come from the budgetgrid server; perhaps a Wi-Fi sign-in page. It will be sent again.` };
  if (status === 200 || status === 201) {
    if (body && (body.status === 'created' || body.status === 'duplicate') && body.response_id === id && typeof body.reference === 'string' && body.reference) {
      return { kind: 'sent', reference: body.reference };
    }
    return notOurs;
  }
  if (status === 401) {
    return { kind: 'unauthorized', reason: 'This device was revoked or is not enrolled. The interviews stay on this tablet: ask an administrator, then export them or enrol the device again.' };
  }
  if (!body || typeof body.status !== 'string') {
    if (status >= 500 || status === 429 || status === 408) return { kind: 'retry', reason: `The server could not take it now (HTTP ${status}). It will be sent again.` };
    return notOurs;
  }
  if ([409, 410, 422, 403, 404].includes(status)) {
    const errors = Array.isArray(body.errors) ? body.errors.map((e) => ({ field: String(e.field || ''), code: String(e.code || ''), message: String(e.message || '') })) : [];
    let reason = body.message || '';
    if (!reason && errors.length) reason = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ');
    const what = { 409: 'Conflict', 410: 'Erased', 422: 'Invalid', 403: 'Not assigned', 404: 'Unknown consultation' }[status];
    return { kind: 'rejected', reason: `${what} (HTTP ${status}): ${reason || body.status}`, errors, reference: body.reference || '' };
  }
  return { kind: 'retry', reason: `The server answered HTTP ${status}. It will be sent again.` };
}

/** sendOne PUTs one entry's record and classifies the answer. */
export async function sendOne(token, entry) {
  let res;
  try {
    res = await fetch(api(`/consultations/${encodeURIComponent(entry.slug)}/responses/${encodeURIComponent(entry.id)}`), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(entry.record),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    return { kind: 'retry', reason: 'No connection: it will be sent when the tablet is back online.', offline: true };
  }
  let text = '';
  try { text = await res.text(); } catch { text = ''; }
  return classify(res.status, res.headers.get('Content-Type'), text, entry.id);
}

/**
 * createSyncer sends every entry on this tablet, one at a time, on run()
 * and again after a failure with a growing delay (2 s doubling to 5 min).
 * onChange is called after each entry changes; onAuth(ok) after the server
 * accepts (true) or refuses (false) the token.
 */
export function createSyncer({ getToken, onChange, onAuth, onStatus }) {
  let running = false;
  let again = false;
  let timer = null;
  let delay = 0;
  let current = '';

  function schedule() {
    delay = delay ? Math.min(delay * 2, 300000) : 2000;
    clearTimeout(timer);
    timer = setTimeout(run, delay);
    if (onStatus) onStatus(`Will try again in ${Math.round(delay / 1000)} s.`);
  }

  async function pass() {
    const token = await getToken();
    if (!token) return;
    const todo = (await entries()).filter((e) => e.state === 'tablet' || e.state === 'sending').reverse();
    if (!todo.length) { delay = 0; return; }
    let retry = false;
    for (const e of todo) {
      current = e.id;
      onChange();
      const out = await sendOne(token, e);
      current = '';
      if (out.kind === 'sent') {
        // Accepted: the answers leave the tablet, the reference stays.
        await putEntry({ ...e, state: 'sent', reference: out.reference, reason: '', errors: [], record: null, sentAt: new Date().toISOString() }, 'relaxed');
        onAuth(true);
      } else if (out.kind === 'rejected') {
        await putEntry({ ...e, state: 'rejected', reason: out.reason, errors: out.errors, reference: out.reference || '' }, 'relaxed');
        onAuth(true);
      } else {
        await putEntry({ ...e, state: 'tablet', reason: out.reason }, 'relaxed');
        if (out.kind === 'unauthorized') {
          onAuth(false, out.reason);
          onChange();
          return; // no automatic retry: "Send now" tries again
        }
        retry = true;
        if (out.offline) { onChange(); break; }
      }
      onChange();
    }
    if (retry) schedule();
    else { delay = 0; if (onStatus) onStatus(''); }
  }

  async function run() {
    clearTimeout(timer);
    if (running) { again = true; return; }
    running = true;
    try {
      do { again = false; await pass(); } while (again);
    } finally {
      running = false;
    }
  }

  return { run, now: () => { delay = 0; return run(); }, sending: () => current };
}

/** exportText is every unsent record as one JSON document. */
export async function exportText() {
  const list = await unsent();
  return JSON.stringify({
    format: 'budgetgrid-field-queue',
    version: 1,
    exported_at: new Date().toISOString(),
    records: list.map((e) => ({ consultation: e.slug, response_id: e.id, state: e.state, reason: e.reason || '', errors: e.errors || [], record: e.record })),
  }, null, 2) + '\n';
}
