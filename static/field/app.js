// The field app at /field: enrol the tablet with its device token, keep
// the assigned consultations, run interviews offline and send them when
// there is a connection. Module URLs are content-hashed, so they come from
// data attributes on <body>.

const urls = document.body.dataset;
const [budget, Q, I] = await Promise.all([import(urls.budgetJs), import(urls.queueJs), import(urls.interviewJs)]);
const { h } = I;

const main = document.getElementById('main');
const banner = document.getElementById('banner');
const net = document.getElementById('net');

const state = { token: '', consultations: [], storage: '', syncNote: '', authProblem: '', interview: null, screen: 'home' };

function showBanner(text) {
  banner.textContent = text;
  banner.hidden = !text;
}

function showNet() {
  net.textContent = navigator.onLine ? 'Online' : 'Offline';
  net.className = 'f-header__net ' + (navigator.onLine ? 'is-online' : 'is-offline');
}

const syncer = Q.createSyncer({
  getToken: async () => state.token,
  onChange: () => scheduleHome(),
  onAuth: (ok, reason) => {
    state.authProblem = ok ? '' : reason;
    showBanner(state.authProblem);
  },
  onStatus: (text) => { state.syncNote = text; const el = document.getElementById('sync-note'); if (el) el.textContent = text; },
});

// The worker caches the shell; it controls /field, above its own folder.
let registration = null;

// applyUpdate lets a new version of the app, installed and waiting, take
// over, but only while no interview is in progress; the page then reloads
// into it.
function applyUpdate() {
  if (registration && registration.waiting && !state.interview) registration.waiting.postMessage('skip-waiting');
}

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return 'This browser cannot keep the app offline (no service workers).';
  try {
    let controlled = !!navigator.serviceWorker.controller;
    registration = await navigator.serviceWorker.register('/field/sw.js', { scope: '/field' });
    registration.addEventListener('updatefound', () => {
      const w = registration.installing;
      if (w) w.addEventListener('statechange', () => { if (w.state === 'installed') applyUpdate(); });
    });
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      // The first worker taking control is not an update.
      if (controlled && !state.interview) location.reload();
      controlled = true;
    });
    return '';
  } catch (e) {
    return 'The app could not be made available offline: ' + e.message;
  }
}

async function askPersistence() {
  if (!navigator.storage || !navigator.storage.persist) return 'This browser cannot promise to keep the queue (no persistent storage).';
  try {
    if (await navigator.storage.persisted()) return 'Storage: persistent.';
    return (await navigator.storage.persist()) ? 'Storage: persistent.' : 'Storage: persistent storage was refused; the browser may clear the queue when space runs low. Send or export often.';
  } catch {
    return 'Storage: persistent storage could not be requested.';
  }
}

