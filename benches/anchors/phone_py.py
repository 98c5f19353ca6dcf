"""Anchor: Python `phonenumbers` (libphonenumber) parse + E.164 on one thread.
Prints inputs/second over the corpus given as argv[1]."""
import csv
import sys
import time

import phonenumbers as pn

rows = [(r["input"], r["default_region"] or None) for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))]
n = 0
start = time.perf_counter()
while time.perf_counter() - start < 3.0:
    for text, region in rows:
        try:
            pn.format_number(pn.parse(text, region), pn.PhoneNumberFormat.E164)
        except pn.NumberParseException:
            pass
    n += len(rows)
print(f"{n / (time.perf_counter() - start):.0f}")
