import os
import sys

# The uniffi-generated Python module of the same cdylib the Swift package uses.
sys.path.insert(0, os.environ["WACRM_UNIFFI_PY"])
