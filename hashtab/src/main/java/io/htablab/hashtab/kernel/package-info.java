/**
 * The live kernel as a scenario backend, and engine-versus-kernel comparison.
 *
 * <ul>
 *   <li>{@link io.htablab.hashtab.kernel.Bpf}: bpf(2) through JNA, attr builders, CPU pinning.</li>
 *   <li>{@link io.htablab.hashtab.kernel.BpfInsn}, {@link io.htablab.hashtab.kernel.BpfAssembler}: a tiny eBPF
 *       encoder for the helper programs behind {@code prog_lookup}/{@code prog_update}/{@code prog_delete}.</li>
 *   <li>{@link io.htablab.hashtab.kernel.KernelBackend}: the kernel as an
 *       {@link io.htablab.hashtab.scenario.Backend}; prints what {@code shared/oracle/kernel_oracle.py} prints.</li>
 *   <li>{@link io.htablab.hashtab.kernel.Differential}: runs a scenario on two backends, finds the first
 *       differing statement, minimises by delta debugging.</li>
 * </ul>
 */
package io.htablab.hashtab.kernel;
