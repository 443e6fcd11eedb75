package io.htablab.hashtab.scenario;

import io.htablab.hashtab.htab.ElemFlag;
import io.htablab.hashtab.htab.fields.AsyncFields;
import io.htablab.hashtab.htab.fields.ClockId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Parses the timer, workqueue, clock and close statements (docs/scenario-extensions.md). Times are
 * nanoseconds, optionally with a unit: {@code 20ms}, {@code 500us}, {@code 1s}, {@code 250ns}.
 */
final class TimerStatements {

    private TimerStatements() {
    }

    static Statement parse(String op, String[] args) throws ScenarioException {
        return switch (op) {
            case "action" -> parseAction(args);
            case "timer_init" -> {
                usage(args.length >= 2, "timer_init M KEY [field=F] [clock=monotonic|boottime|realtime|N]");
                Options o = options(args, 2, "field", "clock");
                long flags = o.clock == null ? ClockId.MONOTONIC.id() : parseClock(o.clock);
                yield new Statement.TimerInit(ScenarioParser.mapName(args[0]), args[1], Bytes.parseBytes(args[1]),
                        o.field, flags);
            }
            case "timer_set_callback", "wq_set_callback" -> {
                usage(args.length >= 3, op + " M KEY A [field=F]" + (op.startsWith("wq") ? " [flags=N]" : ""));
                Options o = options(args, 3, "field", op.startsWith("wq") ? "flags" : null);
                String map = ScenarioParser.mapName(args[0]);
                String action = ScenarioParser.mapName(args[2]);
                yield op.startsWith("wq")
                        ? new Statement.WqSetCallback(map, args[1], Bytes.parseBytes(args[1]), action, o.field, o.flags)
                        : new Statement.TimerSetCallback(map, args[1], Bytes.parseBytes(args[1]), action, o.field);
            }
            case "timer_start" -> {
                usage(args.length >= 3, "timer_start M KEY NSECS [abs] [pinned] [flags=N] [field=F]");
                Options o = options(args, 3, "field", "flags", true);
                yield new Statement.TimerStart(ScenarioParser.mapName(args[0]), args[1], Bytes.parseBytes(args[1]),
                        parseNanos(args[2]), o.flags | o.words, o.field);
            }
            case "timer_cancel" -> {
                usage(args.length >= 2, "timer_cancel M KEY [field=F]");
                Options o = options(args, 2, "field", null);
                yield new Statement.TimerCancel(ScenarioParser.mapName(args[0]), args[1], Bytes.parseBytes(args[1]),
                        o.field);
            }
            case "wq_init", "wq_start" -> {
                usage(args.length >= 2, op + " M KEY [field=F] [flags=N]");
                Options o = options(args, 2, "field", "flags");
                String map = ScenarioParser.mapName(args[0]);
                yield op.equals("wq_init")
                        ? new Statement.WqInit(map, args[1], Bytes.parseBytes(args[1]), o.field, o.flags)
                        : new Statement.WqStart(map, args[1], Bytes.parseBytes(args[1]), o.field, o.flags);
            }
            case "advance" -> {
                usage(args.length == 1, "advance NSECS");
                yield new Statement.Advance(parseNanos(args[0]));
            }
            case "close" -> {
                usage(args.length == 1, "close M");
                yield new Statement.Close(ScenarioParser.mapName(args[0]));
            }
            default -> throw new ScenarioException("unknown statement '" + op + "'");
        };
    }

    /** The optional trailing words of a timer statement. */
    private static final class Options {
        String field;
        String clock;
        long flags;
        /** abs/pinned as BPF_F_TIMER_* bits. */
        long words;
    }

    private static Options options(String[] args, int from, String named1, String named2)
            throws ScenarioException {
        return options(args, from, named1, named2, false);
    }

    private static Options options(String[] args, int from, String named1, String named2, boolean timerWords)
            throws ScenarioException {
        Options o = new Options();
        for (int i = from; i < args.length; i++) {
            String t = args[i];
            int eq = t.indexOf('=');
            String k = eq < 0 ? t : t.substring(0, eq);
            String v = eq < 0 ? null : t.substring(eq + 1);
            if (v != null && (k.equals(named1) || k.equals(named2))) {
                switch (k) {
                    case "field" -> {
                        if (o.field != null) {
                            throw new ScenarioException("field= given twice");
                        }
                        o.field = v;
                    }
                    case "clock" -> o.clock = v;
                    default -> o.flags = Bytes.parseNumber(v, "flags", 0, Long.MAX_VALUE);
                }
            } else if (timerWords && t.equals("abs")) {
                o.words |= AsyncFields.BPF_F_TIMER_ABS;
            } else if (timerWords && t.equals("pinned")) {
                o.words |= AsyncFields.BPF_F_TIMER_CPU_PIN;
            } else {
                throw new ScenarioException("unexpected '" + t + "'");
            }
        }
        return o;
    }

