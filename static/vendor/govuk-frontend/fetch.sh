#!/usr/bin/env bash
# Re-fetches the pinned govuk-frontend from the npm registry and rebuilds the
# vendored files in this folder: CSS compiled with system fonts (no GDS
# Transport, which is reserved for central government), the ES module bundle,
# and the licence. Run from anywhere: bash static/vendor/govuk-frontend/fetch.sh
set -euo pipefail
VERSION=5.14.0
SASS_VERSION=1.83.4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "govuk-frontend@$VERSION" "sass@$SASS_VERSION"
cat > build.scss <<'SCSS'
$govuk-font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
$govuk-include-default-font-face: false;
$govuk-assets-path: "/static/vendor/govuk-frontend/assets/";
@import "node_modules/govuk-frontend/dist/govuk/index";
SCSS
npx sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import,global-builtin,mixed-decls build.scss govuk-frontend.min.css
pkg=node_modules/govuk-frontend
cp govuk-frontend.min.css "$here/govuk-frontend.min.css"
cp "$pkg/dist/govuk/govuk-frontend.min.js" "$here/govuk-frontend.min.js"
# The npm package carries its licence only in package.json ("MIT"); the
# upstream repository's LICENSE.txt is this text.
license=$(node -p "require('./$pkg/package.json').license")
[ "$license" = "MIT" ] || { echo "govuk-frontend licence changed to $license: review before vendoring" >&2; exit 1; }
cat > "$here/LICENSE.txt" <<'TXT'
The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
TXT
echo "$VERSION" > "$here/VERSION"
echo "govuk-frontend $VERSION vendored into $here"
