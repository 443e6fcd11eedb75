package io.htablab.hashtab.scenario;

import io.htablab.hashtab.htab.fields.HelperResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The interpreter's part for the timer, workqueue, clock and close statements: resolves callback actions
 * against the scenario's maps and prints helper results ({@code ok}, {@code ret N}, {@code error NAME}).
 */
final class TimerLines {

    private final Interpreter in;

    TimerLines(Interpreter in) {
        this.in = in;
    }

    static boolean isTimerStatement(Statement s) {
        return s instanceof Statement.Action || s instanceof Statement.TimerInit
                || s instanceof Statement.TimerSetCallback || s instanceof Statement.TimerStart
                || s instanceof Statement.TimerCancel || s instanceof Statement.WqInit
                || s instanceof Statement.WqSetCallback || s instanceof Statement.WqStart
                || s instanceof Statement.Advance || s instanceof Statement.Close;
    }

    /** A helper's result line: 0 is ok, a positive return is {@code ret N}, an error its name. */
    static String line(HelperResult r) {
        if (!r.errno().isOk()) {
            return "error " + r.errno().name();
        }
        return r.value() == 0 ? "ok" : "ret " + r.value();
    }

    void execute(Statement st, Consumer<String> out) throws ScenarioException {
        Backend b = in.backend();
        if (st instanceof Statement.Action s) {
            in.actions().put(s.name(), s);
            out.accept("ok");
        } else if (st instanceof Statement.TimerInit s) {
            Backend.MapHandle m = in.get(s.map());
            out.accept(line(b.timerInit(m, key(m, s.map(), s.keySource(), s.key()), s.field(), s.flags())));
        } else if (st instanceof Statement.TimerSetCallback s) {
            Backend.MapHandle m = in.get(s.map());
            byte[] k = key(m, s.map(), s.keySource(), s.key());
            Backend.Callback cb = callback(m, s.map(), s.action(), true);
            out.accept(namesClosedMap(s.map(), s.action()) ? "error EBADF" : line(b.timerSetCallback(m, k, s.field(), cb)));
        } else if (st instanceof Statement.TimerStart s) {
            Backend.MapHandle m = in.get(s.map());
            out.accept(line(b.timerStart(m, key(m, s.map(), s.keySource(), s.key()), s.field(), s.nsecs(),
                    s.flags())));
        } else if (st instanceof Statement.TimerCancel s) {
            Backend.MapHandle m = in.get(s.map());
            out.accept(line(b.timerCancel(m, key(m, s.map(), s.keySource(), s.key()), s.field())));
        } else if (st instanceof Statement.WqInit s) {
            Backend.MapHandle m = in.get(s.map());
            out.accept(line(b.wqInit(m, key(m, s.map(), s.keySource(), s.key()), s.field(), s.flags())));
        } else if (st instanceof Statement.WqSetCallback s) {
            Backend.MapHandle m = in.get(s.map());
            byte[] k = key(m, s.map(), s.keySource(), s.key());
            Backend.Callback cb = callback(m, s.map(), s.action(), false);
            out.accept(namesClosedMap(s.map(), s.action()) ? "error EBADF"
                    : line(b.wqSetCallback(m, k, s.field(), cb, s.flags())));
        } else if (st instanceof Statement.WqStart s) {
            Backend.MapHandle m = in.get(s.map());
            out.accept(line(b.wqStart(m, key(m, s.map(), s.keySource(), s.key()), s.field(), s.flags())));
        } else if (st instanceof Statement.Advance s) {
            b.advance(s.nsecs());
            out.accept("ok");
        } else if (st instanceof Statement.Close s) {
            Backend.MapHandle m = in.get(s.map());
            if (!in.closedMaps().add(s.map())) {
                out.accept("error EBADF");
                return;
            }
            out.accept(Interpreter.result(b.closeFd(m)));
        } else {
            throw new IllegalStateException("not a timer statement: " + st.keyword());
        }
    }

    /**
     * Whether the set-callback program could not be loaded because its callback names a map whose descriptor
     * is closed (EBADF). When the own map is closed the kernel harness uses a program without that callback.
     */
    private boolean namesClosedMap(String own, String action) {
        if (in.closedMaps().contains(own)) {
            return false;
        }
        for (Statement.ActionOp op : in.actions().get(action).ops()) {
            String target = null;
            if (op instanceof Statement.ActionOp.Count c) {
                target = c.map();
            } else if (op instanceof Statement.ActionOp.Update u) {
                target = u.map();
            } else if (op instanceof Statement.ActionOp.Delete d) {
                target = d.map();
            } else if (op instanceof Statement.ActionOp.Cancel c) {
                target = c.map();
            }
            if (target != null && in.closedMaps().contains(target)) {
                return true;
            }
        }
        return false;
    }

    private byte[] key(Backend.MapHandle m, String name, String source, byte[] key) throws ScenarioException {
        return in.key(name, m, source, key);
    }

    /**
     * Resolves action {@code name} for a callback of map {@code own}'s element: its maps become handles (as a
     * program's maps are fixed when it is loaded), its keys and values are checked against them.
     */
    private Backend.Callback callback(Backend.MapHandle own, String ownName, String name, boolean timer)
            throws ScenarioException {
        Statement.Action a = in.actions().get(name);
        if (a == null) {
            throw new ScenarioException("no action named '" + name + "' (define one with: action A OP ARGS...)");
        }
        List<Backend.CallbackOp> ops = new ArrayList<>();
        for (Statement.ActionOp op : a.ops()) {
            if (op instanceof Statement.ActionOp.Count c) {
                Backend.MapHandle m = counterMap(c.map(), "count");
                ops.add(new Backend.CallbackOp.Count(m, key(m, c.map(), c.keySource(), c.key())));
            } else if (op instanceof Statement.ActionOp.Update u) {
                Backend.MapHandle m = u.map() == null ? own : in.get(u.map());
                String mName = u.map() == null ? ownName : u.map();
                byte[] k = u.map() == null ? null : key(m, mName, u.keySource(), u.key());
                ops.add(new Backend.CallbackOp.Update(u.map() == null ? null : m, k,
                        in.programValue(m, mName, u.value()), u.flags()));
            } else if (op instanceof Statement.ActionOp.Delete d) {
                Backend.MapHandle m = d.map() == null ? null : in.get(d.map());
                ops.add(new Backend.CallbackOp.Delete(m, m == null ? null : key(m, d.map(), d.keySource(), d.key())));
            } else if (op instanceof Statement.ActionOp.Restart r) {
                if (!timer) {
                    throw new ScenarioException("action " + name + ": restart is a timer operation");
                }
                ops.add(new Backend.CallbackOp.Restart(r.nsecs(), r.flags()));
            } else if (op instanceof Statement.ActionOp.Cancel c) {
                if (!timer) {
                    throw new ScenarioException("action " + name + ": cancel is a timer operation");
                }
                Backend.MapHandle m = counterMap(c.map(), "cancel");
                ops.add(new Backend.CallbackOp.Cancel(m, key(m, c.map(), c.keySource(), c.key())));
            }
        }
        return new Backend.Callback(name, List.copyOf(ops));
    }

    private Backend.MapHandle counterMap(String name, String op) throws ScenarioException {
        Backend.MapHandle m = in.get(name);
        if (m.valueSize() < 8 || m.type().isPercpu()) {
            throw new ScenarioException(op + ": map " + name + " needs a u64 at offset 0 of a plain (not per-CPU)"
                    + " value of at least 8 bytes");
        }
        return m;
    }
}
