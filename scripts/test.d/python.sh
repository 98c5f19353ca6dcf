#!/usr/bin/env bash
# Python binding: build the abi3 wheel with maturin, install it into a fresh venv,
# run pytest, mypy --strict on the typing tests, and stubtest against the built module.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=${WACRM_PY_VENV:-$TARGET/py-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check "maturin>=1.8,<2" "pytest>=8" "mypy>=1.10"
rm -rf "$TARGET/wheels"
"$VENV/bin/maturin" build -q --profile dev -i "$VENV/bin/python" -m bindings-python/Cargo.toml --out "$TARGET/wheels" >/dev/null
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$TARGET"/wheels/wacrm-*.whl
cd bindings-python
# Run from the tests folder so `import wacrm` resolves to the installed wheel, not the source tree.
(cd tests && "$VENV/bin/python" -m pytest -q -p no:cacheprovider .)
"$VENV/bin/python" -m mypy --strict --no-incremental tests/typing
"$VENV/bin/python" -m mypy.stubtest wacrm._native --ignore-missing-stub
# The Python examples run against the in-process sandbox; each must finish cleanly.
cd "$ROOT"
for ex in examples/python/*.py; do
  echo "example: $ex"
  timeout 120 "$VENV/bin/python" "$ex" >/dev/null
done
