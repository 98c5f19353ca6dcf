"""The static types hold: mypy rejects each line of typing_wrong/ marked `# E:`
(a result used as the wrong type, an un-awaited async result, a dict where a
typed message is due, a parameter name the core does not use)."""

import re
import subprocess
import sys
from pathlib import Path

WRONG = Path(__file__).parent / "typing_wrong" / "wrong_usage.py"


def test_mypy_rejects_each_marked_misuse() -> None:
    expected = {i for i, line in enumerate(WRONG.read_text().splitlines(), 1) if "# E:" in line}
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary",
                          str(WRONG)], capture_output=True, text=True, timeout=300).stdout
    flagged = {int(m.group(1)) for m in re.finditer(r"wrong_usage\.py:(\d+): error", out)}
    assert flagged == expected, out
