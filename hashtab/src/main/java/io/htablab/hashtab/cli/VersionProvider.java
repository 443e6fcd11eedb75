package io.htablab.hashtab.cli;

import picocli.CommandLine;

/** Reports the jar's version (from the manifest when packaged). */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"htab-lab hashtab " + (v != null ? v : "(development build)"),
            "models Linux 6.18 kernel/bpf/hashtab.c"};
    }
}
