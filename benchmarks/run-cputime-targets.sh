#!/bin/sh
# The CPU-time cells the issues' targets are judged on (a subset of run-cputime.sh, about 12 minutes here).
# Usage (from the repo root, after building): sh benchmarks/run-cputime-targets.sh [rounds] > benchmarks/results/cputime-targets.txt
# J=path/to/other/benchmarks.jar measures another build (e.g. the one before a change) with the same cases.
J=${J:-benchmarks/target/benchmarks.jar}
R=${1:-3}
run() { java -cp "$J" io.htablab.benchmarks.CpuTimeRunner "$@" "$R"; }
for s in 1024 65536 1048576; do
  for k in engine concurrentHashMap hashMap; do run HashBenchmark.lookupHit $k $s; done
  for op in lookupMiss updateExisting updateDeleteChurn; do
    for k in engine concurrentHashMap; do run HashBenchmark.$op $k $s; done
  done
  for op in progLookupHit updateWithEviction; do
    for k in engine caffeine caffeineSameThread; do run LruBenchmark.$op $k $s; done
  done
  run LruBenchmark.syscallLookupHit engine $s
done
for op in lookupHit updateExisting; do
  for s in 1024 1048576; do
    for v in none disabledSink countingSink noEventCode noEventCodeGeneric; do run EventCostBenchmark.$op $v $s; done
  done
done
