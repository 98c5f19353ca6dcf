#!/usr/bin/env bash
# Place freshly generated Swift sources into the SwiftPM layout (Sources/Wacrm, Sources/WacrmFFI).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
bash "$here/scripts/generate.sh" swift "$tmp"
cp "$tmp/Wacrm.swift" "$here/Sources/Wacrm/Wacrm.swift"
cp "$tmp/wacrmFFI.h" "$here/Sources/WacrmFFI/wacrmFFI.h"
cp "$tmp/wacrmFFI.modulemap" "$here/Sources/WacrmFFI/module.modulemap"
rm -rf "$tmp"
