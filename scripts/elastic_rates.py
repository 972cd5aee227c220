"""Sums up `tripline rules validate --format json` per rule type: how many
rules loaded, were skipped or refused, and the commonest reasons."""
import collections
import json
import sys

by = collections.defaultdict(collections.Counter)
why = collections.defaultdict(collections.Counter)
for line in sys.stdin:
    try:
        s = json.loads(line)
    except ValueError:
        continue
    kind = s.get("type") or s.get("language") or "?"
    status = s["status"]
    by[kind]["loaded" if status in ("ok", "warning") else status] += 1
    if status not in ("ok", "warning"):
        why[(kind, status)][s.get("message", "")[:110]] += 1
total = collections.Counter()
for kind in sorted(by):
    counts = by[kind]
    total.update(counts)
    print("  %-18s %s" % (kind, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    for status in ("skipped", "error"):
        for msg, n in why[(kind, status)].most_common(5):
            print("      %3d %s: %s" % (n, status, msg))
n = sum(total.values())
if n:
    print("  %-18s %s  (%.1f%% loaded)" % ("all", ", ".join("%s %d" % kv for kv in sorted(total.items())), 100.0 * total["loaded"] / n))
