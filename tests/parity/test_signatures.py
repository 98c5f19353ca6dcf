"""The signature check must be able to fail: each test changes one binding's
text in memory the way a drifting binding would, and expects the difference
to be reported."""

from __future__ import annotations

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import signatures as s  # noqa: E402


class SignatureCheck(unittest.TestCase):
    def setUp(self) -> None:
        self.spec = s.load_spec()
        self.py = {p.name: p.read_text() for p in sorted(s.PY_DIR.glob("*.py"))}
        self.node = s.NODE_DTS.read_text()
        self.swift = s.SWIFT.read_text()

    def problems(self) -> list[str]:
        return s.compare(self.spec, s.surfaces_from(self.py, self.node, self.swift, self.spec))

    def test_the_bindings_agree(self) -> None:
        self.assertEqual(self.problems(), [])

    def test_a_renamed_parameter_in_node_is_reported(self) -> None:
        self.node = self.node.replace("contactGet(id: string)", "contactGet(contactId: string)")
        self.assertIn("node: Stores.contact_get parameters ['contact_id'] != ['id']", self.problems())

    def test_a_changed_result_type_in_swift_is_reported(self) -> None:
        self.swift = self.swift.replace("open func contactGet(id: String)async throws  -> Contact?", "open func contactGet(id: String)async throws  -> Contact")
        self.assertIn("swift: Stores.contact_get returns Contact != Contact?", self.problems())

    def test_reordered_parameters_in_python_are_reported(self) -> None:
        name = next(n for n, t in self.py.items() if "def send_text(" in t)
        self.py[name] = self.py[name].replace("def send_text(self, from_: str, to: str,", "def send_text(self, to: str, from_: str,")
        self.assertTrue(any(p.startswith("python: Client.send_text parameters") for p in self.problems()), self.problems())

    def test_a_missing_operation_is_reported(self) -> None:
        self.node = self.node.replace("  queueLen(): number", "")
        self.assertIn("node: Assignment.queue_len is missing", self.problems())


if __name__ == "__main__":
    unittest.main()
