#!/usr/bin/env python3
"""Expected answers, from Google's libphonenumber (the Python `phonenumbers`
port), for the parsing cases of libphonenumber's own tests
(PhoneNumberUtilTest / phonenumberutiltest.py: extensions, RFC 3966 `tel:`
URIs, vanity letters, digits of other scripts, international prefixes typed
after `+`, national prefixes, invalid input), written with real numbers
because those tests run on test-only metadata.

Usage: python3 scripts/gen_phone_cases.py > core/tests/data/phone/libphonenumber_cases.csv
Columns: input, default_region, e164, extension, region, type, valid
(e164 empty when libphonenumber refuses the input; extension digits in ASCII).
"""

import csv
import sys
import unicodedata

import phonenumbers as pn
from phonenumbers import PhoneNumberFormat as F

TYPES = {
    0: "fixed_line", 1: "mobile", 2: "fixed_line_or_mobile", 3: "toll_free",
    4: "premium_rate", 5: "shared_cost", 6: "voip", 7: "personal_number",
    8: "pager", 9: "uan", 10: "voicemail", 99: "unknown",
}

NZ = "03 331 6005"
US = "(650) 253-0000"
CASES = [
    # Extensions (testParseExtensions, testParseHandlesLongExtensionsWithExplicitLabels, ...).
    (NZ + " ext 3456", "NZ"), (NZ + " ext. 3456", "NZ"), (NZ + " x 3456", "NZ"),
    (NZ + "x3456", "NZ"), (NZ + " #3456", "NZ"), (NZ + " int 3456", "NZ"),
    (NZ + " ~3456", "NZ"), (NZ + " anexo 3456", "NZ"), (NZ + " ext: 7246433", "NZ"),
    (NZ + ", extensión 7246433", "NZ"), (NZ + ", extensio\u0301n 7246433", "NZ"),
    (NZ + " ДОБ. 100", "NZ"), (NZ + " доб 100", "NZ"), (NZ + " ｅｘｔｎ 3456", "NZ"),
    (NZ + " EXT 3456", "NZ"), (NZ + " ext 12#", "NZ"), (NZ + ",,3456", "NZ"), (NZ + ";3456", "NZ"),
    (NZ + ", 3456", "NZ"), ("(212) 123-1234 x508", "US"), ("(212) 123-1234 ext. 508", "US"),
    ("(212) 123-1234 - 503#", "US"), ("+1 (645) 123 1234-910#", "US"),
    ("+1 (645) 123 1234 ext. 910#", "US"), ("+1 212 123 1234;ext=456", None),
    ("(800) 901-3355 x 7246433", "US"), ("(800) 901-3355 , ext 7246433", "US"),
    ("(800) 901-3355 ext: 7246433", "US"), ("(800) 901-3355 ext.: 7246433", "US"),
    ("(800) 901-3355 ,extension 7246433", "US"), ("(800) 901-3355 ,x 7246433", "US"),
    ("(800) 901-3355 ,extensio\u0301n 7246433", "US"), ("1 (800) 901-3355 ext 7246433", "US"),
    ("+44 2034567890x456", "NZ"), ("+44 2034567890x456", "GB"), ("+44 2034567890 x456", "GB"),
    ("+44 2034567890 X 456", "GB"), ("+44 2034567890 X 456#", "GB"), ("+44 2034567890 ext 123456789012345678", "GB"),
    ("+64 3 331 6005 x 12345678901", None),
    ("+1 650 253 0000 / x123", None),
    # RFC 3966 (testParseNumbersWithPlusWithNoRegion, testParseNationalNumber, testParseExtensions).
    ("tel:03-331-6005;phone-context=+64", None), ("  tel:03-331-6005;phone-context=+64", None),
    ("tel:03-331-6005;isub=12345;phone-context=+64", None), ("tel:331-6005;phone-context=+64-3", None),
    ("tel:331-6005;phone-context=+64-3", "US"), ("tel:03-331-6005;phone-context=+64;a=%A1", None),
    ("tel:03-331-6005;phone-context=example.com", "NZ"), ("tel:+64-3-331-6005;ext=3456", None),
    ("tel:+64-3-331-6005;isub=1234", None), ("tel:2034567890;ext=456;phone-context=+44", None),
    ("tel:+1-650-253-0000;ext=123", "US"), ("tel:253-0000;phone-context=www.google.com", "US"),
    ("tel:555-1234;phone-context=www.google.com", None), ("tel:03-331-6005;phone-context=", "NZ"),
    ("tel:03-331-6005;phone-context=1-331", "NZ"), ("tel:03-331-6005;phone-context=+", "NZ"),
    ("tel:03-331-6005;phone-context=64", "NZ"), (";phone-context=", "NZ"),
    # Vanity letters (testParseNumberWithAlphaCharacters, testConvertAlphaCharactersInNumber).
    ("1-800-SIX-FLAG", "US"), ("1800 SIX FLAG", "US"), ("1800 SIX FLAGS", "US"),
    ("1-800-Flowers", "US"), ("1-800-MICROSOFT", "US"), ("0800 REPAIR", "GB"),
    ("1800-MY-APPLE", "US"), ("+1 800 GOT JUNK", None),
    # Digits of other scripts and full-width forms (testParseNonAscii, testNormaliseOtherDigits).
    ("\uFF0B64 3 331 6005", None), ("\uFF0B\uFF16\uFF14 3 331 6005", None),
    ("\uFF0864\uFF09 3 331 6005", "NZ"), ("\u0660\u0663 \u0663\u0663\u0661 \u0666\u0660\u0660\u0665", "NZ"),
    ("\u06F0\u06F3 \u06F3\u06F3\u06F1 \u06F6\u06F0\u06F0\u06F5", "NZ"),
    ("\u0966\u0969 \u0969\u0969\u0967 \u096C\u0966\u0966\u096B", "NZ"),
    ("\u1810\u1813 \u1813\u1813\u1811 \u1816\u1810\u1810\u1815", "NZ"),
    ("\u09E6\u09E9 \u09E9\u09E9\u09E7 \u09EC\u09E6\u09E6\u09EB", "NZ"),
    ("\u0E50\u0E53 \u0E53\u0E53\u0E51 \u0E56\u0E50\u0E50\u0E55", "NZ"),
    ("\u0660\u0665\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667", "AE"),
    ("\u0966\u096F\u096E\u096D\u096C\u096B \u096A\u0969\u0968\u0967\u0966", "IN"),
    ("\u0967\u0968\u0969 \u0967\u0968\u0969 \u096A\u096B\u096C\u096D", "IN"),
    ("\uFF10\uFF19\uFF10\uFF0D\uFF11\uFF12\uFF13\uFF14\uFF0D\uFF15\uFF16\uFF17\uFF18", "JP"),
    ("\uFF0B\uFF18\uFF11\u3000\uFF19\uFF10\u3000\uFF11\uFF12\uFF13\uFF14\u3000\uFF15\uFF16\uFF17\uFF18", None),
    ("+1 650\u2010253\u20100000", None), ("+1 650\u2013253\u20140000", None),
    ("1 (650) 253\u00AD-0000", "US"), ("+1 650 253 0000 \u0661\u0662\u0663", None),
    (NZ + " ext \u0661\u0662", "NZ"),
    # International prefixes, with and without a `+` before them
    # (testParseWithInternationalPrefixes, testFailedParseOnInvalidNumbers).
    ("+0064 3 331 6005", "NZ"), ("+0064 3 331 6005", "GB"), ("+0064 3 331 6005", None),
    ("+01164 3 331 6005", "US"), ("+01164 3 331 6005", None), ("+011 64 3 331 6005", "CA"),
    ("+00 123 456 789", None), ("+00 123 456 789", "US"), ("+0 123 456 789", "GB"),
    ("+ 00 210 3 331 6005", "NZ"), ("+210 3456 56789", "NZ"), ("+49 0", "DE"),
    ("0044------", "GB"), ("0044", "GB"), ("011", "US"), ("0119", "US"), ("+---", "DE"),
    ("+***", "DE"), ("+*******91", "DE"), ("123 456 7890", None), ("0064 3 331 6005", "NZ"),
    ("011 800 1234 5678", "US"), ("0011-650-253-0000", "SG"), ("0081-650-253-0000", "SG"),
    ("0191-650-253-0000", "SG"), ("++1 (650) 253-0000", "PL"), ("+1 (650) 253-0000", "NZ"),
    ("+800 1234 5678", None), ("+979 123 456 789", None), ("00 0123 456 789", "GB"),
    ("00 1 650 253 0000", "US"), ("0 1 650 253 0000", "US"),
    # National prefixes and a (0) typed after the country code.
    ("+57 (0)321 1233971", None), ("+57 (0)321 1233971", "CO"), ("+57 321 1233971", None),
    ("+57 03211233971", None), ("+44 (0) 20 7031 3000", None), ("+44 (0)20 7031 3000", "GB"),
    ("+39 (0)6 1234 5678", None), ("+39 06 1234 5678", None), ("+49 (0)30 1234567", None),
    ("+7 8 800 555 35 35", None), ("+7 (8) 495 123 4567", None), ("+55 0 11 98765 4321", None),
    ("+86 (0)10 1234 5678", None), ("+62 (0)21 1234 5678", None), ("+90 (0) 212 123 45 67", None),
    ("+33 (0)1 23 45 67 89", None), ("+33 0 1 23 45 67", None), ("+64 (0) 3 331 6005", None),
    ("+52 1 55 1234 5678", None), ("+54 9 11 1234 5678", None), ("+54 0 11 15 1234 5678", None),
    ("011 15 1234 5678", "AR"), ("0343 15 555 1212", "AR"), ("+54 9 343 555 1212", None),
    ("01 55 1234 5678", "MX"), ("044 55 1234 5678", "MX"), ("045 55 1234 5678", "MX"),
    ("0 11 98765 4321", "BR"), ("0 15 11 98765 4321", "BR"), ("012 11 98765 4321", "BR"),
    ("8 800 555 35 35", "RU"), ("8 495 123 4567", "RU"), ("03 331 6005", "NZ"),
    ("3 331 6005", "NZ"), ("64 3 331 6005", "NZ"), ("643 331 6005", "NZ"),
    ("1 650 253 0000", "US"), ("650 253 0000", "US"), ("253 0000", "US"),
    ("852 9123 4567", "HK"), ("0 21 1234 5678", "ID"), ("02 1234 5678", "AU"),
    ("06 1234 5678", "IT"), ("312 345 6789", "IT"), ("0 20 7031 3000", "GB"),
    ("020 7031 3000", "GG"), ("01481 123456", "GB"), ("01481 123456", "GG"),
    ("+44 1481 123456", None), ("0 3 331 6005", "NZ"),
    # Not numbers, or too short / long (testFailedParseOnInvalidNumbers).
    ("This is not a phone number", "NZ"), ("1 Still not a number", "NZ"),
    ("1 MICROSOFT", "NZ"), ("12 MICROSOFT", "NZ"), ("01495 72553301873 810104", "GB"),
    ("+49 0", "DE"), ("+80012345678901234567890", None), ("2", "NZ"), ("12", "NZ"),
    ("123", "NZ"), ("(00) 44 20 7031 3000", "GB"), ("Tel: +64 3 331 6005", None),
    ("call me at +44 7911 123456", None), ("+44 7911 123456 please", None), ("+64 3 331 6005.", None), ("+64 3 331 6005 #", None),
    ("+64 3 331 6005#", None), ("+64 3 331 6005 ", None), ("(+64) 3 331 6005", None),
]


def ascii_digits(s):
    return "".join(str(unicodedata.digit(c)) if unicodedata.category(c) == "Nd" else c for c in s)


def main():
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["input", "default_region", "e164", "extension", "region", "type", "valid"])
    seen = set()
    for text, region in CASES:
        if (text, region) in seen:
            continue
        seen.add((text, region))
        try:
            n = pn.parse(text, region)
            w.writerow([
                text, region or "", pn.format_number(n, F.E164), ascii_digits(n.extension or ""),
                pn.region_code_for_number(n) or "", TYPES[pn.number_type(n)],
                "true" if pn.is_valid_number(n) else "false",
            ])
        except pn.NumberParseException:
            w.writerow([text, region or "", "", "", "", "", ""])


if __name__ == "__main__":
    main()
