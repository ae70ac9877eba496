#!/usr/bin/env bash
# Vendor the front-end files the pages use into static/vendor/ from the npm registry, at exact
# versions recorded in static/vendor/VERSIONS.txt. Only the distribution files are kept;
# nothing is fetched at run time. Run by `make vendor`; commit the result.
#
# Versions: the newest release in each major line below, unless pinned by the environment,
# e.g. HTMX_VERSION=2.0.4 scripts/vendor_static.sh
set -euo pipefail
cd "$(dirname "$0")/.."

TABLER_VERSION=${TABLER_VERSION:-1}        # @tabler/core
ICONS_VERSION=${ICONS_VERSION:-3}          # @tabler/icons-webfont
HTMX_VERSION=${HTMX_VERSION:-2}            # htmx.org
ECHARTS_VERSION=${ECHARTS_VERSION:-6}      # echarts (Apache ECharts: the report charts)

command -v npm >/dev/null 2>&1 || {
    echo "vendor: npm not found (apt-get install nodejs npm)" >&2
    exit 1
}

DEST=static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch NAME SPEC: download and unpack the package tarball into $tmp/NAME, print its version.
fetch() {
    local name=$1 spec=$2 json file version
    # The JSON lists every file of the package (echarts: thousands): read it from a file,
    # not from the command line.
    json=$tmp/pack.json
    (cd "$tmp" && npm pack --json --silent "$name@$spec") >"$json"
    file=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["filename"])' "$json")
    version=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["version"])' "$json")
    mkdir -p "$tmp/$name"
    tar -xzf "$tmp/$file" -C "$tmp/$name" --strip-components=1
    echo "$version"
}

# license_of DIR: the package.json licence, else the first line of its LICENSE file.
license_of() {
    python3 - "$1" <<'EOF'
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
name = json.loads((root / "package.json").read_text()).get("license")
if not name and (root / "LICENSE").exists():
    name = next(line.strip() for line in (root / "LICENSE").read_text().splitlines() if line.strip())
print((name or "unknown").removesuffix(" License"))
EOF
}

# Drop sourceMappingURL comments: the .map files are not vendored, and Django's manifest
# storage (collectstatic) fails on a reference to a missing file.
strip_source_maps() { sed -i -E 's@/\*# sourceMappingURL=[^*]*\*/@@; s@//# sourceMappingURL=.*$@@' "$1"; }

echo "vendor: fetching from npm"
tabler=$(fetch @tabler/core "$TABLER_VERSION")
icons=$(fetch @tabler/icons-webfont "$ICONS_VERSION")
htmx=$(fetch htmx.org "$HTMX_VERSION")
echarts=$(fetch echarts "$ECHARTS_VERSION")

rm -rf "$DEST"
mkdir -p "$DEST/tabler" "$DEST/tabler-icons/fonts" "$DEST/htmx" "$DEST/echarts"

# Tabler UI kit: the core stylesheet and script (Bootstrap included).
src=$tmp/@tabler/core
cp "$src/dist/css/tabler.min.css" "$src/dist/js/tabler.min.js" "$DEST/tabler/"
strip_source_maps "$DEST/tabler/tabler.min.css"
strip_source_maps "$DEST/tabler/tabler.min.js"
if [[ -f $src/LICENSE ]]; then
    cp "$src/LICENSE" "$DEST/tabler/LICENSE"
else
    # The npm package ships no LICENSE file; its files carry the MIT notice in their header.
    {
        echo "Tabler $tabler is licensed under the MIT License."
        echo "Notice from the header of tabler.min.css:"
        echo
        sed -n '2,/\*\//p' "$DEST/tabler/tabler.min.css" | sed -E 's@^ ?\*/?@@; /^ *$/d; s/^ //'
        echo
        cat <<'EOF'
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
    } >"$DEST/tabler/LICENSE"
fi

# Tabler Icons webfont: the stylesheet and its woff2 font only (every browser we support
# reads woff2), so the @font-face keeps just that source, without the cache-busting query.
src=$tmp/@tabler/icons-webfont
cp "$src/dist/tabler-icons.min.css" "$DEST/tabler-icons/"
cp "$src/dist/fonts/tabler-icons.woff2" "$DEST/tabler-icons/fonts/"
cp "$src/LICENSE" "$DEST/tabler-icons/LICENSE"
python3 - "$DEST/tabler-icons/tabler-icons.min.css" <<'EOF'
import re
import sys

path = sys.argv[1]
css = open(path, encoding="utf-8").read()
face = re.search(r"@font-face\{[^}]*\}", css)
if not face:
    sys.exit("vendor: no @font-face in tabler-icons.min.css; update scripts/vendor_static.sh")
new_face = re.sub(
    r"src:[^;}]*",
    'src:url("fonts/tabler-icons.woff2") format("woff2")',
    face.group(0),
)
css = css.replace(face.group(0), new_face)
css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
open(path, "w", encoding="utf-8").write(css)
refs = set(re.findall(r"url\(([^)]*)\)", css))
if refs != {'"fonts/tabler-icons.woff2"'}:
    sys.exit(f"vendor: unexpected url() references left in tabler-icons.min.css: {refs}")
EOF

# htmx
src=$tmp/htmx.org
cp "$src/dist/htmx.min.js" "$DEST/htmx/"
strip_source_maps "$DEST/htmx/htmx.min.js"
cp "$src/LICENSE" "$DEST/htmx/LICENSE"

# Apache ECharts: the "common" build only (line, bar, pie with tooltip, legend, grid and
# aria; about 700 KB), with its licence and the NOTICE the Apache licence asks to keep.
src=$tmp/echarts
cp "$src/dist/echarts.common.min.js" "$DEST/echarts/"
strip_source_maps "$DEST/echarts/echarts.common.min.js"
cp "$src/LICENSE" "$DEST/echarts/LICENSE"
cp "$src/NOTICE" "$DEST/echarts/NOTICE"

# Nothing vendored may load anything from elsewhere (no CDN at run time).
if grep -lE '@import|url\((["'"'"']?)(https?:)?//' "$DEST"/*/*.css; then
    echo "vendor: a stylesheet above refers to an outside address; fix it before committing" >&2
    exit 1
fi

cat >"$DEST/VERSIONS.txt" <<EOF
# Front-end files vendored from the npm registry by scripts/vendor_static.sh (make vendor).
# Edit nothing here by hand; rerun the script to update.
@tabler/core@$tabler  license: $(license_of "$tmp/@tabler/core")  files: tabler/tabler.min.css tabler/tabler.min.js
@tabler/icons-webfont@$icons  license: $(license_of "$tmp/@tabler/icons-webfont")  files: tabler-icons/tabler-icons.min.css tabler-icons/fonts/tabler-icons.woff2
htmx.org@$htmx  license: $(license_of "$tmp/htmx.org")  files: htmx/htmx.min.js
echarts@$echarts  license: $(license_of "$tmp/echarts")  files: echarts/echarts.common.min.js
EOF

echo "vendor: @tabler/core@$tabler @tabler/icons-webfont@$icons htmx.org@$htmx echarts@$echarts -> $DEST/"
find "$DEST" -type f | sort | while read -r f; do printf '  %8s  %s\n' "$(du -h "$f" | cut -f1)" "$f"; done
