package io.htablab.visualizer.view;

import io.htablab.hashtab.htab.event.BucketEvent;
import io.htablab.hashtab.htab.hash.Jhash;
import io.htablab.visualizer.model.Hex;
import io.htablab.visualizer.model.MapModel;
import io.htablab.visualizer.model.OpContext;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;

import java.util.List;

/**
 * jhash of the current operation's key: bytes → little-endian words → the traced rounds (a, b, c) → hash →
 * {@code & (n_buckets - 1)} → bucket. The trace is the engine's own {@link Jhash#trace} of the key and seed
 * the engine reported in its HashComputed event.
 */
public final class JhashView extends CanvasView {

    public JhashView() {
        super("jhashView", "jhash: the key's bytes are read as little-endian 32-bit words and mixed into three "
                + "state words a, b, c (seeded with 0xdeadbeef + length + hashrnd). The final c is the hash; "
                + "its low bits pick the bucket.");
    }

    @Override
    protected boolean animates() {
        MapModel m = map();
        return m != null && m.exists() && m.op().last() instanceof BucketEvent.HashComputed;
    }

    private String lastKey;

    /**
     * The rounds are revealed a few times per step, not every frame: between reveals the canvas is left alone
     * (a canvas repaint costs 10-20 ms in the software renderer).
     */
    @Override
    protected boolean unchanged() {
        MapModel m = map();
        if (m == null || !m.exists()) {
            lastKey = null;
            return false;
        }
        String key = stamp + "/" + revealed(m) + "/" + panX + "/" + panY + "/" + zoom + "/" + canvas.getWidth() + "x"
                + canvas.getHeight() + "/" + palette.dark();
        if (key.equals(lastKey)) {
            return true;
        }
        lastKey = key;
        return false;
    }

    /** How many rows of the trace are shown now: all of them, except while a HashComputed step plays. */
    private int revealed(MapModel m) {
        OpContext.HashInfo h = shownHash(m);
        boolean fresh = m.op().last() instanceof BucketEvent.HashComputed && progress < 1;
        if (!fresh || h == null) {
            return Integer.MAX_VALUE;
        }
        int rows = Jhash.trace(h.key(), h.seed()).steps().size() + 2;
        return Math.max(1, (int) Math.ceil(progress * rows));
    }

    /** The operation's hash, or the race reader's when it is the one hashing. */
    private static OpContext.HashInfo shownHash(MapModel m) {
        OpContext op = m.op();
        OpContext.HashInfo h = op.hash();
        if (m.reader().active() && m.reader().key() != null && (h == null || op.op() == null)) {
            h = new OpContext.HashInfo(m.reader().key(), m.geometry().hashrnd(), m.reader().hash(),
                    m.reader().bucket());
        }
        return h;
    }

