#!/usr/bin/env bash
# Regenerate the Swift sources (and, for the Linux FFI tests, the uniffi Python module)
# from the built library. Usage: generate.sh [swift|python] OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET=${CARGO_TARGET_DIR:-$(pwd)/target}
lang=${1:-swift}
out=${2:-bindings-swift/generated}
cargo build -q -p wacrm-swift
lib="$TARGET/debug/libwacrm_swift.so"
[ -f "$lib" ] || lib="$TARGET/debug/libwacrm_swift.dylib"
rm -rf "$out" && mkdir -p "$out"
cargo run -q -p wacrm-swift --bin uniffi-bindgen -- generate --library "$lib" \
  --language "$lang" --config bindings-swift/uniffi.toml --no-format --out-dir "$out" >/dev/null
if [ "$lang" = python ]; then cp "$lib" "$out/"; fi
