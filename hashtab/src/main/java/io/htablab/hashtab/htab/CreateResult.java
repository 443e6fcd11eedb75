package io.htablab.hashtab.htab;

/**
 * Result of {@link BpfMap#create}: the map on success, else the kernel's errno.
 *
 * @param detail a short reason naming the failed check (kernel errors too, so users can see which one), or null
 */
public record CreateResult(Errno errno, BpfMap map, String detail) {

    public boolean isOk() {
        return errno.isOk();
    }
}
