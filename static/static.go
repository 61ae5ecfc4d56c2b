// Package static embeds the CSS, scripts, images and vendored front-end
// packages that pages load. The web layer serves them under content-hashed
// names with immutable caching.
package static

import "embed"

// FS holds every static file, by path relative to this folder.
//
//go:embed css js img field vendor/govuk-frontend/*.css vendor/govuk-frontend/*.js vendor/govuk-frontend/LICENSE.txt
var FS embed.FS
