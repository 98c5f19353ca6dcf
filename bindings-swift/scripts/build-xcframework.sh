#!/usr/bin/env bash
# macOS only: build the static libraries for iOS, the iOS simulator and macOS, and
# bundle them with the generated header into Wacrm.xcframework.
set -euo pipefail
cd "$(dirname "$0")/../.."
targets=(aarch64-apple-ios aarch64-apple-ios-sim aarch64-apple-darwin)
for t in "${targets[@]}"; do
  rustup target add "$t"
  cargo build -p wacrm-swift --release --target "$t"
done
bash bindings-swift/scripts/sync-sources.sh
out=bindings-swift/build
rm -rf "$out" && mkdir -p "$out/headers"
cp bindings-swift/Sources/WacrmFFI/wacrmFFI.h "$out/headers/"
cp bindings-swift/Sources/WacrmFFI/module.modulemap "$out/headers/module.modulemap"
args=()
for t in "${targets[@]}"; do
  args+=(-library "target/$t/release/libwacrm_swift.a" -headers "$out/headers")
done
xcodebuild -create-xcframework "${args[@]}" -output "$out/Wacrm.xcframework"
echo "built $out/Wacrm.xcframework"
