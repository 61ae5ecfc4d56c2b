// Package admin embeds the admin area's html/template files: the layout,
// the partials and one file per page.
package admin

import "embed"

// FS holds the admin templates.
//
//go:embed *.html
var FS embed.FS
