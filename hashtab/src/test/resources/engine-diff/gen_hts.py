import random, sys
def gen(seed, lru=False):
    r = random.Random(seed)
    if lru:
        typ = r.choice(["lru_hash", "lru_percpu_hash"])
        flags = ["zero_seed"] + (["no_common_lru"] if r.random() < 0.4 else [])
    else:
        typ = r.choice(["hash", "percpu_hash"])
        flags = ["zero_seed"] + (["no_prealloc"] if r.random() < 0.4 else [])
    mx = r.choice([1, 2, 3, 5, 8, 13, 40])
    ks = r.choice([4, 5, 8])
    vs = r.choice([4, 6, 8])
    lines = ["cpus 2", f"create m type={typ} key={ks} value={vs} max={mx} flags={','.join(flags)}"]
    def key():
        k = r.randrange(mx * 2 + 2)
        b = k.to_bytes(4, "little") + bytes(ks - 4) if ks >= 4 else k.to_bytes(ks, "little")
        return b[:ks].hex()
    def val():
        return bytes(r.randrange(256) for _ in range(vs)).hex()
    def uval():
        if typ.endswith("percpu_hash") and r.random() < 0.6:
            return val() + "|" + val()
        return val()
    for _ in range(60):
        c = r.random()
        if c < 0.05:
            lines.append(f"cpu {r.randrange(2)}")
        elif c < 0.30:
            fl = r.choice(["", "", "", " noexist", " exist"])
            lines.append(f"update m {key()} {uval()}{fl}")
        elif c < 0.40:
            fl = r.choice(["", "", " noexist", " exist"])
            lines.append(f"prog_update m {key()} {val()}{fl}")
        elif c < 0.50:
            lines.append(f"{r.choice(['delete', 'prog_delete'])} m {key()}")
        elif c < 0.60:
            lines.append(f"{r.choice(['lookup', 'prog_lookup'])} m {key()}")
        elif c < 0.65:
            lines.append(f"lookup_and_delete m {key()}")
        elif c < 0.72:
            lines.append(f"next_key m" + (f" {key()}" if r.random() < 0.6 else ""))
        elif c < 0.82:
            op = r.choice(["lookup_batch", "lookup_batch", "lookup_and_delete_batch"])
            inb = f" in={r.randrange(70).to_bytes(4, 'little').hex()}" if r.random() < 0.5 else ""
            lines.append(f"{op} m count={r.choice([0, 1, 2, 3, 5, 100])}{inb}")
        elif c < 0.88:
            items = " ".join(f"{key()}={uval()}" for _ in range(r.randrange(1, 4)))
            lines.append(f"update_batch m {items}")
        elif c < 0.92:
            lines.append("delete_batch m " + " ".join(key() for _ in range(r.randrange(1, 4))))
        else:
            lines.append("dump m")
    lines.append("dump m")
    lines.append("info m")
    return "\n".join(lines) + "\n"
# usage: gen_hts.py N [lru]  -> rand-NN.hts (hash, percpu_hash) or lru-NN.hts (the LRU types)
lru = len(sys.argv) > 2 and sys.argv[2] == "lru"
for i in range(int(sys.argv[1])):
    name = f"lru-{i:02d}.hts" if lru else f"rand-{i:02d}.hts"
    open(name, "w").write(gen((2000 if lru else 1000) + i, lru))
