#!/usr/bin/env bash
# Build the committed GOV.UK Frontend assets (so the project needs no Node.js
# at set-up time). Re-run after changing frontend/src/ or upgrading packages,
# then commit the changed files under static/govuk/ and tests/e2e/vendor/.
#
# Outputs (paths relative to the repository root):
#   static/govuk/govuk-frontend.min.css   compiled from frontend/src/app.scss
#   static/govuk/govuk-frontend.min.js    copied from govuk-frontend
#   static/govuk/assets/images/           govuk-frontend images minus crown/crest
#   static/govuk/LICENSE.txt              govuk-frontend licence
#   tests/e2e/vendor/axe.min.js           axe-core, for accessibility tests
#   tests/e2e/vendor/AXE-LICENSE.txt      axe-core licence
#
# No fonts are copied: GDS Transport is reserved for GOV.UK.
set -euo pipefail

FRONTEND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$FRONTEND_DIR/.." && pwd)"
STATIC_DIR="$ROOT_DIR/static/govuk"
VENDOR_DIR="$ROOT_DIR/tests/e2e/vendor"
GOVUK_DIST="$FRONTEND_DIR/node_modules/govuk-frontend/dist/govuk"

cd "$FRONTEND_DIR"

if [[ ! -d node_modules ]]; then
  npm ci
fi

mkdir -p "$STATIC_DIR/assets/images" "$VENDOR_DIR"

# 1. CSS. govuk-frontend 5.x uses @import, which recent Sass flags as
#    deprecated; silence that noise (it is not ours to fix).
npx --no-install sass \
  --style=compressed \
  --no-source-map \
  --load-path=node_modules \
  --quiet-deps \
  --silence-deprecation=import \
  src/app.scss "$STATIC_DIR/govuk-frontend.min.css"

# Drop the footer crown/crest rules (GOV.UK-only artwork that we don't ship).
node strip-reserved.mjs "$STATIC_DIR/govuk-frontend.min.css"

if grep -q "GDS Transport" "$STATIC_DIR/govuk-frontend.min.css"; then
  echo "build.sh: compiled CSS still mentions GDS Transport; check src/app.scss settings" >&2
  exit 1
fi
if grep -qi "crown" "$STATIC_DIR/govuk-frontend.min.css"; then
  echo "build.sh: compiled CSS still mentions the crown" >&2
  exit 1
fi

# 2. JavaScript (an ES module: load with <script type="module">).
cp "$GOVUK_DIST/govuk-frontend.min.js" "$STATIC_DIR/govuk-frontend.min.js"

# 3. Images, except GOV.UK brand artwork. In govuk-frontend 5.x every file in
#    assets/images/ is the crown or the Royal Arms crest, so nothing is copied
#    today; the loop stays so that future non-brand images are picked up.
#    Not copied: assets/fonts/ (GDS Transport), assets/manifest.json (it only
#    lists the crown icons) and assets/rebrand/ (crown artwork again).
find "$STATIC_DIR/assets/images" -mindepth 1 -delete
shopt -s nullglob
for image in "$GOVUK_DIST"/assets/images/*; do
  name="$(basename "$image")"
  case "$name" in
    favicon.ico | favicon.svg | govuk-icon-* | govuk-crest* | govuk-opengraph-image.png | *crown*)
      continue
      ;;
  esac
  cp "$image" "$STATIC_DIR/assets/images/$name"
done
shopt -u nullglob

# 4. Licences. The govuk-frontend npm package ships no LICENSE file; its
#    README says the code is MIT. Write the upstream MIT licence text.
cat > "$STATIC_DIR/LICENSE.txt" <<LICENCE
GOV.UK Frontend $(node -p "require('./node_modules/govuk-frontend/package.json').version")
https://github.com/alphagov/govuk-frontend

The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE

# 5. axe-core for the end-to-end accessibility tests.
cp node_modules/axe-core/axe.min.js "$VENDOR_DIR/axe.min.js"
cp node_modules/axe-core/LICENSE "$VENDOR_DIR/AXE-LICENSE.txt"

echo "build.sh: done"
