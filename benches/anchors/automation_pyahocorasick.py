"""Anchor: Python `pyahocorasick` matching the same keywords over the same
messages, one thread. argv[1]: a JSON file {"keywords": [[folded, target], ...],
"messages": [folded text, ...]} written by the Rust benchmark (the text is
already folded, so Python does less work than wacrm, which folds every message).
Prints messages/second and the number of messages with at least one hit."""
import json
import sys
import time

import ahocorasick

data = json.load(open(sys.argv[1], encoding="utf-8"))
automaton = ahocorasick.Automaton()
for folded, target in data["keywords"]:
    prev = automaton.get(folded, ())
    automaton.add_word(folded, prev + (target,))
automaton.make_automaton()
messages = data["messages"]

def scan(text):
    targets = set()
    for _end, owners in automaton.iter(text):
        targets.update(owners)
    return targets

with_hits = sum(1 for m in messages if scan(m))
n = 0
start = time.perf_counter()
while time.perf_counter() - start < 3.0:
    for m in messages:
        scan(m)
    n += len(messages)
print(f"{n / (time.perf_counter() - start):.0f} {with_hits}")
