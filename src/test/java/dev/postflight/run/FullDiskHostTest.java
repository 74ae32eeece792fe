package dev.postflight.run;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.HostProbe;
import dev.postflight.check.ProbeOutput;
import dev.postflight.check.Status;
import dev.postflight.inventory.Host;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.SshTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a host whose /tmp and /dev/shm are full to the last inode and the last block. The batch
 * cannot create a folder there, yet it must still report that exhaustion and every other check's
 * true verdict. Each command runs in a private mount namespace of its own with tiny tmpfs mounts
 * over /tmp and /dev/shm, filled up.
 */
class FullDiskHostTest {
    @TempDir Path dir;

    /** Mounts a 64 KiB, 16-inode tmpfs over each folder and fills its inodes, then its blocks. */
    private static String fullTmpfs(String... mounts) {
        StringBuilder s = new StringBuilder();
        for (String m : mounts) {
            s.append("mount -t tmpfs -o size=64k,nr_inodes=16 tmpfs ")
                    .append(m)
                    .append(" || exit 99; i=0; while true 2>/dev/null >")
                    .append(m)
                    .append("/f$i; do i=$((i+1)); done; head -c 1000000 /dev/zero 2>/dev/null >")
                    .append(m)
                    .append("/f0; ");
        }
        return s.toString();
    }

    @Test
    void aHostWhoseTmpAndShmAreFullStillGetsTrueVerdictsAndTheDiskCheckNamesTheFullMount()
            throws Exception {
        try (SshTestServer s =
                SshTestServer.start(
                        dir,
                        Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"),
                        false,
                        SshTestServer.privateMountShell(fullTmpfs("/tmp", "/dev/shm")))) {
            RunReport report =
                    LocalRun.run(
                            dir,
                            """
                            checks:
                              - id: tmp
                                disk: { mount: /tmp }
                              - id: ok
                                command: { run: "echo hello; echo oops >&2", stdout_contains: hello }
                              - id: binary
                                command: { run: "printf 'a\\\\000b\\\\n\\\\n\\\\n'; exit 3", exit_status: 3, stdout_contains: "b" }
                              - id: fails
                                command: { run: "echo why >&2; exit 4" }
                              - id: passwd
                                file: { path: /etc/passwd }
                              - id: nothing
                                file: { path: /etc/no-such-file-here }
                              - id: shell
                                process: { name: sh }
                            """,
                            Host.at("full", s.host()),
                            s.connector("full", s.writeKnownHosts(dir.resolve("known_hosts"))));
            HostResult r = report.hosts().get(0);
            CheckResult tmp = check(r, "tmp");
            assertEquals(Status.FAIL, tmp.status(), tmp.verdict().reason());
            assertTrue(
                    tmp.verdict()
                            .reason()
                            .contains("/tmp 100% used (max 80%), inodes 100% (max 80%)"),
                    tmp.verdict().reason());
            for (String id : new String[] {"ok", "binary", "passwd", "shell"}) {
                CheckResult c = check(r, id);
                assertEquals(Status.PASS, c.status(), id + ": " + c.verdict().reason());
            }
            assertEquals(Status.FAIL, check(r, "fails").status());
            assertEquals(
                    "echo why >&2; exit 4: exit status 4, expected 0",
                    check(r, "fails").verdict().reason());
            assertEquals(
                    Status.FAIL,
                    check(r, "nothing").status(),
                    check(r, "nothing").verdict().reason());
        }
    }

    @Test
    void onAFullHostAProbeThatHangsTimesOutAloneAndHostileOutputKeepsItsExactBytes()
            throws Exception {
        try (SshTestServer s =
                SshTestServer.start(
                        dir,
                        Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"),
                        false,
                        SshTestServer.privateMountShell(fullTmpfs("/tmp", "/dev/shm")))) {
            RunReport report =
                    LocalRun.run(
                            dir,
                            """
                            checks:
                              - id: hangs
                                command: { run: "sleep 30", timeout: 1s }
                              - id: hostile
                                command: { run: "printf 'R0\\\\nOzz\\\\nE\\\\000\\\\n'; printf 'R1\\\\nE\\\\n' >&2; exit 7", exit_status: 7, stdout_contains: "Ozz" }
                              - id: quick
                                command: { run: "true" }
                            """,
                            Host.at("full", s.host()),
                            s.connector("full", s.writeKnownHosts(dir.resolve("known_hosts"))));
            HostResult r = report.hosts().get(0);
            assertEquals(Status.ERROR, check(r, "hangs").status());
            assertTrue(
                    check(r, "hangs").verdict().reason().contains("timed out"),
                    check(r, "hangs").verdict().reason());
            assertEquals(
                    Status.PASS,
                    check(r, "hostile").status(),
                    check(r, "hostile").verdict().reason());
            assertEquals(Status.PASS, check(r, "quick").status());
            assertTrue(r.elapsed().toSeconds() < 10, "took " + r.elapsed());
        }
    }

    @Test
    void hexFramesAreDecodedExactlyAndAnythingButLowercaseHexPairsBreaksTheFraming() {
        ProbeBatch batch = new ProbeBatch(List.of(HostProbe.of("probe-a")));
        String head = "\n@@PF " + batch.nonce() + " frames 1\n@@PF " + batch.nonce() + " 0 3 ";
        String end = "@@PF " + batch.nonce() + " end\n";
        ProbeBatch.Outputs ok = batch.parse(bytes(head + "6 2 hex\n00ff0a7a" + end));
        assertTrue(ok.complete(), ok.problem().toString());
        ProbeOutput out = ok.of(HostProbe.of("probe-a")).orElseThrow();
        assertArrayEquals(new byte[] {0, (byte) 0xff, '\n'}, out.stdout());
        assertArrayEquals(new byte[] {'z'}, out.stderr());
        assertEquals(3, out.exitCode());
        for (String bad :
                new String[] {
                    "5 2 hex\n00ff07a",
                    "6 2 hex\n00FF0a7a",
                    "6 2 hex\n00fg0a7a",
                    "6 2 HEX\n00ff0a7a",
                    "6 2 hex x\n00ff0a7a"
                }) {
            ProbeBatch.Outputs o = batch.parse(bytes(head + bad + end));
            assertFalse(o.complete(), bad);
            assertTrue(o.byScript().isEmpty(), bad);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
