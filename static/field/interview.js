// One face-to-face interview, rendered from a consultation's canonical
// JSON with the shared budget module. The interview is plain data (saved
// after every stage, so a reload resumes it); the server re-checks every
// answer when it arrives.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v == null) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c);
  return el;
}

/** Lot budgets in points, as consult.Consultation.Plan computes them. */
export function budgets(def, budget) {
  if (def.lots.points && def.lots.points.length) return def.lots.points.slice();
  const now = budget.asNowCost(def.grid);
  return def.lots.percent.map((p) => Math.floor((now * p + 50) / 100));
}

/** The stages of an interview of def, in order. */
export function stages(def) {
  const out = ['interviewer', 'about-you'];
  if (def.ask_current) out.push('current-service');
  if (def.ask_unacceptable) out.push('unacceptable-levels');
  const n = (def.lots.points && def.lots.points.length) || (def.lots.percent || []).length;
  for (let k = 1; k <= n; k++) out.push('lot-' + k);
  out.push('comments', 'check-answers');
  return out;
}

/** A new interview of consultation c ({slug, title, grid_version, definition}). */
export function newInterview(c) {
  const def = c.definition;
  return {
    id: crypto.randomUUID(),
    slug: c.slug,
    title: c.title,
    gridVersion: c.grid_version,
    startedAt: new Date().toISOString(),
    stage: 0,
    enteredAt: Date.now(),
    timings: {},
    language: (def.languages && def.languages[0]) || 'en',
    consent: false,
    notes: '',
    about: {},
    current: {},
    unacceptable: {},
    lots: [],
    comments: '',
  };
}

/** The record the field sync API takes for a finished interview. */
export function record(iv, def) {
  const r = {
    response_id: iv.id,
    grid_version: iv.gridVersion,
    started_at: iv.startedAt,
    completed_at: new Date().toISOString(),
    language: iv.language,
    about: {},
    lots: iv.lots.map((pkg) => Object.fromEntries(def.grid.services.map((s, i) => [s.key, pkg[i]]))),
    comments: iv.comments.replace(/\r\n?/g, '\n').trim(),
    interview: { consent: iv.consent, notes: iv.notes, timings_ms: iv.timings },
  };
  for (const q of def.questions || []) r.about[q.key] = iv.about[q.key] || '';
  if (def.ask_current) {
    r.current = {};
    for (const s of def.grid.services) r.current[s.key] = iv.current[s.key] == null ? null : iv.current[s.key];
  }
  if (def.ask_unacceptable) {
    r.unacceptable = {};
    for (const s of def.grid.services) r.unacceptable[s.key] = (iv.unacceptable[s.key] || []).slice().sort((a, b) => a - b);
  }
  return r;
}

// Texts in the interview's language, falling back to the default.
function tr(obj, lang, field) {
  const t = obj && obj.translations && obj.translations[lang];
  return (t && t[field]) || obj[field] || '';
}

function questionText(def, q, lang) {
  const t = def.translations && def.translations[lang] && def.translations[lang].questions && def.translations[lang].questions[q.key];
  return {
    text: (t && t.text) || q.text,
    option: (o) => (t && t.options && t.options[o.key]) || o.label,
  };
}

function choice(type, name, id, value, label, checked, extra = {}) {
  return h('label', { class: 'f-choice', for: id },
    h('input', { type, name, id, value, checked: !!checked, ...extra }),
    h('span', { class: 'f-choice__text' }, ...label));
}

/**
 * render draws stage iv.stage of interview iv into main and calls done(kind)
 * with 'next', 'back' or 'finish' after saving the answers into iv.
 * It returns nothing; errors are shown on the page.
 */
