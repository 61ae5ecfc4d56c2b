// budgetgrid budget arithmetic, shared by the resident's lot pages and the
// offline interviewer app. It works from a grid's canonical JSON
// ({services: [{key, levels: [{level, points, as_now}]}]}) and uses whole
// points and pence only, like the server's grid package, which stays the
// authority and re-validates every answer.

/** Points of level number `level` (1-based) of service index `s`. */
export function levelPoints(grid, s, level) {
  const lv = grid.services[s].levels[level - 1];
  if (!lv) throw new RangeError(`service ${grid.services[s].key} has no level ${level}`);
  return lv.points;
}

/**
 * Total points of a package: one level number per service, in grid order;
 * 0 is a service with no level chosen yet (a page kept as a draft), which
 * costs nothing, as the server counts it.
 */
export function packageCost(grid, pkg) {
  if (pkg.length !== grid.services.length) throw new RangeError('package does not fit the grid');
  let total = 0;
  for (let s = 0; s < pkg.length; s++) if (pkg[s] !== 0) total += levelPoints(grid, s, pkg[s]);
  return total;
}

/** The as-now package's cost: today's spending in points. */
export function asNowCost(grid) {
  let total = 0;
  for (const sv of grid.services) {
    const lv = sv.levels.find((l) => l.as_now);
    if (lv) total += lv.points;
  }
  return total;
}

/**
 * Change in a Band D bill, in pence a year, for spending `points` above
 * today's (negative below), rounded half away from zero as the server does.
 * money is {point_pence, tax_base}.
 */
export function bandDPence(money, points) {
  if (!money.tax_base || money.tax_base <= 0) return 0;
  const num = Math.abs(points) * money.point_pence;
  const q = Math.floor((2 * num + money.tax_base) / (2 * money.tax_base));
  return points < 0 ? -q : q;
}

/** Formats pence as pounds: "£7,500,000" or "£2.50". */
export function formatPence(p) {
  const neg = p < 0;
  const abs = Math.abs(p);
  const pounds = Math.floor(abs / 100);
  const pennies = abs % 100;
  let s = String(pounds).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (pennies !== 0) s += '.' + String(pennies).padStart(2, '0');
  return (neg ? '−£' : '£') + s;
}

/**
 * Everything a budget bar shows for package `pkg` at a lot with `budget`
 * points: spent, left (never below 0), over, pounds spent, points above
 * today's spending and the Band D effect.
 */
export function budgetState(grid, money, budget, pkg, now = asNowCost(grid)) {
  const spent = packageCost(grid, pkg);
  const above = Math.max(spent - now, 0);
  return {
    spent,
    left: Math.max(budget - spent, 0),
    over: Math.max(spent - budget, 0),
    moneyPence: spent * money.point_pence,
    above,
    taxPence: bandDPence(money, above),
  };
}
