package io.htablab.hashtab.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RunCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;
    private InputStream oldIn;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        oldIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
        System.setIn(oldIn);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runsAFileAndReportsBadLinesWithFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.hts");
        Files.writeString(f, "cpus 2\ncreate h type=hash key=4 value=4 max=4 flags=zero_seed\n"
                + "update h u32:1 u32:2\nupdate h u16:1 u32:2\nlookup h u32:1\nbogus\n");
        int status = Main.execute("run", f.toString());
        assertThat(status).isZero();
        assertThat(stdout()).isEqualTo("ok\nok\nok\nerror EINVAL\nvalue 02000000\nerror EINVAL\n");
        assertThat(stderr()).contains(f + ":4: key 'u16:1' has 2 bytes, map h has key_size 4")
                .contains(f + ":6: unknown statement 'bogus'");
    }

    @Test
    void readsStandardInputForDash() {
        System.setIn(new ByteArrayInputStream("create h type=hash key=4 value=4 max=4\ninfo h\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(Main.execute("run", "-")).isZero();
        assertThat(stdout()).isEqualTo("ok\ninfo type=hash key=4 value=4 max=4 flags=-\n");
    }

    @Test
    void anUnreadableFileExitsWithOne(@TempDir Path dir) {
        assertThat(Main.execute("run", dir.resolve("missing.hts").toString())).isEqualTo(1);
        assertThat(stderr()).contains("cannot read").contains("missing.hts");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void cpusOptionSetsThePossibleCpuCount(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.hts");
        Files.writeString(f, "create p type=percpu_hash key=4 value=4 max=4\nupdate p u32:1 u32:7\nlookup p u32:1\ncpu 3\ncpu 4\n");
        assertThat(Main.execute("run", "--cpus", "4", f.toString())).isZero();
        assertThat(stdout()).isEqualTo("ok\nok\nvalue 07000000|07000000|07000000|07000000\nok\nerror EINVAL\n");
    }

    @Test
    void helpExplainsTheCommands() {
        int status = new picocli.CommandLine(new Main()).execute("--help");
        assertThat(status).isZero();
        assertThat(stdout()).contains("run").contains("kernel").contains("verify");
    }
}
