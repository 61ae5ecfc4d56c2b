package browser

import (
	"fmt"

	"github.com/chromedp/chromedp"
)

// focusInfo describes the focused element and how its focus shows.
type focusInfo struct {
	Desc     string `json:"desc"`
	How      string `json:"how"`
	Obscured string `json:"obscured"`
	Matches  bool   `json:"matches"`
}

// focusScript describes document.activeElement: a short selector, and the
// visible focus indicator found on it (an outline that is not transparent,
// or a box-shadow) or, for a radio or checkbox that GOV.UK Frontend hides
// behind its label's drawn control, on that label's ::before or ::after.
// %q is a CSS selector the element is tested against.
const focusScript = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {desc: 'body', how: '', obscured: '', matches: false};
  let desc = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + [...el.classList].map(c => '.' + c).join('');
  if (el.name) desc += '[name=' + el.name + ']';
  if (el.value && (el.type === 'radio' || el.type === 'checkbox' || el.tagName === 'BUTTON')) desc += '[value=' + el.value + ']';
  const shows = (cs) => {
    if (!cs) return '';
    const clear = (c) => c === 'transparent' || /rgba\(.*,\s*0\)$/.test(c);
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 && !clear(cs.outlineColor)) return 'outline ' + cs.outlineStyle + ' ' + cs.outlineWidth + ' ' + cs.outlineColor;
    if (cs.boxShadow && cs.boxShadow !== 'none') return 'box-shadow ' + cs.boxShadow;
    return '';
  };
  const own = getComputedStyle(el);
  let how = parseFloat(own.opacity) > 0 ? shows(own) : '';
  if (!how && el.labels) {
    for (const l of el.labels) {
      how = shows(getComputedStyle(l, '::before')) || shows(getComputedStyle(l, '::after')) || shows(getComputedStyle(l));
      if (how) { how = 'label: ' + how; break; }
    }
  }
  // Entirely covered (by the sticky budget bar, say) is not visible
  // either (WCAG 2.2 2.4.11): hit-test its centre and corners.
  const r = el.getBoundingClientRect();
  const mine = (h) => h && (el.contains(h) || h.contains(el) || [...(el.labels || [])].some(l => l.contains(h)));
  const pts = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]];
  let obscured = '';
  const hits = pts.map(([x, y]) => (x >= 0 && y >= 0 && x < innerWidth && y < innerHeight) ? document.elementFromPoint(x, y) : null);
  if (!hits.some(mine)) {
    const h = hits.find(h => h) || null;
    const by = h ? (h.closest('[id]') || h) : null;
    obscured = by ? 'covered by ' + by.tagName.toLowerCase() + (by.id ? '#' + by.id : '') + [...by.classList].map(c => '.' + c).join('') : 'outside the window';
  }
  return {desc, how, obscured, matches: el.matches(%q)};
})()`

// focus describes the focused element; sel is tested against it.
func (tb *tab) focus(sel string) focusInfo {
	tb.t.Helper()
	return eval[focusInfo](tb, fmt.Sprintf(focusScript, sel))
}

// key presses one key (Tab "\t", Space " ", Enter "\r") with key events.
func (tb *tab) key(k string) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(k)); err != nil {
		tb.t.Fatalf("%s: key %q: %v", tb.current().Name, k, err)
	}
}

// tabTo presses Tab until the focused element matches sel, at most max
// times, failing for every element that takes focus without a visible
// indicator. It returns the number of presses.
func (tb *tab) tabTo(sel string, max int) int {
	tb.t.Helper()
	for i := 1; i <= max; i++ {
		tb.key("\t")
		f := tb.focus(sel)
		if f.Desc != "body" && f.How == "" {
			tb.t.Errorf("%s: focus is not visible on %s (no outline or box-shadow, after %d Tab presses)", tb.current().Name, f.Desc, i)
		}
		if f.Desc != "body" && f.Obscured != "" {
			tb.t.Errorf("%s: the focused %s is hidden: %s (after %d Tab presses)", tb.current().Name, f.Desc, f.Obscured, i)
		}
		tb.focused = append(tb.focused, f.Desc)
		if f.Matches {
			return i
		}
	}
	tb.t.Fatalf("%s: %s not reached with %d Tab presses", tb.current().Name, sel, max)
	return 0
}
