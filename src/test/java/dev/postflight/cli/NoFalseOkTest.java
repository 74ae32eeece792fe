package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run never says OK when nothing was verified: no checks, or none that applies to a host. */
class NoFalseOkTest {
    @TempDir Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** A loopback port with nothing listening: connecting to it is refused. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anEmptyCheckFileIsALoadErrorAndNoHostIsContacted() throws Exception {
        Path empty = write("e.yaml", "");
        Cli r = Cli.run("verify", "-c", empty.toString(), "root@127.0.0.1:" + closedPort());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                empty
                        + ":1:1: no checks: a checklist needs at least one check under checks: (a"
                        + " file of only vars or fixes can be included by one that has checks)\n",
                r.err());
        assertEquals("", r.out());
    }

    @Test
    void anEmptyChecksListIsReportedWhereItStands() throws Exception {
        Path f = write("c.yaml", "vars: { a: 1 }\nchecks: []\n");
        Cli r = Cli.run("lint", f.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith(f + ":2:1: no checks: "), r.err());
    }

    @Test
    void lintAcceptsAFileOfFixesThatAnotherFileOfTheLintIncludes() throws Exception {
        Files.createDirectory(dir.resolve("checks"));
        write(
                "checks/fixes.yaml",
                "fixes:\n  restart:\n    approval: confirm\n    steps:\n      - run: \"true\"\n");
        write(
                "checks/main.yaml",
                "include: [fixes.yaml]\nchecks:\n"
                        + "  - { id: a, command: { run: \"true\" }, fix: restart }\n");
        Cli r = Cli.run("lint", dir.resolve("checks").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("main.yaml: ok (1 check, 1 fix)\n"), r.out());
        Cli alone = Cli.run("lint", dir.resolve("checks/fixes.yaml").toString());
        assertEquals(2, alone.exit(), alone.out() + alone.err());
    }

    @Test
    void aHostThatIsDownIsUnreachableEvenWhenWhenLeavesItNoCheck() throws Exception {
        Path c =
                write(
                        "c.yaml",
                        "checks:\n  - { id: a, command: { run: \"true\" }, when: false }\n");
        Cli r =
                Cli.run(
                        "verify",
                        "-c",
                        c.toString(),
                        "root@127.0.0.1:" + closedPort(),
                        "--no-color",
                        "--ssh-config",
                        dir.resolve("none").toString(),
                        "--known-hosts",
                        dir.resolve("kh").toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("UNREACHABLE"), r.out());
        assertTrue(r.out().contains("refused"), r.out());
    }

    @Test
    void aHostLeftWithNoCheckIsAnErrorInEveryFormat() throws Exception {
        Path c =
                write(
                        "c.yaml",
                        "checks:\n"
                                + "  - { id: a, command: { run: \"true\" }, when: false }\n"
                                + "  - { id: b, command: { run: \"true\" }, when: false }\n");
        Cli r = Cli.run("verify", "--local", "-c", c.toString(), "--no-color");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out()
                        .contains(
                                "ERROR (no check)  no check applies to this host (2 skipped by when:)"),
                r.out());
        assertTrue(r.out().contains("when: false\n"), r.out());
        assertFalse(r.out().contains("is false"), r.out());

        JsonNode json =
                new ObjectMapper()
                        .readTree(
                                Cli.run("verify", "--local", "-c", c.toString(), "--format", "json")
                                        .out());
        assertEquals(1, json.get("exit_code").asInt());
        assertEquals(1, json.get("summary").get("error").asInt());
        Cli nagios = Cli.run("verify", "--local", "-c", c.toString(), "--format", "nagios");
        assertTrue(nagios.out().startsWith("POSTFLIGHT UNKNOWN - "), nagios.out());
        assertEquals(3, nagios.exit());
        String tap = Cli.run("verify", "--local", "-c", c.toString(), "--format", "tap").out();
        assertTrue(tap.contains("not ok 3 - "), tap);
        String junit = Cli.run("verify", "--local", "-c", c.toString(), "--format", "junit").out();
        assertTrue(junit.contains("errors=\"1\""), junit);
        String md = Cli.run("verify", "--local", "-c", c.toString(), "--format", "markdown").out();
        assertTrue(md.contains(" — FAILED"), md);
        String prom =
                Cli.run("verify", "--local", "-c", c.toString(), "--format", "prometheus").out();
        assertTrue(prom.contains("postflight_run_exit_code{checklist=\"c\"} 1"), prom);
    }
}
