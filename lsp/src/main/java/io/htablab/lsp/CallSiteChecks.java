package io.htablab.lsp;

import io.htablab.hashtab.cfront.CType;
import io.htablab.hashtab.cfront.EnumType;
import io.htablab.hashtab.cfront.MapDefinition;
import io.htablab.hashtab.cfront.RecordType;
import io.htablab.hashtab.cfront.SourceRange;
import io.htablab.hashtab.cfront.body.CallSite;
import io.htablab.hashtab.cfront.body.Expr;
import io.htablab.hashtab.cfront.body.Exprs;
import io.htablab.hashtab.cfront.body.FunctionBody;
import io.htablab.hashtab.cfront.body.Initializer;
import io.htablab.hashtab.cfront.body.Local;
import io.htablab.hashtab.cfront.body.Write;
import io.htablab.lsp.HtabDiagnostic.Severity;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Checks the key and value arguments of map helper calls against the map they name, and where a lookup's result
 * pointer goes. Codes:
 * <ul>
 *   <li>{@code call.map.helper}: the verifier refuses this helper on this map type;</li>
 *   <li>{@code call.key.size} / {@code call.value.size}: the object passed is smaller (error: the helper reads or
 *       writes past it) or larger (warning: only the first key_size/value_size bytes count) than the map's;</li>
 *   <li>{@code call.key.type} / {@code call.value.type}: same size, different type; or a lookup's result used as a
 *       pointer to another type;</li>
 *   <li>{@code call.key.uninit-padding}: a padded key struct reaches the helper with its padding never written
 *       (filled member by member, or by an initialiser with run-time values, which clang stores member by member);</li>
 *   <li>{@code call.key.uninit}: a local key that nothing wrote before the call.</li>
 * </ul>
 * Writes are taken in source order within the function (control flow is not followed); a key whose address was
 * passed to any other function before the call counts as written.
 */
final class CallSiteChecks {

    /** A diagnostic with what a quick fix needs: the call and, for key findings, the local key. */
    record Finding(HtabDiagnostic diagnostic, CallSites.Resolved call, Local key) {
    }

    private CallSiteChecks() {
    }

    static List<Finding> check(Analysis a, CallSites sites) {
        List<Finding> out = new ArrayList<>();
        for (CallSites.Resolved r : sites.calls()) {
            try {
                checkCall(a, r, out);
            } catch (RuntimeException e) {
                // one odd call must not cost the document its other diagnostics
                HtabLanguageServer.log("call-site check of " + r.site().callee() + " failed: " + e);
            }
        }
        return out;
    }

    private static void checkCall(Analysis a, CallSites.Resolved r, List<Finding> out) {
        MapHelpers.Helper h = r.helper();
        MapDefinition m = r.map();
        String kernelName = r.facts().kernelName();
        String incompatible = MapHelpers.incompatibility(h, kernelName);
        if (incompatible != null) {
            add(out, r, null, Severity.ERROR, "call.map.helper", "the verifier refuses " + h.name() + " on map "
                    + m.name() + " (" + kernelName + "): " + incompatible, r.site().calleeSpan().range());
            return;
        }
        if (h.keyArg() >= 0) {
            Expr key = r.site().call().arg(h.keyArg());
            if (key != null) {
                checkObject(r, key, true, out);
                checkKeyInitialised(a, r, key, out);
            }
        }
        if (h.valueArg() >= 0 && !isMapOfMaps(kernelName)) {
            Expr value = r.site().call().arg(h.valueArg());
            if (value != null) {
                checkObject(r, value, false, out);
            }
        }
        if (h.returnsValue() && !isMapOfMaps(kernelName)) {
            checkResultUses(r, out);
        }
    }

    private static boolean isMapOfMaps(String kernelName) {
        return "array_of_maps".equals(kernelName) || "hash_of_maps".equals(kernelName);
    }

    private static void add(List<Finding> out, CallSites.Resolved r, Local key, Severity severity, String code,
                            String message, SourceRange range) {
        out.add(new Finding(new HtabDiagnostic(severity, code, message, range, r.map().name()), r, key));
    }

    // ------------------------------------------------------------------ sizes and types

    /**
     * The object a pointer argument points at: {@code &k} gives k's type, an array gives the whole array (it decays
     * to a pointer to its first element, and the helper reads on from there), {@code &arr[0]} the array too, and a
     * pointer variable its pointee. Null when the analysis cannot tell.
     */
    static CType objectType(Expr arg) {
        Expr s = Exprs.stripCasts(arg);
        if (s instanceof Expr.Unary u && u.op().equals("&")) {
            if (u.operand() instanceof Expr.Index i && Exprs.constantValue(i.index()).orElse(-1) == 0) {
                CType base = Exprs.typeOf(i.base());
                if (base != null && base.resolve() instanceof CType.ArrayType) {
                    return base;
                }
            }
            return Exprs.typeOf(u.operand());
        }
        CType t = Exprs.typeOf(s);
        if (t == null) {
            return null;
        }
        if (t.resolve() instanceof CType.ArrayType) {
            return t;
        }
        return Exprs.pointee(t);
    }

