#!/usr/bin/env python3
"""Generate the phone-number agreement corpus from Google's libphonenumber
(the Python `phonenumbers` port): example numbers of many regions and types,
written the ways people type them, plus invalid inputs.

Usage: python3 scripts/gen_phone_corpus.py > core/tests/data/phone/corpus.csv
Columns: input, default_region, e164, region, type, valid  (e164 empty when
libphonenumber cannot parse the input).
"""

import csv
import random
import sys

import phonenumbers as pn
from phonenumbers import PhoneNumberFormat as F
from phonenumbers import PhoneNumberType as T

TYPES = {
    T.FIXED_LINE: "fixed_line",
    T.MOBILE: "mobile",
    T.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    T.TOLL_FREE: "toll_free",
    T.PREMIUM_RATE: "premium_rate",
    T.SHARED_COST: "shared_cost",
    T.VOIP: "voip",
    T.PERSONAL_NUMBER: "personal_number",
    T.PAGER: "pager",
    T.UAN: "uan",
    T.VOICEMAIL: "voicemail",
    T.UNKNOWN: "unknown",
}

REGIONS = sorted(
    "JP HK CN TW KR SG MY TH VN ID PH IN PK BD AE SA EG IL TR GB IE FR DE ES IT PT NL BE CH AT SE NO DK FI PL "
    "CZ RU UA US CA MX BR AR CL CO PE AU NZ ZA NG KE MA GG JE IM".split()
)
FULLWIDTH = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")


def variants(num, region, rng):
    nat = pn.format_number(num, F.NATIONAL)
    intl = pn.format_number(num, F.INTERNATIONAL)
    e164 = pn.format_number(num, F.E164)
    out = [
        (e164, ""),
        (intl, ""),
        (nat, region),
        (nat.replace(" ", "-"), region),
        (nat.replace(" ", "."), region),
        ("00" + e164[1:], "GB"),
        (intl.translate(FULLWIDTH), ""),
        (f"Tel: {intl}.", ""),
        (nat.replace(" ", ""), region),
    ]
    rng.shuffle(out)
    return out[:6]


def main():
    rng = random.Random(7)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["input", "default_region", "e164", "region", "type", "valid"])
    for region in REGIONS:
        for t in TYPES:
            ex = pn.example_number_for_type(region, t)
            if ex is None:
                continue
            base = pn.national_significant_number(ex)
            # The example plus numbers that differ in the last digits.
            samples = {base}
            for _ in range(6):
                k = rng.randint(1, 3)
                samples.add(base[:-k] + "".join(rng.choice("0123456789") for _ in range(k)))
            for nsn in sorted(samples):
                num = pn.parse("+" + str(ex.country_code) + nsn, None)
                for text, default in variants(num, region, rng):
                    write(w, text, default)
        # Invalid or odd inputs for this region.
        for text in ["12", "abc", "0" * 25, "+" + str(pn.country_code_for_region(region)) + "1"]:
            write(w, text, region)


def write(w, text, default):
    try:
        num = pn.parse(text, default or None)
    except pn.NumberParseException:
        w.writerow([text, default, "", "", "", "false"])
        return
    region = pn.region_code_for_number(num) or "001"
    valid = pn.is_valid_number(num)
    typ = TYPES.get(pn.number_type(num), "unknown") if valid else "unknown"
    w.writerow([text, default, pn.format_number(num, F.E164), region, typ, "true" if valid else "false"])


if __name__ == "__main__":
    main()
