package dev.postflight.run;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.Status;
import dev.postflight.inventory.Host;
import dev.postflight.testing.LocalRun;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Path;
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
}