    private static void checkObject(CallSites.Resolved r, Expr arg, boolean isKey, List<Finding> out) {
        MapDefinition m = r.map();
        OptionalLong expected = isKey ? m.keySize() : m.valueSize();
        CType mapType = isKey ? m.keyType() : m.valueType();
        CType object = objectType(arg);
        if (object == null || expected.isEmpty() || isVoid(object) || object.size() < 0) {
            return;
        }
        String what = isKey ? "key" : "value";
        String size = isKey ? "key_size" : "value_size";
        long want = expected.getAsLong();
        long have = object.size();
        String helper = r.helper().name();
        String direction = isKey || r.helper().valueFlow() == MapHelpers.ValueFlow.IN ? "reads" : "writes";
        SourceRange range = arg.span().range();
        if (have < want) {
            add(out, r, null, Severity.ERROR, "call." + what + ".size", helper + " " + direction + " " + want
                    + " bytes (" + size + " of map " + m.name() + (mapType != null ? ", " + mapType.spelling() : "")
                    + ") through this " + what + " pointer, but it points at " + object.spelling() + " (" + have
                    + " B): the " + (want - have) + " bytes after it are " + ("reads".equals(direction)
                    ? "read as part of the " + what : "overwritten"), range);
        } else if (have > want) {
            add(out, r, null, Severity.WARNING, "call." + what + ".size", "this " + what + " points at "
                    + object.spelling() + " (" + have + " B), but map " + m.name() + " has " + size + " " + want
                    + (mapType != null ? " (" + mapType.spelling() + ")" : "") + ": " + helper + " " + direction
                    + " only its first " + want + " bytes", range);
        } else if (mapType != null && !sameType(object, mapType)) {
            add(out, r, null, Severity.WARNING, "call." + what + ".type", "this " + what + " is "
                    + object.spelling() + ", but the " + what + " of map " + m.name() + " is " + mapType.spelling()
                    + " (both " + want + " B): " + helper + " compares and stores bytes, so the fields must line up"
                    + " exactly", range);
        }
    }

    private static void checkResultUses(CallSites.Resolved r, List<Finding> out) {
        MapDefinition m = r.map();
        CType value = m.valueType();
        OptionalLong valueSize = m.valueSize();
        for (CallSite.ResultUse use : r.body().resultUses(r.site())) {
            if (use.type() == null || !(use.type().resolve() instanceof CType.PointerType p)) {
                continue;
            }
            CType target = p.target();
            if (isVoid(target) || isByte(target) || target.size() < 0) {
                continue;
            }
            SourceRange range = useRange(use);
            if (range == null) {
                continue;
            }
            String how = switch (use.kind()) {
                case CAST -> "cast to " + use.type().spelling();
                case DECLARATION, ASSIGNMENT -> "stored in " + (use.target() == null ? "a" : "`" + use.target().name()
                        + "`, a") + " " + use.type().spelling();
                default -> "used as " + use.type().spelling();
            };
            if (valueSize.isPresent() && target.size() > valueSize.getAsLong()) {
                add(out, r, null, Severity.WARNING, "call.value.type", "the value pointer from " + r.helper().name()
                        + " is " + how + ", but the values of map " + m.name() + " are " + valueSize.getAsLong() + " B"
                        + (value != null ? " (" + value.spelling() + ")" : "") + ": reading " + target.spelling()
                        + " (" + target.size() + " B) through it runs past the value, which the verifier refuses",
                        range);
            } else if (value != null && !sameType(target, value) && !isElementOf(target, value)) {
                add(out, r, null, Severity.WARNING, "call.value.type", "the value pointer from " + r.helper().name()
                        + " is " + how + ", but the value of map " + m.name() + " is " + value.spelling() + " ("
                        + value.size() + " B)", range);
            }
        }
    }

    /** A pointer to the first element of an array value ({@code __u64 *slots} for a {@code __u64[16]} value). */
    private static boolean isElementOf(CType target, CType value) {
        return value.resolve() instanceof CType.ArrayType a && sameType(target, a.element());
    }

    private static SourceRange useRange(CallSite.ResultUse use) {
        if (use.kind() == CallSite.ResultUse.Kind.DECLARATION && use.target() != null) {
            return use.target().nameRange();
        }
        return use.span() == null ? null : use.span().range();
    }

    private static boolean isVoid(CType t) {
        return t.resolve() instanceof CType.VoidType;
    }

    private static boolean isByte(CType t) {
        return t.resolve() instanceof CType.IntType i && i.size() == 1;
    }

