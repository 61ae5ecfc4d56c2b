// Enhances a server-rendered lot page: the budget bar follows the radios
// as they change. The page works without it (Recalculate), and the server
// re-checks every package on Continue.

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

function plural(forms, n, rules) {
  return forms[rules.select(n)] || forms.other;
}

/**
 * enhance wires the lot form `form` to the budget module `budget`
 * (static/js/budget.js). It returns a function that recomputes the bar,
 * for tests.
 */
export function enhance(form, budget) {
  const dataEl = form.querySelector('[data-bg="data"]');
  if (!dataEl) return null;
  const data = JSON.parse(dataEl.textContent);
  const { grid, money, messages } = data;
  const rules = new Intl.PluralRules(data.lang || 'en');
  const el = (name) => form.querySelector(`[data-bg="${name}"]`);
  const panel = el('panel');
  const status = el('status');
  const points = (n) => fill(plural(messages.points, n, rules), { n });
  const recalc = el('recalculate');
  if (recalc) recalc.hidden = true;

  const current = () => grid.services.map((sv) => {
    const checked = form.querySelector(`input[name="s.${CSS.escape(sv.key)}"]:checked`);
    return checked ? Number(checked.value) : 0;
  });

  let announce = null;
  // quiet: recompute without announcing (the page as first shown).
  const update = (quiet = false) => {
    const st = budget.budgetState(grid, money, data.budget, current(), data.now);
    el('spent').textContent = points(st.spent);
    el('left').textContent = points(st.left);
    el('money').textContent = fill(messages.money, { money: budget.formatPence(st.moneyPence) });
    const tax = el('tax');
    tax.hidden = st.taxPence <= 0;
    tax.textContent = fill(messages.tax, { above: st.above, tax: budget.formatPence(st.taxPence) });
    const over = el('over');
    over.hidden = st.over === 0;
    over.textContent = fill(plural(messages.over, st.over, rules), { n: st.over });
    panel.classList.toggle('bg-budget--over', st.over > 0);
    // Screen readers hear the new total once, after the changes settle.
    clearTimeout(announce);
    if (quiet) return st;
    announce = setTimeout(() => {
      let text = fill(messages.status, { spent: st.spent, budget: data.budget });
      if (st.over > 0) text += ' ' + over.textContent;
      status.textContent = text;
    }, 600);
    return st;
  };
  form.addEventListener('change', (e) => {
    if (e.target.matches('input[type="radio"]')) update();
  });
  // The bar must agree with the radios as the page first shows them and
  // when the back/forward cache restores a page whose radios the browser
  // kept: recompute then too, not only on a change.
  update(true);
  window.addEventListener('pageshow', () => update(true));
  // The language switch posts the form; it comes back to the service the
  // resident last touched, else the first one on screen.
  const place = el('place');
  if (place) {
    let last = null;
    form.addEventListener('focusin', (e) => {
      const g = e.target.closest('[data-bg-service]');
      if (g) last = g;
    });
    form.addEventListener('submit', (e) => {
      if (!e.submitter || e.submitter.value !== 'language') return;
      let at = last;
      if (!at) {
        for (const g of form.querySelectorAll('[data-bg-service]')) {
          if (g.getBoundingClientRect().bottom > 0) { at = g; break; }
        }
      }
      place.value = at ? at.id : '';
    });
  }
  return update;
}
