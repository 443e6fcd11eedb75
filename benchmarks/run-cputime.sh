#!/bin/sh
# Ops per second of thread CPU time for the main comparisons, one JVM per (benchmark, kind, size), like JMH forks.
# Usage (from the repo root, after building): sh benchmarks/run-cputime.sh [rounds] > benchmarks/results/cputime.txt
J=benchmarks/target/benchmarks.jar
R=${1:-3}
run() { java -cp "$J" io.htablab.benchmarks.CpuTimeRunner "$@" "$R"; }
for op in lookupHit lookupMiss updateExisting updateDeleteChurn; do
  for s in 1024 65536 1048576; do
    for k in engine concurrentHashMap hashMap; do run HashBenchmark.$op $k $s; done
  done
done
for op in progLookupHit syscallLookupHit updateWithEviction; do
  for s in 1024 65536 1048576; do
    for k in engine caffeine caffeineSameThread; do run LruBenchmark.$op $k $s; done
  done
done
for op in lookupHit updateExisting; do
  for s in 1024 1048576; do
    for v in none disabledSink countingSink noEventCode; do run EventCostBenchmark.$op $v $s; done
  done
done
