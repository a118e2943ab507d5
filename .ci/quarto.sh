#!/usr/bin/env bash
# A real Quarto 1.7.34 for the tests, assembled offline from ../shared/tools/quarto-1.7.34
# (Quarto's own source plus deno, dart-sass and esbuild from npm, pandoc from PyPI; see that
# folder's README). Like .ci/postgres.sh for PostgreSQL: the Makefile's `test` target runs it in
# the background and passes the executable to pytest as CSLIB_TEST_QUARTO.
#
# usage: .ci/quarto.sh [DEST]   prints the path of the quarto executable on stdout
#   DEST defaults to ${XDG_CACHE_HOME:-~/.cache}/cslib/quarto-1.7.34 and is reused once ready.
# exit 3: the shared folder is absent (the Quarto tests then skip, saying so);
# exit 4: npm or python3 is missing and cannot be installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${CSLIB_QUARTO_SOURCE:-$root/../shared/tools/quarto-1.7.34}
dest=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/cslib/quarto-1.7.34}
exe=$dest/bin/quarto
stamp=$dest/.cslib-ready

if [ ! -f "$src/assemble.sh" ] || [ ! -f "$src/quarto-cli-1.7.34-src.tgz" ]; then
    echo "no Quarto source at $src (../shared/tools/quarto-1.7.34): the Quarto tests are skipped" >&2
    exit 3
fi
if [ -f "$stamp" ] && [ -x "$exe" ] && "$exe" --version >/dev/null 2>&1; then
    echo "$exe"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "npm is missing; installing Debian's npm package" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >&2
    else
        echo "npm is needed to assemble Quarto (apt-get install npm)" >&2
        exit 4
    fi
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to assemble Quarto" >&2; exit 4; }

rm -f "$stamp"
bash "$src/assemble.sh" "$dest" >&2
# Deno fetches Quarto's npm: imports on the first run: warm its cache with one tiny render to
# HTML and one to Typst, so no test pays for it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf -- '---\ntitle: warm\n---\n\nHello.\n' > "$tmp/warm.qmd"
(cd "$tmp" && "$exe" render warm.qmd --to html >&2 && "$exe" render warm.qmd --to typst >&2)
touch "$stamp"
echo "$exe"
