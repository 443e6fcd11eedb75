package io.htablab.hashtab.htab.lock;

/** The lock classes of one hash map, named as the scenario's {@code inject} statement names them. */
public enum LockKind {
    /** The per-bucket lock (htab_lock_bucket). */
    BUCKET("lock"),
    /** The LRU's list locks: the global or per-CPU LRU list and the common LRU's local lists. */
    LRU("lru_lock"),
    /** The per-CPU freelist heads of a preallocated HASH/PERCPU_HASH map. */
    FREELIST("freelist_lock");

    private final String scenarioName;

    LockKind(String scenarioName) {
        this.scenarioName = scenarioName;
    }

    public String scenarioName() {
        return scenarioName;
    }

    public static LockKind fromScenarioName(String name) {
        for (LockKind k : values()) {
            if (k.scenarioName.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
