#!/usr/bin/env bash
# Swift binding without a Swift compiler: regenerate the Swift sources and diff them
# against the committed copy, then test the same cdylib through uniffi's Python
# bindings (same FFI scaffolding: async calls, typed errors, foreign traits).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
gen="$TARGET/uniffi"
bash bindings-swift/scripts/generate.sh swift "$gen/swift"
status=0
diff -u bindings-swift/Sources/Wacrm/Wacrm.swift "$gen/swift/Wacrm.swift" || status=1
diff -u bindings-swift/Sources/WacrmFFI/wacrmFFI.h "$gen/swift/wacrmFFI.h" || status=1
diff -u bindings-swift/Sources/WacrmFFI/module.modulemap "$gen/swift/wacrmFFI.modulemap" || status=1
if [ "$status" != 0 ]; then
  echo "generated Swift differs from bindings-swift/Sources: run bindings-swift/scripts/sync-sources.sh and commit" >&2
  exit 1
fi
bash bindings-swift/scripts/generate.sh python "$gen/python"
VENV=${WACRM_PY_VENV:-$TARGET/py-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "pytest>=8"
WACRM_UNIFFI_PY="$gen/python" "$VENV/bin/python" -m pytest -q -p no:cacheprovider bindings-swift/tests/ffi-python