    private static long parseClock(String text) throws ScenarioException {
        ClockId c = ClockId.fromScenarioName(text);
        if (c != null) {
            return c.id();
        }
        try {
            return Bytes.parseNumber(text, "clock", 0, Long.MAX_VALUE);
        } catch (ScenarioException e) {
            throw new ScenarioException("unknown clock '" + text + "' (monotonic, boottime, realtime or a number)");
        }
    }

    /** Nanoseconds: a number, optionally followed by ns, us, ms or s. */
    static long parseNanos(String text) throws ScenarioException {
        String t = text.toLowerCase(Locale.ROOT);
        long scale = 1;
        String digits = t;
        for (String[] u : new String[][] {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}}) {
            if (t.endsWith(u[0]) && !t.startsWith("0x")) {
                digits = t.substring(0, t.length() - u[0].length());
                scale = Long.parseLong(u[1]);
                break;
            }
        }
        long n = Bytes.parseNumber(digits, "time", 0, Long.MAX_VALUE / scale);
        return n * scale;
    }

    private static Statement parseAction(String[] args) throws ScenarioException {
        usage(args.length >= 2, "action A OP ARGS... [; OP ARGS...]");
        String name = ScenarioParser.mapName(args[0]);
        String body = String.join(" ", Arrays.copyOfRange(args, 1, args.length));
        List<Statement.ActionOp> ops = new ArrayList<>();
        for (String part : body.split(";", -1)) {
            String[] t = ScenarioParser.tokenize(part);
            if (t.length == 0) {
                throw new ScenarioException("action " + name + ": empty operation");
            }
            ops.add(parseOp(t));
        }
        return new Statement.Action(name, List.copyOf(ops));
    }

    private static Statement.ActionOp parseOp(String[] t) throws ScenarioException {
        String[] a = Arrays.copyOfRange(t, 1, t.length);
        return switch (t[0]) {
            case "count" -> {
                usage(a.length == 2, "count MAP KEY");
                yield new Statement.ActionOp.Count(ScenarioParser.mapName(a[0]), a[1], Bytes.parseBytes(a[1]));
            }
            case "update" -> {
                if (a.length >= 1 && a[0].equals("self")) {
                    usage(a.length == 2 || a.length == 3, "update self VALUE [F]");
                    yield new Statement.ActionOp.Update(null, null, null, value(a[1]),
                            a.length == 3 ? ScenarioParser.parseElemFlags(a[2]) : ElemFlag.BPF_ANY);
                }
                usage(a.length == 3 || a.length == 4, "update MAP KEY VALUE [F]");
                yield new Statement.ActionOp.Update(ScenarioParser.mapName(a[0]), a[1], Bytes.parseBytes(a[1]),
                        value(a[2]), a.length == 4 ? ScenarioParser.parseElemFlags(a[3]) : ElemFlag.BPF_ANY);
            }
            case "delete" -> {
                if (a.length == 1 && a[0].equals("self")) {
                    yield new Statement.ActionOp.Delete(null, null, null);
                }
                usage(a.length == 2, "delete MAP KEY | delete self");
                yield new Statement.ActionOp.Delete(ScenarioParser.mapName(a[0]), a[1], Bytes.parseBytes(a[1]));
            }
            case "restart" -> {
                // relative only: an absolute time would be a constant of the program, not of the scenario's clock
                usage(a.length == 1 || a.length == 2 && a[1].equals("pinned"), "restart NSECS [pinned]");
                yield new Statement.ActionOp.Restart(parseNanos(a[0]),
                        a.length == 2 ? AsyncFields.BPF_F_TIMER_CPU_PIN : 0);
            }
            case "cancel" -> {
                usage(a.length == 2, "cancel MAP KEY (stores bpf_timer_cancel's result there)");
                yield new Statement.ActionOp.Cancel(ScenarioParser.mapName(a[0]), a[1], Bytes.parseBytes(a[1]));
            }
            case "none" -> {
                usage(a.length == 0, "none");
                yield new Statement.ActionOp.None();
            }
            default -> throw new ScenarioException("unknown action operation '" + t[0]
                    + "' (count, update, delete, restart, cancel, none)");
        };
    }

    private static Statement.ValueText value(String text) throws ScenarioException {
        byte[] v = Bytes.parseBytes(text);
        return new Statement.ValueText(text, List.of(v));
    }

    private static void usage(boolean ok, String usage) throws ScenarioException {
        if (!ok) {
            throw new ScenarioException("usage: " + usage);
        }
    }
}
