package web

import (
	"strings"
	"testing"
)

// TestPluralCategory checks the CLDR plural rules against the CLDR
// examples for each language (integers).
func TestPluralCategory(t *testing.T) {
	examples := map[string]map[string][]int{
		"en": {"one": {1}, "other": {0, 2, 3, 11, 21, 100}},
		"cy": {"zero": {0}, "one": {1}, "two": {2}, "few": {3}, "many": {6}, "other": {4, 5, 7, 8, 10, 100, 1000}},
		"ga": {"one": {1}, "two": {2}, "few": {3, 4, 5, 6}, "many": {7, 8, 9, 10}, "other": {0, 11, 25, 100}},
		"gd": {"one": {1, 11}, "two": {2, 12}, "few": {3, 10, 13, 19}, "other": {0, 20, 34, 100}},
		"pl": {"one": {1}, "few": {2, 3, 4, 22, 23, 24, 102}, "many": {0, 5, 11, 12, 13, 14, 19, 112, 1000}},
		"ru": {"one": {1, 21, 31, 101}, "few": {2, 3, 4, 22, 24}, "many": {0, 5, 11, 12, 14, 19, 100}},
		"lt": {"one": {1, 21, 31, 101}, "few": {2, 9, 22, 29, 102}, "other": {0, 10, 11, 19, 20, 30, 111}},
		"ro": {"one": {1}, "few": {0, 2, 16, 19, 102, 119}, "other": {20, 35, 100, 101, 1000}},
		"ar": {"zero": {0}, "one": {1}, "two": {2}, "few": {3, 10, 103, 110}, "many": {11, 26, 99, 111}, "other": {100, 101, 102, 200}},
		"fr": {"one": {0, 1}, "other": {2, 17, 100}},
		"zh": {"other": {0, 1, 2, 100}},
	}
	for lang, cats := range examples {
		for want, ns := range cats {
			for _, n := range ns {
				if got := pluralCategory(lang, n); got != want {
					t.Errorf("pluralCategory(%q, %d) = %q, want %q", lang, n, got, want)
				}
			}
		}
	}
}

// TestCatalogues checks every shipped catalogue: each has every English
// key, keeps every placeholder of the English message, and gives every
// plural category its language uses.
func TestCatalogues(t *testing.T) {
	cat, err := loadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.langs) < 2 || cat.langs[0] != "en" {
		t.Fatalf("languages %v, want English first and at least one more", cat.langs)
	}
	placeholders := func(msg string) map[string]bool {
		m := map[string]bool{}
		for _, part := range strings.Split(msg, "{")[1:] {
			if i := strings.Index(part, "}"); i > 0 {
				m[part[:i]] = true
			}
		}
		return m
	}
	for _, lang := range cat.langs[1:] {
		for key, en := range cat.msgs["en"] {
			if isPluralVariant(key) {
				continue
			}
			msg := cat.msgs[lang][key]
			for p := range placeholders(en) {
				if !placeholders(msg)[p] && p != "n" {
					t.Errorf("%s.json %s lacks the placeholder {%s}: %q", lang, key, p, msg)
				}
			}
		}
		// Every category the language uses for 0..200 has a form for
		// each plural message.
		for key := range cat.msgs["en"] {
			if !strings.HasSuffix(key, ".other") {
				continue
			}
			base := strings.TrimSuffix(key, ".other")
			for n := range 200 {
				c := pluralCategory(lang, n)
				if _, ok := cat.msgs[lang][base+"."+c]; !ok {
					t.Errorf("%s.json lacks %s.%s (used for %d)", lang, base, c, n)
					break
				}
			}
		}
	}
}
