package io.htablab.hashtab.htab.fields;

/**
 * What a running callback receives: its map (by id in the runtime), its element's key, the CPU it runs on, and
 * the field it belongs to, on which it can call the timer helpers. The helpers address the field, not the
 * object: once the callback has deleted its own element the timer is unset and they answer EINVAL, as in the
 * kernel.
 *
 * @param mapId the map the element belongs to (find it with {@code BpfRuntime.mapById})
 * @param key   the element's key (a copy)
 * @param cpu   the CPU the callback runs on
 * @param self  the timer or work item whose callback this is
 */
public record CallbackFrame(int mapId, byte[] key, int cpu, BpfAsync self) {

    /** bpf_timer_start on the callback's own timer (a work item has none: EINVAL, the verifier's refusal). */
    public HelperResult timerStart(long nsecs, long flags) {
        if (!self.isTimer()) {
            return HelperResult.invalid("a workqueue callback has no timer to start");
        }
        return self.owner().bpfTimerStart(self.elem(), self.fieldIndex(), cpu, nsecs, flags);
    }

    /** bpf_timer_cancel on the callback's own timer: EDEADLK while it runs (it would wait for itself). */
    public HelperResult timerCancel() {
        if (!self.isTimer()) {
            return HelperResult.invalid("a workqueue callback has no timer to cancel");
        }
        return self.owner().bpfTimerCancel(self.elem(), self.fieldIndex(), cpu);
    }
}
