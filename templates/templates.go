// Package templates embeds the html/template files that the web layer
// parses once at start.
package templates

import "embed"

// FS holds the layout, partials and one file per page.
//
//go:embed *.html
var FS embed.FS
