#!/usr/bin/env bash
# Fetch the pinned front-end libraries from the npm registry and copy the files the app serves
# into the source tree. The copied files are committed: nothing is loaded from a CDN at run time,
# because city intranets are often closed.
#
# Each package tarball is checked against the integrity hash pinned below, so a re-run either
# reproduces the committed files byte for byte or stops with an error.
#
# Usage: scripts/vendor-frontend.sh        (needs npm and tar; run from anywhere)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC="$ROOT/src/quartier/web/static/vendor"
TEST_VENDOR="$ROOT/tests/web/vendor"

LEAFLET_VERSION="1.9.4"
LEAFLET_INTEGRITY="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
HTMX_VERSION="2.0.4"
HTMX_INTEGRITY="sha512-HLxMCdfXDOJirs3vBZl/ZLoY+c7PfM4Ahr2Ad4YXh6d22T5ltbTXFFkpx9Tgb2vvmWFMbIc3LqN2ToNkZJvyYQ=="
# axe-core runs only in the browser tests; it is not served by the app.
AXE_VERSION="4.10.3"
AXE_INTEGRITY="sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch NAME VERSION INTEGRITY -> prints the directory holding the unpacked package
fetch() {
    local name="$1" version="$2" integrity="$3" dir="$WORK/$1"
    mkdir -p "$dir"
    local actual
    actual="$(cd "$dir" && npm pack --silent --json "$name@$version" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["integrity"])')"
    if [[ "$actual" != "$integrity" ]]; then
        echo "error: $name@$version has integrity $actual, expected $integrity" >&2
        exit 1
    fi
    tar -xzf "$dir"/*.tgz -C "$dir"
    echo "$dir/package"
}

replace_dir() {
    rm -rf "$1"
    mkdir -p "$1"
}

pkg="$(fetch leaflet "$LEAFLET_VERSION" "$LEAFLET_INTEGRITY")"
replace_dir "$STATIC/leaflet"
cp "$pkg/dist/leaflet.js" "$pkg/dist/leaflet.js.map" "$pkg/dist/leaflet.css" "$pkg/LICENSE" \
    "$STATIC/leaflet/"
cp -r "$pkg/dist/images" "$STATIC/leaflet/images"

pkg="$(fetch htmx.org "$HTMX_VERSION" "$HTMX_INTEGRITY")"
replace_dir "$STATIC/htmx"
cp "$pkg/dist/htmx.min.js" "$pkg/LICENSE" "$STATIC/htmx/"

pkg="$(fetch axe-core "$AXE_VERSION" "$AXE_INTEGRITY")"
replace_dir "$TEST_VENDOR/axe-core"
cp "$pkg/axe.min.js" "$pkg/LICENSE" "$pkg/LICENSE-3RD-PARTY.txt" "$TEST_VENDOR/axe-core/"

cat > "$STATIC/VERSIONS.txt" <<EOF
# Written by scripts/vendor-frontend.sh; change the pins there, not here.
leaflet $LEAFLET_VERSION (BSD-2-Clause)
htmx.org $HTMX_VERSION (0BSD)
EOF
cat > "$TEST_VENDOR/VERSIONS.txt" <<EOF
# Written by scripts/vendor-frontend.sh; change the pins there, not here.
axe-core $AXE_VERSION (MPL-2.0)
EOF

echo "vendored leaflet $LEAFLET_VERSION, htmx.org $HTMX_VERSION, axe-core $AXE_VERSION"
