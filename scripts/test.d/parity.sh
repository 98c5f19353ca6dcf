#!/usr/bin/env bash
# C12 parity: every surface item exists in the Python stubs, the Node d.ts and the generated
# Swift; every engine operation has the same parameters and result type in all three
# (tests/parity/operations.toml is the one list), and the signature check can fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 tests/parity/check.py
python3 tests/parity/signatures.py
python3 -m unittest -q tests/parity/test_signatures.py
