#!/usr/bin/env bash
# Browser tests of the sandbox inspector page (`/_sandbox/ui`): Debian's headless
# Chromium driven by playwright-core (no browser download), run by node's test
# runner against a real `wacrm sandbox`. Screenshots land in target/browser-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ]; then
  echo "skipped: no Chromium (install Debian's chromium package or set CHROMIUM)"
  exit 0
fi
if [ -z "${WACRM_BIN:-}" ]; then
  cargo build -p wacrm-cli --bin wacrm
  target=${CARGO_TARGET_DIR:-target}
  case "$target" in /*) ;; *) target="$ROOT/$target" ;; esac
  WACRM_BIN="$target/debug/wacrm"
fi
export WACRM_BIN CHROMIUM
export WACRM_BROWSER_ARTIFACTS="$ROOT/target/browser-artifacts"
cd tests/browser
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
node --test --test-concurrency=1 inspector.test.mjs
echo "screenshots: $WACRM_BROWSER_ARTIFACTS"
