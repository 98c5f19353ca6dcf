"""Anchor for `wacrm phone normalize`: the same per-line work with Python
`phonenumbers` (libphonenumber) — parse, E.164, region, type, validity —
reading a file of one number per line and writing one CSV line per input.
Usage: python phone_cli_py.py FILE REGION > out.csv"""
import sys

import phonenumbers as pn

TYPES = {v: k.lower() for k, v in vars(pn.PhoneNumberType).items() if k.isupper()}
region = sys.argv[2] or None
out = sys.stdout
out.write("input,e164,region,type,valid,error\n")
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        text = line.rstrip("\r\n")
        try:
            n = pn.parse(text, region)
            e164 = pn.format_number(n, pn.PhoneNumberFormat.E164)
            reg = pn.region_code_for_number(n) or ""
            typ = TYPES.get(pn.number_type(n), "unknown")
            valid = "true" if pn.is_valid_number(n) else "false"
            out.write(f"\"{text}\",{e164},{reg},{typ},{valid},\n")
        except pn.NumberParseException as e:
            out.write(f"\"{text}\",,,,false,{e.error_type}\n")
