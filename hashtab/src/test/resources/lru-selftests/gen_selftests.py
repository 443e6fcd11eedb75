#!/usr/bin/env python3
"""Writes the .hts translations of the kernel selftest test_lru_map.c "sanity" tests.

One file per (test, map type, LRU flavour) the selftest actually runs, for P = 2 possible CPUs,
8-byte keys and values, zero_seed. The selftest's own assertions are written as `#!` claims at the
end of the statement they concern; LruSelftestScenariosTest checks them against the recorded kernel
output (and the engine must print that output exactly):

    #! ok                 the statement printed `ok`
    #! error NAME         it printed `error NAME`
    #! fails              it printed some `error ...` (the selftest only asserts a non-zero return)
    #! value N            it printed a value whose first slot is the u64 N
    #! dump K-K:V,...     (on a dump) exactly these keys, each with first slot V - the selftest's
                          final map_equal() against its expected HASH map

The .out files are recorded with `python3 /work/shared/oracle/kernel_oracle.py FILE.hts`
(or `java -jar hashtab/target/hashtab.jar kernel FILE.hts`). Run: python3 gen_selftests.py
"""
import os

P = 2
LOCAL_FREE_TARGET = 128   # the selftest's tgt_free for the common LRU
PERCPU_FREE_TARGET = 4    # and for BPF_F_NO_COMMON_LRU

def map_size_for(tgt_free):
    # The selftest's inverse of the kernel's target_free = (max_entries / P) / 2.
    return tgt_free * P * 2

