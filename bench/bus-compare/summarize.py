#!/usr/bin/env python3
"""Markdown tables from a run.sh output folder: the throughput rounds and the outages."""

import csv
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

out = Path(sys.argv[1])


def med(xs, fmt):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    m = statistics.median(xs)
    if len(xs) == 1 or min(xs) == max(xs):
        return fmt.format(m)
    return (fmt + " ({}-{})").format(m, fmt.format(min(xs)), fmt.format(max(xs)))


rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines() if line.strip()]
groups = defaultdict(list)
for r in rows:
    groups[(r["rate"], r["variant"])].append(r)

print("| variant | offered msgs/s | delivered copies/s | p50 ms | p99 ms | node CPU s / 1000 copies | redis CPU s / 1000 copies | Redis cmds / msg | lost | dup | rounds |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for (rate, variant), rs in sorted(groups.items()):
    node_cpu = [1000 * (r["cpu_s"]["node1"] + r["cpu_s"]["node2"]) / max(r["delivered_copies"], 1) for r in rs]
    redis_cpu = [1000 * r["cpu_s"]["redis"] / max(r["delivered_copies"], 1) for r in rs]
    cmds = [r["redis_calls"] / max(r["sent"], 1) for r in rs]
    print(
        f"| {variant} | {rate} | {med([r['delivered_per_s'] for r in rs], '{:.0f}')} "
        f"| {med([r['p50_ms'] for r in rs], '{:.2f}')} | {med([r['p99_ms'] for r in rs], '{:.2f}')} "
        f"| {med(node_cpu, '{:.3f}')} | {med(redis_cpu, '{:.3f}')} | {med(cmds, '{:.3f}')} "
        f"| {sum(r['lost_local'] + r['lost_remote'] for r in rs)} | {sum(r['duplicates'] for r in rs)} | {len(rs)} |"
    )
print()
print("Median over the rounds, (min-max) where they differ. A copy is one message delivered to one socket;")
print("each message has 4 receivers (2 on each node, the sender among them).")
print()

for series in sorted(out.glob("*.series.csv")):
    tag = series.name.removesuffix(".series.csv")
    print(f"### {tag}")
    print()
    events = (out / f"{tag}.events").read_text().strip().replace("\n", "; ")
    print(f"Events: {events}")
    result = json.loads((out / f"{tag}.json").read_text() or "{}")
    print(
        f"Whole run: sent {result.get('sent')}, lost on the sender's node {result.get('lost_local')}, "
        f"lost across nodes {result.get('lost_remote')}, duplicates {result.get('duplicates')}, "
        f"disconnects {result.get('disconnects')}, p99 {result.get('p99_ms')} ms, max {result.get('max_ms')} ms"
    )
    after_path = out / f"{tag}-after.json"
    after = after_path.read_text().strip() if after_path.exists() else ""
    if after:
        a = json.loads(after)
        print(
            f"Then 5 s more on the same nodes: sent {a['sent']}, lost locally {a['lost_local']}, "
            f"lost across nodes {a['lost_remote']}, p99 {a['p99_ms']} ms"
        )
    else:
        print("Then 5 s more on the same nodes: the load could not run")
    print()
    phases = [("before (0-9 s)", 0, 10), ("Redis away (10-19 s)", 10, 20), ("after (20-29 s)", 20, 30), ("drain", 30, 99)]
    data = list(csv.DictReader(series.open()))
    print("| phase | sent | copies lost, sender's node | copies lost, other node |")
    print("|---|---|---|---|")
    for name, a, b in phases:
        sel = [d for d in data if a <= int(d["sec"]) < b]
        if not sel:
            continue
        s = lambda k: sum(int(d[k]) for d in sel)
        print(f"| {name} | {s('sent')} | {s('lost_local')} | {s('lost_remote')} |")
    print()
    for n in (1, 2):
        log = out / f"{tag}.node{n}.log"
        lines = [l for l in log.read_text().splitlines() if "error" in l.lower() or "bus:" in l]
        interesting = [l for l in lines if "last_error=" not in l or not l.endswith("last_error=")]
        print(f"node{n} log, {len(interesting)} lines with an error or a bus event; first and last:")
        print()
        for l in (interesting[:2] + interesting[-2:]) if len(interesting) > 4 else interesting:
            print(f"    {l[:300]}")
        print()
