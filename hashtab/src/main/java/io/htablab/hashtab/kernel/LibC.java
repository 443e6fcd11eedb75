package io.htablab.hashtab.kernel;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few libc entry points the kernel harness needs, bound by JNA direct mapping (cheaper per call
 * than an interface proxy, which matters because every scenario statement makes several calls).
 * Every function reports failure the C way: a negative return and errno, which JNA keeps per thread
 * for {@link Native#getLastError()}.
 */
final class LibC {

    static {
        Native.register(LibC.class, NativeLibrary.getInstance("c"));
    }

    private LibC() {
    }

    /** {@code long syscall(long number, ...)}; for bpf(2) the arguments are cmd, attr pointer, attr size. */
    static native long syscall(long number, long cmd, Pointer attr, long size);

    static native int close(int fd);

    static native int sched_getcpu();

    /** {@code pid 0} is the calling thread; {@code cpusetsize} is in bytes. */
    static native int sched_setaffinity(int pid, long cpusetsize, Pointer mask);

    static native int sched_getaffinity(int pid, long cpusetsize, Pointer mask);

    static native int setrlimit(int resource, Pointer rlim);

    /** {@code struct timespec} is two longs on 64-bit Linux. */
    static native int clock_gettime(int clockId, Pointer timespec);
}
