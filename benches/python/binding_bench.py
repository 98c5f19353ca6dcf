"""C12 binding bench: the Python binding against the Python libraries on the same inputs,
same run.

  phone   wacrm.phone.normalize (one batch call per region; the batch uses every core, as it
          does for users) vs phonenumbers parse + E.164 in a loop (one thread)
  webhook wacrm.webhook.Verifier.verify_and_parse vs pywa's verify + typed objects (the C2
          anchor), one thread each; the events' fields are decoded when first read, so a
          second line also reads every field of the typed event (routing, contact,
          content, ...), which is what pywa builds up front

Run with a Python that has the wacrm wheel, phonenumbers and pywa installed:
  python benches/python/binding_bench.py
Prints per-second rates and the ratios (target: >= 10x both).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import importlib.util
import os
import statistics
import sys
import time
from collections import defaultdict
from typing import Callable, Dict, List, Optional, Tuple

import wacrm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECONDS = float(os.environ.get("WACRM_BENCH_SECS", "1"))
ROUNDS = int(os.environ.get("WACRM_BENCH_ROUNDS", "5"))
SECRET = "bench-app-secret"


def rate(units: int, fn: Callable[[], None]) -> float:
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        fn()
        n += units
    return n / (time.perf_counter() - start)


def alternate(units: int, ours: Callable[[], None], anchor: Callable[[], None]) -> Tuple[float, float]:
    """Medians over rounds that alternate the two sides, so a busy moment of the machine
    hits both alike."""
    a: List[float] = []
    b: List[float] = []
    for _ in range(ROUNDS):
        a.append(rate(units, ours))
        b.append(rate(units, anchor))
    return statistics.median(a), statistics.median(b)


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

    return alternate(len(rows), ours, anchor)


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


def webhook() -> Tuple[float, Optional[float], float]:
    body = text_body()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    first = wacrm.webhook.verify_and_parse(SECRET, body, sig)[0]
    assert isinstance(first, wacrm.webhook.MessageEvent) and first.content.type == "text"

    # A server keys the verifier once, as pywa's server does with its app secret.
    verify_and_parse = wacrm.webhook.Verifier(SECRET).verify_and_parse

    def ours() -> None:
        for _ in range(100):
            verify_and_parse(body, sig)

    def ours_read() -> None:
        for _ in range(100):
            for e in verify_and_parse(body, sig):
                if isinstance(e, wacrm.webhook.MessageEvent):
                    (e.routing, e.id, e.from_, e.from_user_id, e.timestamp, e.contact, e.context, e.referral,
                     e.content, e.errors, e.raw)

    # pywa's side is the C2 anchor's own function, run in this process.
    spec = importlib.util.spec_from_file_location("webhook_pywa", os.path.join(ROOT, "benches/anchors/webhook_pywa.py"))
    try:
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        client = mod.WhatsApp(token="x", phone_id="106540352242922", server=None)
    except ImportError as e:
        print(f"pywa anchor not available: {e}", file=sys.stderr)
        return rate(100, ours), None, rate(100, ours_read)
    one = mod.one

    def anchor() -> None:
        for _ in range(100):
            one(client, SECRET, body, sig)

    read, anchor_rate = alternate(100, ours_read, anchor)
    return alternate(100, ours, anchor)[0], anchor_rate, read


def main() -> None:
    p_ours, p_anchor = phone()
    print(f"phone   wacrm {p_ours:>12,.0f} inputs/s   phonenumbers {p_anchor:>10,.0f}/s   ratio {p_ours / p_anchor:5.1f}x")
    w_ours, w_anchor, w_read = webhook()
    if w_anchor:
        print(f"webhook wacrm {w_ours:>12,.0f} bodies/s   pywa {w_anchor:>18,.0f}/s   ratio {w_ours / w_anchor:5.1f}x")
        print(f"  + every field read {w_read:>10,.0f} bodies/s   pywa {w_anchor:>18,.0f}/s   ratio {w_read / w_anchor:5.1f}x")
    else:
        print(f"webhook wacrm {w_ours:>12,.0f} bodies/s   pywa (not available)")


if __name__ == "__main__":
    main()
