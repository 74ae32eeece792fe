package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * What {@code make dist} ships besides the jar: the bash completion script (picocli's AutoComplete
 * plus {@code dist/completion-values.bash}, exactly as {@code bin/dist} assembles it), run by a
 * real bash, and the version the container image prints (it runs the classes, not the jar).
 */
class DistributionTest {
    @TempDir Path dir;

    @Test
    void theVersionComesFromThePropertyWhenThereIsNoJarManifest() {
        String before = System.getProperty("postflight.version");
        System.setProperty("postflight.version", "9.8.7");
        try {
            Cli r = Cli.run("--version");
            assertEquals(0, r.exit(), r.err());
            assertEquals("postflight 9.8.7\n", r.out());
        } finally {
            if (before == null) System.clearProperty("postflight.version");
            else System.setProperty("postflight.version", before);
        }
    }

    @Test
    void tabAfterFormatOffersTheFormatNamesForVerifyAndApply() throws Exception {
        assertEquals(List.of("json", "junit"), complete("postflight", "verify", "--format", "j"));
        assertEquals(List.of("json", "junit"), complete("postflight", "apply", "--format", "j"));
    }

    @Test
    void tabAfterLimitOffersTheInventoryHostsAndGroups() throws Exception {
        Path inv = dir.resolve("inv.yaml");
        Files.writeString(
                inv,
                """
                defaults: { user: ops }
                hosts:
                  web1: { address: 203.0.113.10 }
                  db1:
                    address: 203.0.113.11
                    vars: { role: db }
                groups:
                  web: { hosts: [web1] }
                """);
        assertEquals(
                List.of("db1", "web", "web1"),
                complete("postflight", "verify", "-i", inv.toString(), "--limit", ""));
        assertEquals(
                List.of("web,db1"),
                complete("postflight", "verify", "-i", inv.toString(), "--limit", "web,d"));
    }

    @Test
    void tabAfterApproveOffersTheFixNamesOfTheCheckFiles() throws Exception {
        assertEquals(
                List.of("rerun-backup"),
                complete(
                        "postflight",
                        "verify",
                        "-c",
                        "checks/after-maintenance.yaml",
                        "--fix",
                        "--approve",
                        ""));
    }

    @Test
    void tabAfterInventoryOffersFiles() throws Exception {
        Files.writeString(dir.resolve("inventory.yaml"), "hosts: {}\n");
        assertEquals(
                List.of(dir.resolve("inventory.yaml").toString()),
                complete("postflight", "snapshot", "-i", dir.resolve("inv").toString()));
    }

    /** The words bash offers for TAB at the end of the given command line, sorted. */
    private List<String> complete(String... words) throws Exception {
        Path script = dir.resolve("postflight.bash");
        String generated = AutoComplete.bash("postflight", new CommandLine(new Main()));
        Files.writeString(
                script,
                generated + Files.readString(Path.of("dist/completion-values.bash")),
                StandardCharsets.UTF_8);
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "bash",
                                "-c",
                                """
                                . "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
                                _postflight 2>/dev/null; printf '%s\\n' "${COMPREPLY[@]}" | sort
                                """,
                                script.toString()));
        cmd.addAll(List.of(words));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }
}