    /**
     * Whether two types are the same for the purpose of a map key or value: the same struct/union (by identity or
     * tag), integers and enums of one size (signedness aside), arrays of the same shape, any two pointers.
     */
    static boolean sameType(CType a, CType b) {
        CType x = a.resolve();
        CType y = b.resolve();
        if (x == y) {
            return true;
        }
        if (x instanceof RecordType rx && y instanceof RecordType ry) {
            return rx.kind() == ry.kind() && rx.name() != null && rx.name().equals(ry.name());
        }
        boolean xi = x instanceof CType.IntType || x instanceof EnumType;
        boolean yi = y instanceof CType.IntType || y instanceof EnumType;
        if (xi && yi) {
            return x.size() == y.size();
        }
        if (x instanceof CType.ArrayType ax && y instanceof CType.ArrayType ay) {
            return ax.length() == ay.length() && sameType(ax.element(), ay.element());
        }
        if (x instanceof CType.PointerType && y instanceof CType.PointerType) {
            return true;
        }
        if (x instanceof CType.FloatType && y instanceof CType.FloatType) {
            return x.size() == y.size();
        }
        return false;
    }

    // ------------------------------------------------------------------ initialisation of a local key

    /** How a local key stands at a call: what wrote it, and whether its padding is known to be zero. */
    record KeyState(Local local, List<Write> writes, boolean zeroed, boolean unknown) {
        boolean neverWritten() {
            return !zeroed && !unknown && writes.isEmpty() && local.initializer() == null;
        }
    }

    /** The state of the local key {@code arg} addresses at the call, or null when the key is not a whole local. */
    static KeyState keyState(CallSites.Resolved r, Expr arg) {
        Local local = Exprs.addressedLocal(arg);
        if (local == null || !Exprs.addressesWholeLocal(arg) || local.isParameter() || local.type() == null) {
            return null;
        }
        FunctionBody body = r.body();
        Initializer init = local.initializer();
        boolean zeroed = init != null && init.zeroesEveryByte();
        boolean unknown = init != null && init.kind() == Initializer.Kind.EXPRESSION; // a copy of another object
        List<Write> writes = new ArrayList<>();
        for (Write w : body.writesBefore(local, r.site().index())) {
            switch (w.kind()) {
                case MEMSET -> zeroed = true;
                case ESCAPE -> {
                    if (!onlyReadBy(body, w, local)) {
                        unknown = true; // another function may fill all of it (bpf_probe_read_kernel, a parser)
                    }
                }
                default -> writes.add(w);
            }
        }
        return new KeyState(local, writes, zeroed, unknown);
    }

    /** Whether the call behind an ESCAPE write is a map helper that only reads the local (as key or input value). */
    private static boolean onlyReadBy(FunctionBody body, Write w, Local local) {
        for (CallSite c : body.calls()) {
            if (c.call().span().start() != w.span().start() || c.call().span().end() != w.span().end()) {
                continue;
            }
            MapHelpers.Helper h = MapHelpers.of(c.callee());
            if (h == null) {
                return false;
            }
            List<Expr> args = c.call().args();
            for (int i = 0; i < args.size(); i++) {
                if (Exprs.addressedLocal(args.get(i)) == local && !h.readsOnly(i)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static void checkKeyInitialised(Analysis a, CallSites.Resolved r, Expr arg, List<Finding> out) {
        KeyState state = keyState(r, arg);
        if (state == null || state.zeroed() || state.unknown()) {
            return;
        }
        Local k = state.local();
        String helper = r.helper().name();
        SourceRange range = arg.span().range();
        if (state.neverWritten()) {
            add(out, r, k, Severity.WARNING, "call.key.uninit", "key `" + k.name() + "` (" + k.type().spelling()
                    + ") is never written before " + helper + ": the kernel " + effect(r) + " with whatever bytes are on"
                    + " the stack", range);
            return;
        }
        List<Padding.ByteRange> holes = Padding.holes(k.type());
        if (holes.isEmpty()) {
            return;
        }
        Initializer init = k.initializer();
        String how = init != null && init.kind() == Initializer.Kind.LIST
                ? "is initialised with run-time values ({...}), which clang stores member by member,"
                : "is filled member by member";
        add(out, r, k, Severity.WARNING, "call.key.uninit-padding", "key `" + k.name() + "` (" + k.type().spelling()
                + ", " + k.type().size() + " B) " + how + " and never zeroed: its padding bytes "
                + Padding.describe(holes) + " keep whatever was on the stack, and the kernel hashes and compares all "
                + k.type().size() + " bytes, so " + helper + " " + paddingEffect(r) + ". Zero it first ("
                + "`= {}` or `__builtin_memset(&" + k.name() + ", 0, sizeof(" + k.name() + "))`)", range);
    }

    private static String effect(CallSites.Resolved r) {
        return switch (r.helper().name()) {
            case "bpf_map_update_elem", "bpf_map_lookup_or_try_init" -> "stores the element";
            case "bpf_map_delete_elem" -> "looks for the element to delete";
            default -> "looks the key up";
        };
    }

    /** What goes wrong when the key's padding is garbage, in the words of the helper called. */
    private static String paddingEffect(CallSites.Resolved r) {
        return switch (r.helper().name()) {
            case "bpf_map_update_elem", "bpf_map_lookup_or_try_init" -> "stores an element that a lookup with a"
                    + " properly zeroed key never finds";
            case "bpf_map_delete_elem" -> "misses the element it should delete";
            default -> "misses elements that were stored with zeroed padding";
        };
    }
}
