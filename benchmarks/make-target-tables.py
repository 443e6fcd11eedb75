#!/usr/bin/env python3
"""Markdown tables for docs/benchmarks.md from benchmarks/results/cputime-targets.txt (after the engine fixes)
and benchmarks/results/cputime-before.txt (the engine before them, same runner, same session)."""
import re
import sys

KERNEL = {('lookupHit', 1024): 25.0, ('lookupHit', 65536): 5.2, ('lookupHit', 1048576): 2.3,
          ('progLookupHit', 1024): 26.6, ('progLookupHit', 65536): 2.5, ('progLookupHit', 1048576): 3.7,
          ('updateWithEviction', 1024): 3.6, ('updateWithEviction', 65536): 1.1,
          ('updateWithEviction', 1048576): 1.0}


def load(path):
    out = {}
    try:
        lines = open(path).read().splitlines()
    except FileNotFoundError:
        return out
    for line in lines:
        m = re.match(r'(\w+)\.(\w+)\s+(\w+)\s+(\d+)\s+(\d+) ops/cpu-s', line)
        if m:
            out[(m.group(1), m.group(2), m.group(3), int(m.group(4)))] = int(m.group(5)) / 1e6
    return out


after = load('benchmarks/results/cputime-targets.txt')
before = load('benchmarks/results/cputime-before.txt')


def f(x):
    return '-' if x is None else f'{x:.2f}'


def r(a, b):
    return '-' if a is None or b is None else f'{a / b:.2f}×'


sizes = [1024, 65536, 1048576]
print('#### HASH, M ops/s, CPU time (engine before → after the fixes)\n')
print('| op | size | engine before | engine after | concurrentHashMap | hashMap | after / CHM | kernel | after / kernel |')
print('|---|---|---|---|---|---|---|---|---|')
for op in ['lookupHit', 'lookupMiss', 'updateExisting', 'updateDeleteChurn']:
    for s in sizes:
        e = after.get(('HashBenchmark', op, 'engine', s))
        c = after.get(('HashBenchmark', op, 'concurrentHashMap', s))
        h = after.get(('HashBenchmark', op, 'hashMap', s))
        k = KERNEL.get((op, s))
        print(f"| {op} | {s:,} | {f(before.get(('HashBenchmark', op, 'engine', s)))} | {f(e)} | {f(c)} | {f(h)} | "
              f"{r(e, c)} | {'' if k is None else k} | {'' if k is None else r(e, k)} |")
print('\n#### LRU_HASH, M ops/s, CPU time (engine before → after the fixes)\n')
print('| op | size | engine before | engine after | caffeine | caffeineSameThread | after / caffeine | after / caffeineSameThread | kernel | after / kernel |')
print('|---|---|---|---|---|---|---|---|---|---|')
for op in ['progLookupHit', 'syscallLookupHit', 'updateWithEviction']:
    for s in sizes:
        e = after.get(('LruBenchmark', op, 'engine', s))
        c = after.get(('LruBenchmark', op, 'caffeine', s))
        c1 = after.get(('LruBenchmark', op, 'caffeineSameThread', s))
        k = KERNEL.get((op, s))
        print(f"| {op} | {s:,} | {f(before.get(('LruBenchmark', op, 'engine', s)))} | {f(e)} | {f(c)} | {f(c1)} | "
              f"{r(e, c)} | {r(e, c1)} | {'' if k is None else k} | {'' if k is None else r(e, k)} |")
print('\n#### Event cost, M ops/s, CPU time (after the fixes; `none before` = the engine before them)\n')
print('| op | size | none before | none | disabledSink | countingSink | noEventCode | noEventCodeGeneric | none / noEventCode | none / noEventCodeGeneric |')
print('|---|---|---|---|---|---|---|---|---|---|')
for op in ['lookupHit', 'updateExisting']:
    for s in [1024, 1048576]:
        g = lambda v: after.get(('EventCostBenchmark', op, v, s))
        n = g('none')
        print(f"| {op} | {s:,} | {f(before.get(('EventCostBenchmark', op, 'none', s)))} | {f(n)} | {f(g('disabledSink'))} | "
              f"{f(g('countingSink'))} | {f(g('noEventCode'))} | {f(g('noEventCodeGeneric'))} | {r(n, g('noEventCode'))} | "
              f"{r(n, g('noEventCodeGeneric'))} |")
