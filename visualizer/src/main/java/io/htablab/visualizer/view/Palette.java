package io.htablab.visualizer.view;

import javafx.scene.paint.Color;

/** Canvas colours of a theme (the controls are themed by CSS). */
public record Palette(boolean dark, Color background, Color text, Color muted, Color line, Color panel,
                      Color highlight, Color walk, Color match, Color restart, Color lock, Color reader,
                      Color cpu) {

    public static final Palette LIGHT = new Palette(false, Color.web("#fbfbf8"), Color.web("#1d232b"),
            Color.web("#6b7480"), Color.web("#8a939e"), Color.web("#eef1f4"), Color.web("#ffd84d"),
            Color.web("#1f6feb"), Color.web("#1a9850"), Color.web("#d73027"), Color.web("#e66100"),
            Color.web("#8e44ad"), Color.web("#0b7285"));

    public static final Palette DARK = new Palette(true, Color.web("#1b1e23"), Color.web("#e8eaed"),
            Color.web("#9aa3ad"), Color.web("#6d7680"), Color.web("#262a31"), Color.web("#b8860b"),
            Color.web("#58a6ff"), Color.web("#3fb950"), Color.web("#ff6b5e"), Color.web("#ff9f43"),
            Color.web("#c77dff"), Color.web("#3bc9db"));

    /** A stable colour per element identity, so an element is recognisable in every view. */
    public Color elem(int elem) {
        double hue = (elem * 137.508) % 360;
        return dark ? Color.hsb(hue, 0.45, 0.42) : Color.hsb(hue, 0.22, 0.98);
    }

    /**
     * A colour per CPU, the same in every view (lock badges, the CPU lane): well-separated hues for the first
     * eight CPUs, then the golden angle.
     */
    public Color cpuColor(int cpu) {
        double[] hues = {190, 280, 28, 130, 340, 55, 220, 0};
        double hue = cpu >= 0 && cpu < hues.length ? hues[cpu] : (cpu * 137.508) % 360;
        return dark ? Color.hsb(hue, 0.55, 0.85) : Color.hsb(hue, 0.85, 0.62);
    }

    public Color elemEdge(int elem) {
        double hue = (elem * 137.508) % 360;
        return dark ? Color.hsb(hue, 0.45, 0.75) : Color.hsb(hue, 0.55, 0.62);
    }
}
