package io.htablab.hashtab.cfront;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One eBPF map found in the source.
 *
 * <p>Numbers are {@link OptionalLong}: empty means <em>unknown</em> (an expression that could not be
 * evaluated, such as an undefined macro, or a size of an incomplete type); {@link #unknown()} names such
 * fields. A map-in-map ({@code __array(values, ...)}) without {@code value_size} gets value size 4, the
 * inner map fd libbpf stores. A field that is simply absent takes the kernel's default where one exists ({@code map_flags} 0,
 * {@code numa_node} -1 meaning "none", {@code pinning} 0), and otherwise stays empty
 * ({@code key_size} of a map without key, {@code max_entries} not given).
 *
 * @param name            the variable name
 * @param uri             the file that holds the definition
 * @param nameRange       the variable name in the declarator
 * @param range           the whole definition through its {@code ;}
 * @param style           BTF ({@code SEC(".maps")}) or LEGACY ({@code struct bpf_map_def SEC("maps")})
 * @param mapTypeName     e.g. {@code BPF_MAP_TYPE_HASH}, or null when the type number is unknown or not named
 * @param kernelName      e.g. {@code hash}, {@code lru_percpu_hash}, or null
 * @param keyType         from {@code __type(key, T)} / {@code __array}, null when only a size was given
 * @param valueType       from {@code __type(value, T)}, null when only a size was given
 * @param fields          the entries as written, by field name, in source order
 * @param innerMap        the inner map template of {@code __array(values, struct inner)}, else null
 * @param unknown         names of fields whose value could not be determined
 */
public record MapDefinition(String name, String uri, SourceRange nameRange, SourceRange range, Style style,
                            OptionalLong mapType, String mapTypeName, String kernelName,
                            OptionalLong keySize, OptionalLong valueSize, OptionalLong maxEntries,
                            OptionalLong mapFlags, OptionalLong numaNode, OptionalLong pinning,
                            CType keyType, CType valueType, Map<String, MapField> fields,
                            MapDefinition innerMap, Set<String> unknown) {

    public enum Style { BTF, LEGACY }

    public boolean isUnknown(String field) {
        return unknown.contains(field);
    }

    public MapField field(String fieldName) {
        return fields.get(fieldName);
    }
}
