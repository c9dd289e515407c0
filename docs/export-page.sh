#!/usr/bin/env bash
# Make docs/export-page.png (the README's picture of an export) with the project's own command:
# symbackprop export, compiled by pdflatex, first page rendered by pdftoppm (poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
symbackprop export --from derivations/mistakes/mle_ex4_common_mistakes.yaml -o "$tmp/notes.tex"
(cd "$tmp" && pdflatex -interaction=nonstopmode -halt-on-error -no-shell-escape notes.tex >/dev/null)
pdftoppm -png -r 80 -f 2 -l 2 "$tmp/notes.pdf" "$tmp/page"
cp "$tmp"/page*.png docs/export-page.png
echo "docs/export-page.png"
