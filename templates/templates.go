// Package templates embeds the html/template files that the web layer
// parses once at start.
package templates

import "embed"

// FS holds the layout, partials, one file per page, and the message
// catalogues (locales/LANG.json).
//
//go:embed *.html locales/*.json
var FS embed.FS
