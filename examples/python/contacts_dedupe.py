"""Find duplicate customers in a CSV (names in any script, corroborated by phone, email,
city) and merge them through the store, keeping every conversation and message."""

import os
import tempfile

import wacrm
from wacrm import DedupeCsvArgs, ImportArgs

CSV = """id,name,phone,email,city
c1,Ana Sousa,+351 912 345 678,ana@example.com,Lisboa
c2,Ana Souza,+351 912 345 678,ana@example.com,Lisboa
c3,Bruno Lima,+351 913 000 111,bruno@example.com,Porto
c4,José Álvarez,+34 612 345 678,jose@example.es,Madrid
c5,Jose Alvarez,+34 612 345 678,jalvarez@example.es,Madrid
"""

path = os.path.join(tempfile.mkdtemp(), "customers.csv")
with open(path, "w", encoding="utf-8") as f:
    f.write(CSV)
maps = ["name=name", "phone=phone", "email=email", "city=city"]
out = wacrm.contacts.dedupe_csv(DedupeCsvArgs([path], maps, id_column="id", region="PT"))
for p in out.result.pairs:
    print(f"{p.a} ~ {p.b}  score {p.score:.3f}  {p.evidence}")

stores = wacrm.Stores()
stores.contacts_import_csv(ImportArgs(path, ["id=external_id"] + maps, id_column="id", region="PT"))
merged = stores.contacts_dedupe(merge=True).merged
print("merged:", merged.merged if merged else 0,
      "remaining:", [c for c in ("c1", "c2", "c4", "c5") if stores.contact_get(c)])
