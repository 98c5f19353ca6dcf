"""C12 binding bench: the Python binding against the Python libraries on the same inputs,
same run, one thread each.

  phone   wacrm.phone.normalize (one batch call per region) vs phonenumbers parse + E.164
  webhook wacrm.webhook.verify_and_parse vs pywa's verify + typed objects (the C2 anchor)

Run with a Python that has the wacrm wheel, phonenumbers and pywa installed:
  python benches/python/binding_bench.py
Prints per-second rates and the ratios (target: >= 10x both).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from typing import Callable, Dict, List, Optional, Tuple

import wacrm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECONDS = float(os.environ.get("WACRM_BENCH_SECS", "3"))
SECRET = "bench-app-secret"


def rate(units: int, fn: Callable[[], None]) -> float:
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        fn()
        n += units
    return n / (time.perf_counter() - start)


def phone() -> Tuple[float, float]:
    import phonenumbers as pn

    path = os.path.join(ROOT, "core/tests/data/phone/corpus.csv")
    rows: List[Tuple[str, Optional[str]]] = [
        (r["input"], r["default_region"] or None) for r in csv.DictReader(open(path, encoding="utf-8"))
    ]
    by_region: Dict[Optional[str], List[str]] = defaultdict(list)
    for text, region in rows:
        by_region[region].append(text)

    def ours() -> None:
        for region, texts in by_region.items():
            wacrm.phone.normalize(texts, region)

    def anchor() -> None:
        for text, region in rows:
            try:
                pn.format_number(pn.parse(text, region), pn.PhoneNumberFormat.E164)
            except pn.NumberParseException:
                pass

    return rate(len(rows), ours), rate(len(rows), anchor)


def text_body() -> bytes:
    text = "Hello, I would like to know more about the order I placed "
    while True:
        body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
            "value": {"messaging_product": "whatsapp",
                      "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                      "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234",
                                    "user_id": "US.13491208655302741918"}],
                      "messages": [{"from": "16505551234", "from_user_id": "US.13491208655302741918",
                                    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                                    "timestamp": "1749416383", "type": "text", "text": {"body": text}}]},
            "field": "messages"}]}]}, separators=(",", ":")).encode()
        if len(body) >= 1024:
            return body
        text += "and when it ships. "


def webhook() -> Tuple[float, Optional[float]]:
    body = text_body()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert wacrm.webhook.verify_and_parse(SECRET, body, sig)[0]["content"]["type"] == "text"

    def ours() -> None:
        for _ in range(100):
            wacrm.webhook.verify_and_parse(SECRET, body, sig)

    mine = rate(100, ours)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        f.write(body)
    try:
        out = subprocess.run([sys.executable, os.path.join(ROOT, "benches/anchors/webhook_pywa.py"), SECRET, f.name, sig],
                             capture_output=True, text=True, check=True)
        anchor: Optional[float] = float(out.stdout.split()[0])
    except (subprocess.CalledProcessError, ValueError, IndexError) as e:
        print(f"pywa anchor failed: {e}", file=sys.stderr)
        anchor = None
    finally:
        os.unlink(f.name)
    return mine, anchor


def main() -> None:
    p_ours, p_anchor = phone()
    print(f"phone   wacrm {p_ours:>12,.0f} inputs/s   phonenumbers {p_anchor:>10,.0f}/s   ratio {p_ours / p_anchor:5.1f}x")
    w_ours, w_anchor = webhook()
    if w_anchor:
        print(f"webhook wacrm {w_ours:>12,.0f} bodies/s   pywa {w_anchor:>18,.0f}/s   ratio {w_ours / w_anchor:5.1f}x")
    else:
        print(f"webhook wacrm {w_ours:>12,.0f} bodies/s   pywa (not available)")


if __name__ == "__main__":
    main()
