/**
 * BTF for the C front end's types, and the kernel's search for special fields in it.
 *
 * <ul>
 *   <li>{@link io.htablab.hashtab.cfront.btf.BtfEncoder}: cfront types (or types added one by one: qualifiers, type
 *       and decl tags, FUNC/FUNC_PROTO for a program's {@code func_info}, VAR/DATASEC) to a BTF blob the kernel's
 *       BPF_BTF_LOAD accepts, laid out as clang emits it; {@code namedTypeIds()} gives the id of every named type.</li>
 *   <li>{@link io.htablab.hashtab.cfront.btf.BtfReader}: reads a blob (a program's or {@code /sys/kernel/btf/vmlinux});
 *       types by id, {@code findByName(name, kind)} (btf_find_by_name_kind), sizes (btf_type_id_size).</li>
 *   <li>{@link io.htablab.hashtab.cfront.btf.BtfFields}: btf_parse_fields and btf_parse_struct_metas on a reader.</li>
 *   <li>{@link io.htablab.hashtab.cfront.btf.MapBtfs}: <b>the entry point</b> from a map's key and value C types to
 *       what BPF_MAP_CREATE learns ({@link io.htablab.hashtab.htab.fields.MapBtf}: sizes, the value's
 *       {@link io.htablab.hashtab.htab.fields.FieldRecord}, the BTF_LOAD verdict). For a diagnostic:
 *       <pre>
 *   MapBtf btf = MapBtfs.mapBtf(def.keyType(), def.valueType());
 *   HtabGeometry g = HtabGeometry.compute(attr.withBtf(btf), cpus);   // g.errno(), g.reason(), g.field()
 *   FieldRecord fields = btf.record();                               // what the value's special fields are
 *       </pre></li>
 *   <li>{@link io.htablab.hashtab.cfront.btf.SpecialStructs}: the kernel's special structs as C.</li>
 * </ul>
 *
 * <p>{@code htab} never depends on this package; this package depends on {@code cfront} and {@code htab.fields}.
 */
package io.htablab.hashtab.cfront.btf;
