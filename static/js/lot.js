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
    return checked ? Number(checked.value) : 1;
  });

  let announce = null;
  const update = () => {
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
  return update;
}
