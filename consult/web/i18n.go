package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/budgetgrid/budgetgrid/templates"
)

// catalogue holds every interface string in every language, read from
// templates/locales/LANG.json: adding a language is adding a file. A
// message may hold placeholders {name}, filled by name; plural messages
// have keys ending in .zero, .one, .two, .few, .many and .other (CLDR
// categories), chosen by the count.
type catalogue struct {
	langs []string // language codes, "en" first
	msgs  map[string]map[string]string
}

// defaultLang is the language of the interface when nothing else is known.
const defaultLang = "en"

func loadCatalogue() (*catalogue, error) {
	files, err := fs.Glob(templates.FS, "locales/*.json")
	if err != nil {
		return nil, err
	}
	c := &catalogue{msgs: map[string]map[string]string{}}
	for _, f := range files {
		data, err := fs.ReadFile(templates.FS, f)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".json")
		c.msgs[lang] = m
		c.langs = append(c.langs, lang)
	}
	en, ok := c.msgs[defaultLang]
	if !ok {
		return nil, fmt.Errorf("message catalogue: no %s.json", defaultLang)
	}
	slices.SortFunc(c.langs, func(a, b string) int {
		switch {
		case a == defaultLang:
			return -1
		case b == defaultLang:
			return 1
		}
		return strings.Compare(a, b)
	})
	// Every language must say everything English says, so that no page
	// falls back to English unseen.
	for _, lang := range c.langs {
		var missing []string
		for k := range en {
			if _, ok := c.msgs[lang][k]; !ok && !isPluralVariant(k) {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			return nil, fmt.Errorf("message catalogue %s.json lacks %s", lang, strings.Join(missing, ", "))
		}
	}
	return c, nil
}

func isPluralVariant(k string) bool {
	for _, s := range []string{".zero", ".one", ".two", ".few", ".many"} {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return false
}

// has reports whether the interface is available in lang.
func (c *catalogue) has(lang string) bool { _, ok := c.msgs[lang]; return ok }

// T returns the message key in lang with its placeholders filled from
// args, given as name, value pairs. A missing key shows the key itself, so
// a mistake is visible rather than silent.
func (c *catalogue) T(lang, key string, args ...any) string {
	msg, ok := c.msgs[lang][key]
	if !ok {
		if msg, ok = c.msgs[defaultLang][key]; !ok {
			return key
		}
	}
	return fill(msg, args)
}

// N returns the plural form of key for count n in lang; {n} in the
// message is the count.
func (c *catalogue) N(lang, key string, n int, args ...any) string {
	cat := pluralCategory(lang, n)
	args = append([]any{"n", n}, args...)
	for _, k := range []string{key + "." + cat, key + ".other"} {
		if msg, ok := c.msgs[lang][k]; ok {
			return fill(msg, args)
		}
	}
	return c.T(defaultLang, key+"."+pluralCategory(defaultLang, n), args...)
}

func fill(msg string, args []any) string {
	if len(args) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", toString(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	default:
		return fmt.Sprint(v)
	}
}

// pluralCategory gives the CLDR plural category of whole number n in
// lang, for the languages a UK council is likely to offer; any other
// language counts like English. The browser's Intl.PluralRules gives the
// same categories, so the live budget bar agrees with the server.
func pluralCategory(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	n10, n100 := n%10, n%100
	between := func(x, lo, hi int) bool { return x >= lo && x <= hi }
	switch lang {
	case "cy": // Welsh
		switch n {
		case 0:
			return "zero"
		case 1:
			return "one"
		case 2:
			return "two"
		case 3:
			return "few"
		case 6:
			return "many"
		}
	case "ga": // Irish
		switch {
		case n == 1:
			return "one"
		case n == 2:
			return "two"
		case between(n, 3, 6):
			return "few"
		case between(n, 7, 10):
			return "many"
		}
	case "gd": // Scottish Gaelic
		switch {
		case n == 1 || n == 11:
			return "one"
		case n == 2 || n == 12:
			return "two"
		case between(n, 3, 10) || between(n, 13, 19):
			return "few"
		}
	case "pl": // Polish
		switch {
		case n == 1:
			return "one"
		case between(n10, 2, 4) && !between(n100, 12, 14):
			return "few"
		}
		return "many"
	case "ru", "uk": // Russian, Ukrainian
		switch {
		case n10 == 1 && n100 != 11:
			return "one"
		case between(n10, 2, 4) && !between(n100, 12, 14):
			return "few"
		}
		return "many"
	case "lt": // Lithuanian
		switch {
		case n10 == 1 && !between(n100, 11, 19):
			return "one"
		case between(n10, 2, 9) && !between(n100, 11, 19):
			return "few"
		}
	case "ro": // Romanian
		switch {
		case n == 1:
			return "one"
		case n == 0 || between(n100, 2, 19):
			return "few"
		}
	case "ar": // Arabic
		switch {
		case n == 0:
			return "zero"
		case n == 1:
			return "one"
		case n == 2:
			return "two"
		case between(n100, 3, 10):
			return "few"
		case between(n100, 11, 99):
			return "many"
		}
	case "fr", "pt", "pa", "bn", "gu", "hi": // one for 0 and 1
		if n <= 1 {
			return "one"
		}
	case "zh", "ja", "ko", "vi", "th": // no plural forms
	default: // English and the many languages that count like it
		if n == 1 {
			return "one"
		}
	}
	return "other"
}

// pluralCategories are the CLDR plural categories, for browser code that
// picks a form with Intl.PluralRules.
var pluralCategories = []string{"zero", "one", "two", "few", "many", "other"}

// raw returns a message unfilled, placeholders and all.
func (c *catalogue) raw(lang, key string) string {
	if msg, ok := c.msgs[lang][key]; ok {
		return msg
	}
	return c.msgs[defaultLang][key]
}

// forms returns every plural form of key in lang by category, unfilled;
// categories the language lacks fall back to "other".
func (c *catalogue) forms(lang, key string) map[string]string {
	out := map[string]string{}
	for _, cat := range pluralCategories {
		if msg, ok := c.msgs[lang][key+"."+cat]; ok {
			out[cat] = msg
		}
	}
	if _, ok := out["other"]; !ok {
		out["other"] = c.raw(defaultLang, key+".other")
	}
	return out
}