/** fetchConsultations asks the server for the assigned consultations. */
async function fetchConsultations(token) {
  let res;
  try {
    res = await fetch(Q.api('/consultations'), { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit' });
  } catch {
    return { offline: true };
  }
  let body = null;
  if (/^application\/json/i.test(res.headers.get('Content-Type') || '')) {
    try { body = await res.json(); } catch { body = null; }
  }
  if (res.status === 401) return { unauthorized: true };
  if (res.status !== 200 || !body || !Array.isArray(body.consultations)) return { error: `The server answered HTTP ${res.status}.` };
  return { consultations: body.consultations };
}

async function refresh() {
  if (!state.token) return;
  const out = await fetchConsultations(state.token);
  if (out.unauthorized) {
    state.authProblem = 'This device was revoked or is not enrolled. The interviews stay on this tablet: ask an administrator, then export them or enrol the device again.';
    showBanner(state.authProblem);
  } else if (out.consultations) {
    state.consultations = out.consultations;
    await Q.setKV('consultations', out.consultations);
    await Q.setKV('fetchedAt', new Date().toISOString());
    state.authProblem = '';
    showBanner('');
  }
  if (state.screen === 'home') renderHome();
}

function renderEnrol(message) {
  state.screen = 'enrol';
  const input = h('input', { id: 'token', name: 'token', class: 'f-input', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'token-hint' });
  const err = h('p', { class: 'f-error', id: 'enrol-error', role: 'alert', hidden: !message, text: message || '' });
  const form = h('form', { id: 'enrol', novalidate: true },
    h('label', { class: 'f-label', for: 'token', text: 'Device token' }),
    h('p', { class: 'f-hint', id: 'token-hint', text: 'Type the token an administrator gave this tablet. It is checked with the server once and then kept on this tablet.' }),
    input,
    h('button', { type: 'submit', class: 'f-button', id: 'enrol-submit', text: 'Enrol this tablet' }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!token) { renderEnrol('Type the device token.'); return; }
    const out = await fetchConsultations(token);
    if (out.offline) { renderEnrol('There is no connection: the token must be checked with the server once. Try again with a connection.'); return; }
    if (out.unauthorized) { renderEnrol('The server does not know this token, or the device was revoked. Check it with an administrator.'); return; }
    if (out.error) { renderEnrol(out.error); return; }
    state.token = token;
    state.consultations = out.consultations;
    await Q.setKV('token', token);
    await Q.setKV('consultations', out.consultations);
    await Q.setKV('fetchedAt', new Date().toISOString());
    renderHome();
    syncer.run();
  });
  main.replaceChildren(h('h1', { class: 'f-h1', text: 'Enrol this tablet' }), err, form);
  input.focus();
}

// scheduleHome draws the home screen again soon, once for a burst of
// changes (a queue being sent).
let homeTimer = null;
function scheduleHome() {
  if (homeTimer) return;
  homeTimer = setTimeout(() => { homeTimer = null; if (state.screen === 'home') renderHome(); }, 50);
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

// closed reports whether a consultation takes no new interviews, by its
// status or closing time as last synced (the server decides on arrival).
function closed(c) {
  return c.status !== 'open' || (c.closes_at && Date.now() >= Date.parse(c.closes_at));
}

const STATE_LABEL = { tablet: 'On this tablet', sending: 'Sending', sent: 'Sent', rejected: 'Rejected' };

async function renderHome() {
  state.screen = 'home';
  applyUpdate();
  const sending = syncer.sending();
  const list = (await Q.entries()).map((e) => (e.id === sending && e.state === 'tablet' ? { ...e, state: 'sending' } : e));
  if (state.screen !== 'home') return;
  const draft = state.interview;
  const queued = (slug) => list.filter((e) => e.slug === slug && Q.UNSENT.includes(e.state)).length;
  const cons = h('ul', { class: 'f-list', id: 'consultations' },
    state.consultations.map((c) => h('li', { class: 'f-card' },
      h('h3', { class: 'f-h3', text: c.title }),
      h('p', { text: `${c.completed} completed on the server at the last sync · ${queued(c.slug)} not yet sent from this tablet${c.closes_at ? ' · closes ' + when.format(new Date(c.closes_at)) : ''}` }),
      closed(c)
        ? h('p', { class: 'f-error', id: 'closed-' + c.slug, text: 'This consultation has closed: a new interview would be refused. Interviews already finished are still sent.' })
        : h('button', { type: 'button', class: 'f-button', id: 'start-' + c.slug, 'data-slug': c.slug, text: 'Start an interview', onclick: () => startInterview(c) }))));
  // Every unsent interview, and the latest sent ones (the rest are counted).
  const SHOWN_SENT = 20;
  let sentShown = 0;
  const shown = list.filter((e) => e.state !== 'sent' || sentShown++ < SHOWN_SENT);
  const rows = shown.map((e) => h('li', { class: 'f-entry f-entry--' + e.state, 'data-entry': e.id, 'data-state': e.state },
    h('span', { class: 'f-state', text: STATE_LABEL[e.state] || e.state }),
    h('span', { class: 'f-entry__what', text: ` ${e.title} · started ${when.format(new Date(e.created))}` }),
    e.reference ? h('span', { class: 'f-ref', text: ` · reference ${e.reference}` }) : null,
    e.reason && e.state !== 'sent' ? h('p', { class: 'f-reason', text: e.reason }) : null,
    (e.errors || []).length ? h('ul', { class: 'f-reasons' }, e.errors.map((x) => h('li', { text: `${x.field}: ${x.message} (${x.code})` }))) : null));
  const unsentCount = list.filter((e) => Q.UNSENT.includes(e.state)).length;
  main.replaceChildren(
    h('h1', { class: 'f-h1', text: 'Interviews' }),
    draft ? h('div', { class: 'f-card f-card--draft' },
      h('p', { text: `An interview of ${draft.title} is in progress.` }),
      h('button', { type: 'button', class: 'f-button', id: 'resume', text: 'Continue the interview', onclick: () => showStage() }),
      h('button', { type: 'button', class: 'f-button f-button--secondary', id: 'discard-draft', text: 'Discard it', onclick: discardDraft })) : null,
    h('p', { id: 'start-note', class: 'f-error', role: 'alert', hidden: !state.startNote, text: state.startNote || '' }),
    h('h2', { class: 'f-h2', text: 'Consultations on this tablet' }),
    state.consultations.length ? cons : h('p', { text: 'No consultation is assigned to this tablet.' }),
    h('button', { type: 'button', class: 'f-button f-button--secondary', id: 'refresh', text: 'Update consultations', onclick: () => refresh() }),
    h('h2', { class: 'f-h2', text: 'Queue' }),
    h('p', { id: 'queue-count', text: `${unsentCount} not yet sent · ${list.length - unsentCount} sent` }),
    h('p', { id: 'sync-note', class: 'f-hint', role: 'status', text: state.syncNote }),
    list.length ? h('ul', { class: 'f-list', id: 'queue' }, rows) : h('p', { text: 'No interviews yet.' }),
    sentShown > SHOWN_SENT ? h('p', { class: 'f-hint', text: `The ${SHOWN_SENT} latest sent interviews are shown.` }) : null,
    h('div', { class: 'f-nav' },
      h('button', { type: 'button', class: 'f-button', id: 'send-now', text: 'Send now', onclick: () => syncer.now() }),
      h('button', { type: 'button', class: 'f-button f-button--secondary', id: 'export', text: 'Export my queue', onclick: exportQueue }),
      h('button', { type: 'button', class: 'f-button f-button--secondary', id: 'sign-out', text: 'Sign out this tablet', onclick: signOut })),
    h('p', { id: 'signout-note', class: 'f-error', role: 'alert', hidden: !state.signoutNote, text: state.signoutNote || '' }),
    h('p', { class: 'f-hint', id: 'storage', text: state.storage }),
  );
}

async function exportQueue() {
  const text = await Q.exportText();
  const blob = new Blob([text], { type: 'application/json' });
  const a = h('a', { href: URL.createObjectURL(blob), download: `budgetgrid-queue-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  await Q.setKV('exportedAt', new Date().toISOString());
}

async function signOut() {
  const left = await Q.unsent();
  const exportedAt = await Q.getKV('exportedAt');
  state.signoutNote = '';
  if (left.length && !(exportedAt && left.every((e) => e.updated <= exportedAt))) {
    state.signoutNote = `${left.length} interview(s) are not sent. Send them, or export the queue, before signing out.`;
  } else if (state.interview) {
    state.signoutNote = 'Finish or discard the interview in progress before signing out.';
  }
  if (state.signoutNote) { renderHome(); return; }
  await Q.deleteKV('token');
  state.token = '';
  renderEnrol();
}

async function saveDraft() {
  await Q.setKV('draft', state.interview);
}

// consultationOf is the consultation an interview runs: the copy taken
// when it started, so that an update of the assignments or of the grid
// never changes or drops an interview in progress.
function consultationOf(iv) {
  return iv.consultation || state.consultations.find((c) => c.slug === iv.slug);
}

async function discardDraft() {
  state.interview = null;
  state.startNote = '';
  await Q.deleteKV('draft');
  renderHome();
}

async function startInterview(c) {
  if (state.interview) {
    state.startNote = 'An interview is in progress: continue it or discard it first.';
    renderHome();
    return;
  }
  state.startNote = '';
  state.signoutNote = '';
  state.interview = { ...I.newInterview(c), consultation: c };
  await saveDraft();
  showStage();
}

function showStage() {
  const iv = state.interview;
  const c = consultationOf(iv);
  if (!c) { state.interview = null; Q.deleteKV('draft'); renderHome(); return; }
  state.screen = 'interview';
  iv.enteredAt = Date.now();
  I.render(main, iv, c.definition, budget, async (kind) => {
    I.leave(iv, c.definition);
    if (kind === 'next') iv.stage++;
    else if (kind === 'back') iv.stage = Math.max(0, iv.stage - 1);
    else {
      const rec = I.record(iv, c.definition);
      const now = new Date().toISOString();
      // Queued first, then the draft goes: a crash in between leaves both,
      // never neither.
      await Q.putEntry({ id: iv.id, slug: iv.slug, title: iv.title, state: 'tablet', reference: '', reason: '', errors: [], record: rec, created: iv.startedAt, finished: now });
      state.interview = null;
      await Q.deleteKV('draft');
      renderHome();
      syncer.run();
      return;
    }
    await saveDraft();
    showStage();
  });
  const discard = h('button', { type: 'button', class: 'f-link', id: 'discard', 'data-interviewer': '', text: 'Leave this interview for now' });
  discard.addEventListener('click', () => { document.body.classList.remove('f-handover'); renderHome(); });
  main.append(discard);
}

async function start() {
  showNet();
  window.addEventListener('online', () => { showNet(); syncer.now(); refresh(); });
  window.addEventListener('offline', showNet);
  const [worker, storage] = await Promise.all([registerWorker(), askPersistence()]);
  state.storage = [storage, worker].filter(Boolean).join(' ');
  await Q.settle();
  state.token = (await Q.getKV('token')) || '';
  state.consultations = (await Q.getKV('consultations')) || [];
  state.interview = (await Q.getKV('draft')) || null;
  document.body.dataset.ready = 'true';
  if (!state.token) { renderEnrol(); return; }
  await renderHome();
  if (navigator.onLine) { refresh(); syncer.run(); }
}

start();
