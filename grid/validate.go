package grid

import (
	"fmt"
	"sort"
)

// Validate checks a grid built other than from a sheet (from JSON, say)
// against the rules of the grid sheet contract. The problems come as
// SheetErrors with no file or row; Column names the service ("roads") or
// level ("roads level 3").
func (g *Grid) Validate() error {
	var errs SheetErrors
	add := func(where, format string, args ...any) {
		errs = append(errs, SheetError{Column: where, Msg: fmt.Sprintf(format, args...)})
	}
	if len(g.Services) == 0 {
		add("", "the grid has no services")
	}
	seen := map[string]bool{}
	for si := range g.Services {
		s := &g.Services[si]
		where := s.Key
		if where == "" {
			where = fmt.Sprintf("service %d", si+1)
		}
		switch {
		case !validKey(s.Key):
			add(where, "key must be lowercase letters, digits and _ (like school_transport), got %q", s.Key)
		case seen[s.Key]:
			add(where, "key is used by another service")
		}
		seen[s.Key] = true
		if s.Name == "" {
			add(where, "name is required")
		}
		for _, lang := range sortedKeys(s.Translations) {
			t := s.Translations[lang]
			checkLanguage(add, where, lang, t == ServiceText{})
		}
		if len(s.Levels) < 2 {
			add(where, "has %d levels; a service needs at least 2", len(s.Levels))
		}
		asNow := 0
		for li := range s.Levels {
			l := &s.Levels[li]
			lw := fmt.Sprintf("%s level %d", where, li+1)
			if l.Number != li+1 {
				add(lw, "level number is %d; levels count 1, 2, 3… within a service", l.Number)
			}
			if l.Label == "" {
				add(lw, "label is required")
			}
			if l.Points < 0 {
				add(lw, "points must be a whole number ≥ 0, got %d", l.Points)
			} else if li > 0 && l.Points < s.Levels[li-1].Points {
				add(lw, "points %d are less than %d at level %d; points must not decrease within a service", l.Points, s.Levels[li-1].Points, li)
			}
			if l.AsNow {
				asNow++
			}
			for _, lang := range sortedKeys(l.Translations) {
				checkLanguage(add, lw, lang, l.Translations[lang] == LevelText{})
			}
		}
		if asNow != 1 {
			add(where, "has %d as-now levels; exactly one level must be as now", asNow)
		}
	}
	return errs.err()
}

// checkLanguage checks one translation's language code and that it has text.
func checkLanguage(add func(string, string, ...any), where, lang string, empty bool) {
	switch {
	case !validLanguage(lang):
		add(where, "translation language must be 2 or 3 lowercase letters (like cy), got %q", lang)
	case lang == DefaultLanguage:
		add(where, "translation into %s, the default language; put that text in the main fields", lang)
	case empty:
		add(where, "translation into %s has no text", lang)
	}
}

// CheckLanguages lists every text of the grid that has no translation into
// one of langs, naming the sheet column it belongs in (service_name_cy for
// service roads). The default language needs nothing. Texts that are empty
// in the default language need no translation.
func (g *Grid) CheckLanguages(langs []string) error {
	var errs SheetErrors
	for _, lang := range langs {
		if lang == DefaultLanguage {
			continue
		}
		if !validLanguage(lang) {
			errs = append(errs, SheetError{Msg: fmt.Sprintf("language must be 2 or 3 lowercase letters (like cy), got %q", lang)})
			continue
		}
		miss := func(column, where string) {
			errs = append(errs, SheetError{Column: column + "_" + lang, Msg: "missing for " + where})
		}
		for _, s := range g.Services {
			t := s.Translations[lang]
			where := "service " + s.Key
			if s.Name != "" && t.Name == "" {
				miss("service_name", where)
			}
			if s.Group != "" && t.Group == "" {
				miss("group", where)
			}
			if s.Description != "" && t.Description == "" {
				miss("service_description", where)
			}
			for _, l := range s.Levels {
				lt := l.Translations[lang]
				where := fmt.Sprintf("%s level %d", s.Key, l.Number)
				if l.Label != "" && lt.Label == "" {
					miss("level_label", where)
				}
				if l.Description != "" && lt.Description == "" {
					miss("level_description", where)
				}
			}
		}
	}
	return errs.err()
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
