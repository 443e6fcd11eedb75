package io.htablab.visualizer.app;

/**
 * Entry point of the fat jar. It must not extend Application: started from the classpath, a JavaFX
 * Application main class fails with "JavaFX runtime components are missing".
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        HtabLabApp.main(args);
    }
}
