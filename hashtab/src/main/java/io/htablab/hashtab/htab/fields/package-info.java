/**
 * Special fields in BTF-typed map values (btf_record and its fields): spin locks, timers and workqueues on the
 * engine's virtual clock, and the rules that release them. The hash table reaches this package through a small
 * surface (the record, copy-around-fields, release of an element's fields); views read its events.
 */
package io.htablab.hashtab.htab.fields;