def tgt_size(n):
    # The selftest's forward derivation (its __tgt_size), applied as the selftest applies it.
    return (n // P) // 2


class Script:
    def __init__(self, name, typ, no_common, summary):
        self.name = name
        self.typ = typ
        self.no_common = no_common
        self.lines = [f"# {l}" if l else "#" for l in summary.strip("\n").split("\n")]
        self.lines.append(f"# Translated from test_lru_map.c {name.split('-')[0]} for {typ}"
                          + (" with no_common_lru" if no_common else " (common LRU)")
                          + f", P = {P}. Claims after '#!' are the selftest's own asserts.")
        self.lines.append("cpus 2")
        self.lines.append("cpu 0    # the selftest pins itself to the first online CPU")

    def c(self, text):
        self.lines.append("# " + text)

    def s(self, stmt, claim=None):
        self.lines.append(stmt + (f"    #! {claim}" if claim else ""))

    def create(self, max_entries):
        flags = "zero_seed" + (",no_common_lru" if self.no_common else "")
        self.s(f"create lru type={self.typ} key=8 value=8 max={max_entries} flags={flags}", "ok")

    def update(self, key, flag="noexist", claim="ok", value=1234):
        self.s(f"update lru u64:{key} u64:{value} {flag}", claim)

    def lookup(self, key, claim):
        self.s(f"lookup lru u64:{key}", claim)

    def ref(self, key, value=1234):
        # bpf_map_lookup_elem_with_ref_bit: a program lookup, which sets the ref bit.
        self.s(f"prog_lookup lru u64:{key}", f"value {value}")

    def dump(self, ranges):
        claim = ",".join(f"{a}-{b}:{v}" for a, b, v in ranges) if ranges else "empty"
        self.s("dump lru", "dump " + claim)

    def write(self, directory):
        with open(os.path.join(directory, self.name + ".hts"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


def sanity0(typ, nc):
    s = Script(f"sanity0-{typ}-{'no_common' if nc else 'common'}", typ, nc, """
sanity0: a map of 2 (2 per CPU with no_common_lru). Flag errors: NOEXIST on an existing key is
EEXIST, flags -1 is EINVAL (written `exist+lock`: any flag value above EXIST), EXIST on an absent
key is ENOENT. After a program lookup of key 1 (ref bit), inserting key 3 evicts key 2, not 1.
lookup_and_delete of 1 returns its value and removes it: the map ends as {3}.""")
    s.create(2 * P if nc else 2)
    s.update(1)
    s.update(1, claim="error EEXIST")
    s.c("flags -1 in the selftest: any flags above BPF_EXIST are refused before anything happens")
    s.s("update lru u64:1 u64:1234 exist+lock", "error EINVAL")
    s.lookup(2, "error ENOENT")
    s.update(2, "exist", "error ENOENT")
    s.update(2)
    s.lookup(3, "error ENOENT")
    s.ref(1)
    s.update(3)
    s.c("key 2 was the victim")
    s.lookup(2, "error ENOENT")
    s.s("lookup_and_delete lru u64:1", "value 1234")
    s.dump([(3, 3, 1234)])
    return s


def sanity1(typ):
    tgt = LOCAL_FREE_TARGET
    batch = tgt // 2
    ms = map_size_for(tgt)
    s = Script(f"sanity1-{typ}-common", typ, False, f"""
sanity1: unreferenced elements are recycled before referenced ones. tgt_free = {tgt}, map size =
{ms} + {batch} (so the kernel's target_free is {tgt}). Insert 1..{ms}, reference 1..{batch} from a
program, insert {ms + 1}..{2 * ms}: the map ends as exactly 1..{batch} plus the {ms} new keys.""")
    s.create(ms + batch)
    for k in range(1, ms + 1):
        s.update(k)
    for k in range(1, batch + 1):
        s.ref(k)
    for k in range(ms + 1, 2 * ms + 1):
        s.update(k)
    s.dump([(1, batch, 1234), (ms + 1, 2 * ms, 1234)])
    return s


def sanity2(typ):
    tgt = LOCAL_FREE_TARGET
    batch = tgt // 2
    ms = map_size_for(tgt)
    s = Script(f"sanity2-{typ}-common", typ, False, f"""
sanity2: insertions beyond the map size recycle the oldest keys; unreferenced keys go before
referenced ones. Map size {ms} + {batch}. After inserting 1..{ms}, any update needs a node first:
the harvest shrinks the INACTIVE tail, evicting the oldest keys 1..{batch} - so an EXIST update of
key 1 (lru_hash) fails, its key having just been evicted; lru_percpu_hash uses NOEXIST + delete
(EXIST never allocates there). Keys 1..{batch} are then absent, re-inserted (value 4321) and
referenced; {ms + 1}..{ms + batch} are inserted unreferenced and are the next victims when
{ms + batch + 1}..{2 * ms + batch} go in. Final map: 1..{batch} (4321) and
{ms + batch + 1}..{2 * ms + batch}.""")
    s.create(ms + batch)
    for k in range(1, ms + 1):
        s.update(k)
    if typ == "lru_percpu_hash":
        s.update(1, "noexist", "ok")
        s.s("delete lru u64:1", "ok")
    else:
        s.update(1, "exist", "fails")
    for k in range(1, batch + 1):
        s.lookup(k, "error ENOENT")
        s.update(k, value=4321)
        s.ref(k, 4321)
    for k in range(ms + 1, ms + batch + 1):
        s.update(k)
    for k in range(ms + batch + 1, 2 * ms + batch + 1):
        s.update(k)
    s.dump([(1, batch, 4321), (ms + batch + 1, 2 * ms + batch, 1234)])
    return s


def sanity3(typ):
    tgt = LOCAL_FREE_TARGET
    batch = tgt_size(tgt)
    ms = tgt * 2
    s = Script(f"sanity3-{typ}-common", typ, False, f"""
sanity3: active/inactive rotation. Map size {ms} (kernel target_free {tgt_size(ms)}), batch
{batch} (the selftest derives it from its tgt_free {tgt}). Fill the map with 1..{ms}, reference all
but the last {batch} (1..{ms - batch}), insert {batch} new keys {ms + 1}..{ms + batch}: exactly the
unreferenced {ms - batch + 1}..{ms} are replaced.""")
    s.create(ms)
    for k in range(1, ms + 1):
        s.update(k)
    for k in range(1, ms - batch + 1):
        s.ref(k)
    for k in range(ms + 1, ms + batch + 1):
        s.update(k)
    s.dump([(1, ms - batch, 1234), (ms + 1, ms + batch, 1234)])
    return s


def sanity4(typ, nc):
    tgt = PERCPU_FREE_TARGET if nc else LOCAL_FREE_TARGET
    size = 3 * tgt * P if nc else 3 * map_size_for(tgt)
    s = Script(f"sanity4-{typ}-{'no_common' if nc else 'common'}", typ, nc, f"""
sanity4: deletion, in a map ({size}) large enough that nothing is evicted. Insert 1..{2 * tgt};
NOEXIST on key 1 fails; reference 1..{tgt}; delete {tgt + 1}..{2 * tgt}, each twice (the first
succeeds, the second fails); insert {2 * tgt + 1}..{4 * tgt}. The map is exactly the referenced
old keys and the new ones.""")
    s.create(size)
    for k in range(1, 2 * tgt + 1):
        s.update(k)
    s.update(1, "noexist", "fails")
    for k in range(1, tgt + 1):
        s.ref(k)
    for k in range(tgt + 1, 2 * tgt + 1):
        s.s(f"delete lru u64:{k}", "ok")
        s.s(f"delete lru u64:{k}", "fails")
    for k in range(2 * tgt + 1, 4 * tgt + 1):
        s.update(k)
    s.dump([(1, tgt, 1234), (2 * tgt + 1, 4 * tgt, 1234)])
    return s


def sanity5(typ):
    s = Script(f"sanity5-{typ}-common", typ, False, """
sanity5: a 1-entry map used from each CPU in turn. Key 0 is inserted; then on every CPU c: the
previous key is found by a program lookup, key c+1 is inserted and found by a program lookup, and
the previous key is gone (the new key evicted it - on CPU 1 by stealing CPU 0's pending node).""")
    s.create(1)
    s.update(0)
    for c in range(P):
        s.s(f"cpu {c}", "ok")
        s.ref(c)
        s.update(c + 1)
        s.ref(c + 1)
        s.lookup(c, "error ENOENT")
    s.dump([(P, P, 1234)])
    return s


def sanity6(typ):
    tgt = PERCPU_FREE_TARGET
    ms = tgt * 2
    s = Script(f"sanity6-{typ}-no_common", typ, True, f"""
sanity6: list rotation of a no_common_lru map ({ms} per CPU, {ms * P} in all). Insert 1..{tgt};
then before each insertion of {tgt + 1}..{2 * tgt} reference 1..{tgt} again from a program; then
insert {2 * tgt + 1}..{3 * tgt} with no references. Keys whose ref bit was refreshed survive, the
others ({tgt + 1}..{2 * tgt}) are replaced: the map is 1..{tgt} and {2 * tgt + 1}..{3 * tgt}.""")
    s.create(ms * P)
    for k in range(1, tgt + 1):
        s.update(k)
    for k in range(tgt + 1, 2 * tgt + 1):
        for stable in range(1, tgt + 1):
            s.ref(stable)
        s.update(k)
    for k in range(2 * tgt + 1, 3 * tgt + 1):
        s.update(k)
    s.dump([(1, tgt, 1234), (2 * tgt + 1, 3 * tgt, 1234)])
    return s


def sanity78(n, typ, nc):
    ref_key, sys_key = (1, 2) if n == 7 else (2, 1)
    s = Script(f"sanity{n}-{typ}-{'no_common' if nc else 'common'}", typ, nc, f"""
sanity{n}: a map of 2 (2 per CPU with no_common_lru) holding 1 and 2. Key {sys_key} is read with a
syscall lookup, which does not set the ref bit; key {ref_key} with a program lookup, which does.
Inserting 3 evicts {sys_key}: the map ends as {{{ref_key}, 3}}.""")
    s.create(2 * P if nc else 2)
    s.update(1)
    s.update(1, claim="error EEXIST")
    s.lookup(2, "error ENOENT")
    s.update(2, "exist", "error ENOENT")
    s.update(2)
    s.lookup(3, "error ENOENT")
    first, second = (1, 2)
    for k in (first, second):
        if k == ref_key:
            s.ref(k)
        else:
            s.lookup(k, "value 1234")
    s.update(3)
    s.lookup(sys_key, "error ENOENT")
    s.dump([(min(ref_key, 3), min(ref_key, 3), 1234), (3, 3, 1234)])
    return s


def all_scripts():
    out = []
    for nc in (False, True):
        for typ in ("lru_hash", "lru_percpu_hash"):
            out.append(sanity0(typ, nc))
            if not nc:
                out += [sanity1(typ), sanity2(typ), sanity3(typ)]
            out.append(sanity4(typ, nc))
            if not nc:
                out.append(sanity5(typ))
            else:
                out.append(sanity6(typ))
            out += [sanity78(7, typ, nc), sanity78(8, typ, nc)]
    return out


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for script in all_scripts():
        script.write(here)
        print(script.name)
