"""Import a CSV with arbitrary columns into the store: bad rows come back with their line
numbers while the good rows import; then target a segment by tags."""

import os
import tempfile

import wacrm
from wacrm import ContactFilter, ImportArgs, Segment

CSV = """Customer,Mobile,E-mail,Town,Labels
Ana Sousa,+351 912 345 678,ana@example.com,Lisboa,vip;hk
Bruno Lima,912 000 111,bruno@example.com,Porto,hk
Carla Dias,not a phone,carla@example.com,Faro,
山田 太郎,+81 90-1234-5678,taro@example.jp,東京,jp
"""

path = os.path.join(tempfile.mkdtemp(), "contacts.csv")
with open(path, "w", encoding="utf-8-sig") as f:  # with a BOM, as spreadsheets write it
    f.write(CSV)
stores = wacrm.Stores()
report = stores.contacts_import_csv(ImportArgs(path, ["Customer=name", "Mobile=phone", "E-mail=email", "Town=city",
                                                      "Labels=tags"], region="PT"))
print("imported", report.imported, "of", report.rows)
for bad in report.bad_rows:
    print(f"line {bad.line}: {bad.reason}")
for c in stores.segment_members(Segment("hong-kong", ContactFilter(tags_all=["hk"]))):
    print("segment hk:", c.name, c.e164)
