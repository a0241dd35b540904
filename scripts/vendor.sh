#!/usr/bin/env bash
# Refresh kent360/static/vendor from the npm registry (versions in kent360/static/vendor/README.md)
# and the press office's Trix editor (version in kent360/press/static/press/vendor/trix/README.md).
set -euo pipefail
tmp=$(mktemp -d)
cd "$tmp"
npm init -y >/dev/null
npm install --silent bootstrap@5.3.9 htmx.org@2.0.11 leaflet@1.9.4 bootstrap-icons@1.13.2 chart.js@4.6.1 leaflet.markercluster@1.5.3 trix@2.1.19
cd - >/dev/null
dest=kent360/static/vendor
cp "$tmp"/node_modules/bootstrap/dist/css/bootstrap{,.rtl}.min.css "$tmp"/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $dest/bootstrap/
cp "$tmp"/node_modules/htmx.org/dist/htmx.min.js $dest/htmx/
cp "$tmp"/node_modules/leaflet/dist/leaflet.{js,css} $dest/leaflet/ && cp -r "$tmp"/node_modules/leaflet/dist/images $dest/leaflet/
cp "$tmp"/node_modules/bootstrap-icons/font/bootstrap-icons.min.css $dest/bootstrap-icons/ && cp -r "$tmp"/node_modules/bootstrap-icons/font/fonts $dest/bootstrap-icons/
cp "$tmp"/node_modules/chart.js/dist/chart.umd.min.js $dest/chartjs/
cp "$tmp"/node_modules/leaflet.markercluster/dist/{leaflet.markercluster.js,MarkerCluster.css,MarkerCluster.Default.css} $dest/leaflet.markercluster/
trix=kent360/press/static/press/vendor/trix
cp "$tmp"/node_modules/trix/dist/trix.umd.min.js "$tmp"/node_modules/trix/dist/trix.css "$tmp"/node_modules/trix/LICENSE $trix/
rm -rf "$tmp"
# The source maps are not shipped: drop the comments pointing to them, or the production
# static storage (whitenoise's manifest) refuses the files at collectstatic.
grep -rlE '^/[/*]# sourceMappingURL=' $dest $trix | xargs -r sed -i -E '/^\/[\/*]# sourceMappingURL=[^ ]+( \*\/)?$/d'