    @Override
    protected void draw(GraphicsContext g, MapModel m) {
        OpContext op = m.op();
        OpContext.HashInfo h = shownHash(m);
        if (h == null) {
            text(g, mapPrefix(m) + "jhash · the next operation's key will be hashed here (seed " + Hex.u32(m.geometry().hashrnd())
                    + ")", 12, 18, palette.muted(), 13, false);
            contentWidth = 600;
            contentHeight = 40;
            return;
        }
        Jhash.Trace tr = Jhash.trace(h.key(), h.seed());
        List<Jhash.Step> steps = tr.steps();
        // reveal the rounds one by one while the HashComputed step plays
        boolean fresh = op.last() instanceof BucketEvent.HashComputed && progress < 1;
        int shown = fresh ? Math.max(1, (int) Math.ceil(progress * (steps.size() + 2))) : steps.size() + 2;

        double x = 12;
        var types = m.types();
        text(g, mapPrefix(m) + "jhash" + (tr.usesJhash2() ? "2" : "") + "(key, " + h.key().length + " bytes, seed "
                + Hex.u32(h.seed()) + ")" + (types != null && types.hasKey() ? "   key " + BucketsView.fit(
                types.keyText(h.key()), 60) : ""), x, 16, palette.text(), 14, true);
        // bytes
        double y = 32;
        text(g, "key bytes", x, y + 10, palette.muted(), 11, false);
        double bx = x + 80;
        byte[] key = h.key();
        // at most 16 bytes (4 words) are drawn, so the result column always fits beside them
        int maxBytes = Math.min(key.length, 16);
        for (int i = 0; i < maxBytes; i++) {
            double cx = bx + i * 24 + (i / 4) * 6;
            box(g, cx, y, 22, 20, palette.panel(), palette.line(), 1);
            g.setFont(mono(11, false));
            g.setFill(palette.text());
            g.fillText(String.format("%02x", key[i] & 0xff), cx + 4, y + 10);
        }
        if (key.length > maxBytes) {
            text(g, "… +" + (key.length - maxBytes), bx + 4 * 102 - 2, y + 10, palette.muted(), 11, false);
        }
        // words
        y += 26;
        text(g, "LE words", x, y + 10, palette.muted(), 11, false);
        for (int w = 0; w * 4 < maxBytes; w++) {
            int v = 0;
            for (int b = 0; b < 4 && w * 4 + b < key.length; b++) {
                v |= (key[w * 4 + b] & 0xff) << (8 * b);
            }
            double cx = bx + w * 102;
            box(g, cx, y, 94, 20, palette.panel(), palette.walk(), 1);
            g.setFont(mono(11, false));
            g.setFill(palette.text());
            g.fillText(Hex.u32(v), cx + 10, y + 10);
        }
        // rounds table
        y += 32;
        g.setFont(mono(12, true));
        g.setFill(palette.muted());
        g.fillText("step", x, y);
        g.fillText("a", x + 190, y);
        g.fillText("b", x + 290, y);
        g.fillText("c", x + 390, y);
        y += 16;
        for (int i = 0; i < steps.size() && i < shown; i++) {
            Jhash.Step s = steps.get(i);
            boolean newest = fresh && i == shown - 1;
            if (newest) {
                g.setFill(palette.highlight().deriveColor(0, 1, 1, 0.4));
                g.fillRect(x - 4, y - 8, 500, 16);
            }
            String label = switch (s.kind()) {
                case INITIAL -> "init 0xdeadbeef+len+seed";
                case ADD_BLOCK -> "add bytes " + s.offset() + ".." + (s.offset() + s.length() - 1);
                case MIX -> "mix (6 rounds)";
                case ADD_TAIL -> "add tail " + s.offset() + ".." + (s.offset() + s.length() - 1);
                case FINAL -> "final (7 rounds)";
            };
            g.setFont(font(12, false));
            g.setFill(palette.text());
            g.fillText(label, x, y);
            g.setFont(mono(12, s.kind() == Jhash.StepKind.FINAL));
            g.fillText(Hex.u32(s.state().a()), x + 190, y);
            g.fillText(Hex.u32(s.state().b()), x + 290, y);
            g.setFill(s.kind() == Jhash.StepKind.FINAL ? palette.match() : palette.text());
            g.fillText(Hex.u32(s.state().c()), x + 390, y);
            y += 16;
        }
        // result, on the right
        if (shown > steps.size()) {
            double rx = Math.max(520, bx + 4 * 102 + 20);
            double ry = 84;
            int n = m.nBuckets();
            int bits = Integer.numberOfTrailingZeros(n);
            text(g, "hash", rx, ry, palette.muted(), 12, false);
            g.setFont(mono(15, true));
            g.setFill(palette.text());
            g.fillText(Hex.u32(h.hash()), rx + 60, ry);
            ry += 22;
            text(g, "& (n_buckets − 1) = & " + (n - 1) + "  (low " + bits + " bits)", rx, ry, palette.muted(), 12,
                    false);
            ry += 20;
            String binary = String.format("%32s", Integer.toBinaryString(h.hash())).replace(' ', '0');
            g.setFont(mono(13, false));
            double cx = rx;
            for (int i = 0; i < 32; i++) {
                boolean low = i >= 32 - bits;
                g.setFill(low ? palette.walk() : palette.muted());
                g.setFont(mono(13, low));
                g.fillText(String.valueOf(binary.charAt(i)), cx, ry);
                cx += 9 + (i % 8 == 7 ? 5 : 0);
            }
            ry += 28;
            box(g, rx, ry - 14, 150, 30, palette.highlight().deriveColor(0, 1, 1, 0.5), palette.lock(), 2);
            text(g, "→ bucket " + h.bucket(), rx + 12, ry + 1, palette.text(), 15, true);
            if (m.reader().active() && op.op() == null) {
                text(g, "(the race reader's key)", rx + 160, ry + 1, palette.reader(), 12, true);
            }
            hit(rx, 80, 400, 120, "bucket = hash & (n_buckets - 1): only the low bits choose the bucket; the full "
                    + "32-bit hash is stored in the element and compared first during walks.");
        }
        contentWidth = 900;
        contentHeight = Math.max(y, 190);
    }
}
