#!/bin/sh
# Copy Apache ECharts (pinned) from the npm registry into the dashboard's static files.
# Usage: scripts/vendor_echarts.sh   (needs npm; run from the repository root)
set -eu
VERSION=5.6.0
DEST=src/jiceng/dashboard/static/dashboard/vendor
TMP=$(mktemp -d)
(cd "$TMP" && npm pack --silent "echarts@$VERSION" >/dev/null 2>&1 && tar xzf "echarts-$VERSION.tgz")
cp "$TMP/package/dist/echarts.min.js" "$DEST/echarts.min.js"
cp "$TMP/package/LICENSE" "$DEST/echarts.LICENSE"
cp "$TMP/package/NOTICE" "$DEST/echarts.NOTICE" 2>/dev/null || true
echo "echarts $VERSION" > "$DEST/VERSIONS"
rm -rf "$TMP"
