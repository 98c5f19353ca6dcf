#!/usr/bin/env bash
# C12 parity: every surface item exists in the Python stubs, the Node d.ts and the generated Swift.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 tests/parity/check.py
