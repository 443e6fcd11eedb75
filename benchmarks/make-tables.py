#!/usr/bin/env python3
"""Markdown tables for docs/benchmarks.md from results/jmh-full.json and results/cputime.txt."""
import json, re, sys, os

here = os.path.dirname(os.path.abspath(__file__))
jmh = {}
for r in json.load(open(os.path.join(here, 'results/jmh-full.json'))):
    cls, op = r['benchmark'].split('.')[-2:]
    p = r.get('params', {})
    kind = p.get('kind') or p.get('variant') or p.get('layout')
    jmh[(cls, op, kind, int(p['size']))] = (r['primaryMetric']['score'], r['primaryMetric']['scoreError'])
cpu = {}
path = os.path.join(here, 'results/cputime.txt')
if os.path.exists(path):
    for line in open(path):
        m = re.match(r'(\w+)\.(\w+)\s+(\S+)\s+(\d+)\s+(\d+) ops/cpu-s', line)
        if m:
            cpu[(m[1], m[2], m[3], int(m[4]))] = float(m[5])

SIZES = [1024, 65536, 1048576]
def M(x): return '-' if x is None else f'{x/1e6:.2f}'
def R(a, b): return '-' if a is None or b is None else f'{a/b:.2f}×'
def j(*k): v = jmh.get(k); return None if v is None else v[0]
def c(*k): return cpu.get(k)

KERNEL_HASH = {1024: 25e6, 65536: 5.2e6, 1048576: 2.3e6}
KERNEL_LRU_LOOKUP = {1024: 26.6e6, 65536: 2.5e6, 1048576: 3.7e6}
KERNEL_LRU_EVICT = {1024: 3.6e6, 65536: 1.1e6, 1048576: 1.0e6}

def table(title, cls, ops, kinds, base, src, kernel=None):
    print(f'\n#### {title}\n')
    hdr = ['op', 'size'] + [k for k in kinds] + [f'engine / {k}' for k in kinds if k != base]
    if kernel: hdr += ['kernel', 'engine / kernel']
    print('| ' + ' | '.join(hdr) + ' |'); print('|' + '---|' * len(hdr))
    for op in ops:
        for s in SIZES:
            vals = {k: src(cls, op, k, s) for k in kinds}
            row = [op, f'{s:,}'] + [M(vals[k]) for k in kinds] + [R(vals[base], vals[k]) for k in kinds if k != base]
            if kernel:
                kv = kernel.get((op, s))
                row += [M(kv), R(vals[base], kv)] if kv else ['', '']
            print('| ' + ' | '.join(row) + ' |')

hk = {('lookupHit', s): v for s, v in KERNEL_HASH.items()}
lk = {('progLookupHit', s): v for s, v in KERNEL_LRU_LOOKUP.items()}
lk.update({('updateWithEviction', s): v for s, v in KERNEL_LRU_EVICT.items()})
HOPS = ['lookupHit', 'lookupMiss', 'updateExisting', 'updateDeleteChurn']
HK = ['engine', 'concurrentHashMap', 'hashMap']
LOPS = ['progLookupHit', 'syscallLookupHit', 'updateWithEviction']
LK = ['engine', 'caffeine', 'caffeineSameThread']
which = sys.argv[1] if len(sys.argv) > 1 else 'all'
for name, src in (('JMH, wall-clock', j), ('CPU time (CpuTimeRunner)', c)):
    table(f'HASH vs java.util maps, M ops/s, {name}', 'HashBenchmark', HOPS, HK, 'engine', src, hk)
    table(f'LRU_HASH vs Caffeine, M ops/s, {name}', 'LruBenchmark', LOPS, LK, 'engine', src, lk)
    print(f'\n#### Event cost, M ops/s, {name}\n')
    V = ['none', 'disabledSink', 'countingSink', 'noEventCode']
    print('| op | size | ' + ' | '.join(V) + ' | none / noEventCode |'); print('|' + '---|' * 7)
    for op in ['lookupHit', 'updateExisting']:
        for s in [1024, 1048576]:
            vals = {v: src('EventCostBenchmark', op, v, s) for v in V}
            print(f'| {op} | {s:,} | ' + ' | '.join(M(vals[v]) for v in V) + f' | {R(vals["none"], vals["noEventCode"])} |')
print('\n#### Layout experiment (lookup hit, no event code), M ops/s, JMH wall-clock\n')
print('| size | splitArrays (engine layout) | interleaved (prototype) |'); print('|---|---|---|')
for s in SIZES:
    print(f'| {s:,} | {M(j("LayoutBenchmark", "lookupHit", "splitArrays", s))} | {M(j("LayoutBenchmark", "lookupHit", "interleaved", s))} |')
