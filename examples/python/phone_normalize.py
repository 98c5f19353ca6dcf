"""Normalize a batch of phone numbers in many formats (all cores, GIL released)."""

import wacrm

rows = wacrm.phone.normalize(
    ["090-1234-5678", "+52 55 1234 5678", "+55 11 91234-5678", "+1 (202) 555-0100", "not a number"], "JP"
)
for row in rows:
    print(row.e164 or row.error, row.wa_id or "")
print(wacrm.phone.parse("+44 7911 123456").number_type)
