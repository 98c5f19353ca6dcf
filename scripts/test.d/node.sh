#!/usr/bin/env bash
# Node binding: npm ci, debug build with napi (regenerating binding.d.ts, which must
# match the committed copy), node --test, and the TypeScript types test.
set -euo pipefail
cd "$(dirname "$0")/../../bindings-node"
npm ci --no-audit --no-fund --loglevel=error
npx napi build --platform --js binding.js --dts binding.d.ts >/dev/null
if ! git diff --exit-code -- binding.d.ts binding.js; then
  echo "bindings-node/binding.d.ts or binding.js differ from the committed copy: rebuild and commit them" >&2
  exit 1
fi
node --test __test__/
npx tsc --noEmit -p __test__
# The Node examples run against the in-process sandbox; each must finish cleanly.
cd ..
for ex in examples/node/*.mjs; do
  echo "example: $ex"
  WACRM_NODE="$PWD/bindings-node/index.js" timeout 120 node "$ex" >/dev/null
done
# `npm pack` makes an installable package for this platform: install it into an empty
# project and use it.
pack_dir=$(mktemp -d)
(cd bindings-node && npm pack --silent --pack-destination "$pack_dir" >/dev/null)
(cd "$pack_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error ./wacrm-*.tgz >/dev/null &&
  node -e "const w = require('wacrm'); if (w.phone.parse('090-1234-5678', 'JP').e164 !== '+819012345678') process.exit(1)")
rm -rf "$pack_dir"
echo "npm pack: installable"