export function render(main, iv, def, budget, done) {
  const list = stages(def);
  const stage = list[iv.stage];
  const lang = iv.language;
  const services = def.grid.services;
  const form = h('form', { id: 'stage', class: 'f-stage', 'data-stage': stage, novalidate: true });
  const err = h('div', { class: 'f-error', id: 'stage-error', role: 'alert', hidden: true });
  const heading = h('h1', { class: 'f-h1', tabindex: '-1' });
  const step = h('p', { class: 'f-step', 'data-interviewer': '', text: `${iv.title} · step ${iv.stage + 1} of ${list.length}` });
  let collect = () => true; // saves the answers; false (with err shown) to stay
  const fail = (msg) => { err.textContent = msg; err.hidden = false; err.focus(); return false; };
  err.tabIndex = -1;

  if (stage === 'interviewer') {
    heading.textContent = 'Before you start (interviewer)';
    iv.handover = false;
    const langs = def.languages && def.languages.length > 1 ? h('fieldset', { class: 'f-fieldset' },
      h('legend', { text: 'Language of the interview' }),
      def.languages.map((l) => choice('radio', 'language', 'lang-' + l, l, [l === 'cy' ? 'Cymraeg (cy)' : l === 'en' ? 'English (en)' : l], iv.language === l))) : null;
    form.append(
      h('p', { text: 'Read the consultation\'s privacy notice to the respondent and ask for their consent before you begin.' }),
      h('p', { class: 'f-privacy', lang, text: tr(def, lang, 'privacy') }),
      choice('checkbox', 'consent', 'consent', 'yes', ['The respondent gave verbal consent to take part'], iv.consent),
      langs,
      h('label', { class: 'f-label', for: 'notes', text: 'Interviewer notes (optional, not shown to the respondent)' }),
      h('textarea', { id: 'notes', name: 'notes', class: 'f-textarea', rows: '3', maxlength: '2000' }),
    );
    form.querySelector('#notes').value = iv.notes;
    collect = () => {
      iv.consent = form.querySelector('#consent').checked;
      iv.notes = form.querySelector('#notes').value;
      const l = form.querySelector('input[name="language"]:checked');
      if (l) iv.language = l.value;
      if (!iv.consent) return fail('Record the respondent\'s consent before you start: tick the box.');
      return true;
    };
  } else if (stage === 'about-you') {
    heading.textContent = 'About you';
    for (const q of def.questions || []) {
      const t = questionText(def, q, lang);
      form.append(h('fieldset', { class: 'f-fieldset' },
        h('legend', { text: t.text, lang }),
        q.options.map((o) => choice('radio', 'about.' + q.key, `about-${q.key}-${o.key}`, o.key, [h('span', { lang, text: t.option(o) })], iv.about[q.key] === o.key)),
        choice('radio', 'about.' + q.key, `about-${q.key}-none`, '', ['Prefer not to say'], iv.about[q.key] === '')));
    }
    collect = () => {
      for (const q of def.questions || []) {
        const c = form.querySelector(`input[name="about.${CSS.escape(q.key)}"]:checked`);
        iv.about[q.key] = c ? c.value : '';
      }
      return true;
    };
  } else if (stage === 'current-service') {
    heading.textContent = 'The service you get now';
    form.append(h('p', { text: 'For each service, which level is closest to what you get today?' }));
    for (const s of services) {
      form.append(h('fieldset', { class: 'f-fieldset' },
        h('legend', { text: tr(s, lang, 'name'), lang }),
        s.levels.map((lv) => choice('radio', 'current.' + s.key, `current-${s.key}-${lv.level}`, String(lv.level), [h('span', { lang, text: tr(lv, lang, 'label') })], iv.current[s.key] === lv.level)),
        choice('radio', 'current.' + s.key, `current-${s.key}-none`, '', ['Don\'t know'], iv.current[s.key] == null && s.key in iv.current)));
    }
    collect = () => {
      for (const s of services) {
        const c = form.querySelector(`input[name="current.${CSS.escape(s.key)}"]:checked`);
        iv.current[s.key] = c && c.value ? Number(c.value) : null;
      }
      return true;
    };
  } else if (stage === 'unacceptable-levels') {
    heading.textContent = 'Levels you could not accept';
    form.append(h('p', { text: 'Tick any level of a service that would be unacceptable to you. You can leave a service blank.' }));
    for (const s of services) {
      const marked = iv.unacceptable[s.key] || [];
      form.append(h('fieldset', { class: 'f-fieldset' },
        h('legend', { text: tr(s, lang, 'name'), lang }),
        s.levels.map((lv) => choice('checkbox', 'unacceptable.' + s.key, `unacceptable-${s.key}-${lv.level}`, String(lv.level), [h('span', { lang, text: tr(lv, lang, 'label') })], marked.includes(lv.level)))));
    }
    collect = () => {
      for (const s of services) {
        iv.unacceptable[s.key] = [...form.querySelectorAll(`input[name="unacceptable.${CSS.escape(s.key)}"]:checked`)].map((c) => Number(c.value));
      }
      return true;
    };
  } else if (stage.startsWith('lot-')) {
    const k = Number(stage.slice(4)) - 1;
    const plan = budgets(def, budget);
    const total = plan[k];
    const prev = k > 0 ? iv.lots[k - 1] : null;
    const floor = def.additive && prev ? prev : services.map(() => 1);
    const start = iv.lots[k] || floor.slice();
    heading.textContent = `Round ${k + 1} of ${plan.length}: ${total} points`;
    const bar = h('div', { class: 'f-budget', id: 'budget', 'aria-live': 'polite' });
    form.append(bar);
    if (def.additive && prev) form.append(h('p', { text: 'Levels below those chosen in the round before cannot be chosen.' }));
    services.forEach((s, i) => {
      form.append(h('fieldset', { class: 'f-fieldset' },
        h('legend', { text: tr(s, lang, 'name'), lang }),
        s.levels.map((lv) => choice('radio', 'lot.' + s.key, `lot${k + 1}-${s.key}-${lv.level}`, String(lv.level),
          [h('span', { lang, text: tr(lv, lang, 'label') }), h('span', { class: 'f-points', text: ` ${lv.points} points${lv.as_now ? ' · as now' : ''}` })],
          start[i] === lv.level, { disabled: lv.level < floor[i], 'data-service': String(i) }))));
    });
    const current = () => services.map((s, i) => {
      const c = form.querySelector(`input[name="lot.${CSS.escape(s.key)}"]:checked`);
      return c ? Number(c.value) : floor[i];
    });
    const update = () => {
      const st = budget.budgetState(def.grid, def.money || { point_pence: 0, tax_base: 0 }, total, current());
      bar.replaceChildren(
        h('span', { id: 'spent', text: `Spent ${st.spent} of ${total} points` }),
        h('span', { id: 'left', text: ` · ${st.left} left` }),
        st.over ? h('strong', { id: 'over', class: 'f-over', text: ` · ${st.over} over budget` }) : null);
      bar.classList.toggle('f-budget--over', st.over > 0);
      return st;
    };
    form.addEventListener('change', update);
    update();
    collect = () => {
      const st = update();
      if (st.over > 0) return fail(`This package is ${st.over} points over the budget of ${total}. Choose lower levels.`);
      const pkg = current();
      if (pkg.some((n, i) => n < floor[i])) return fail('A level is below the one chosen in the round before.');
      iv.lots[k] = pkg;
      // A change here moves later rounds' floors: they start again.
      if (def.additive) for (let j = k + 1; j < iv.lots.length; j++) if (iv.lots[j].some((n, i) => n < pkg[i])) iv.lots.length = j;
      return true;
    };
  } else if (stage === 'comments') {
    heading.textContent = 'Any comments';
    form.append(h('label', { class: 'f-label', for: 'comments', text: 'Anything else the respondent wants to say (optional)' }),
      h('textarea', { id: 'comments', name: 'comments', class: 'f-textarea', rows: '6', maxlength: '2000' }));
    form.querySelector('#comments').value = iv.comments;
    collect = () => { iv.comments = form.querySelector('#comments').value; return true; };
  } else {
    heading.textContent = 'Check and finish';
    const dl = h('dl', { class: 'f-summary' });
    const row = (k, v) => dl.append(h('dt', { text: k }), h('dd', { text: v }));
    row('Consent recorded', iv.consent ? 'Yes' : 'No');
    for (const q of def.questions || []) {
      const o = q.options.find((x) => x.key === iv.about[q.key]);
      row(q.text, o ? o.label : 'Prefer not to say');
    }
    iv.lots.forEach((pkg, k) => row(`Round ${k + 1}`, `${budget.packageCost(def.grid, pkg)} points`));
    form.append(dl, h('p', { text: 'Finishing keeps the interview on this tablet and sends it when there is a connection.' }));
  }

  const last = iv.stage === list.length - 1;
  const nav = h('div', { class: 'f-nav' },
    iv.stage > 0 ? h('button', { type: 'button', class: 'f-button f-button--secondary', id: 'back', text: 'Back' }) : null,
    h('button', { type: 'submit', class: 'f-button', id: 'next', text: last ? 'Finish interview' : 'Continue' }));
  form.append(nav);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!collect()) return;
    done(last ? 'finish' : 'next');
  });
  const back = nav.querySelector('#back');
  if (back) back.addEventListener('click', () => { collect(); done('back'); });
  // Hand-over mode: while the respondent holds the tablet, the
  // interviewer's controls are hidden (they come back at the check page).
  if (stage === 'interviewer' || stage === 'check-answers') iv.handover = false;
  document.body.classList.toggle('f-handover', !!iv.handover);
  let toggle = null;
  if (stage !== 'interviewer' && stage !== 'check-answers') {
    toggle = h('button', { type: 'button', class: 'f-link f-handover-toggle' });
    const show = () => {
      document.body.classList.toggle('f-handover', !!iv.handover);
      toggle.id = iv.handover ? 'take-back' : 'handover';
      toggle.textContent = iv.handover ? 'Interviewer: take the tablet back' : 'Hand the tablet to the respondent';
    };
    toggle.addEventListener('click', () => { iv.handover = !iv.handover; show(); });
    show();
  }
  main.replaceChildren(step, heading, err, form);
  if (toggle) main.append(toggle);
  heading.focus();
}

/** leave adds the time spent on the current stage to the timings. */
export function leave(iv, def) {
  const name = stages(def)[iv.stage];
  iv.timings[name] = (iv.timings[name] || 0) + Math.max(0, Date.now() - iv.enteredAt);
  iv.enteredAt = Date.now();
}
