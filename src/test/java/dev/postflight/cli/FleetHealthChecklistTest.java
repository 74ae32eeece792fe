package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postflight.testing.FreeBsdHost;
import dev.postflight.testing.OpenSshKeys;
import dev.postflight.testing.OpenSshServer;
import dev.postflight.testing.PortableHost;
import dev.postflight.testing.SshTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 (seed 004): checks/fleet-health.yaml is run with {@code postflight verify} over SSH on
 * the kinds of hosts the fleet has — a FreeBSD personality, a BusyBox-only host, and this machine
 * behind a real OpenSSH sshd — and every check is judged with a reason that is true of the host; an
 * error only where it is the truth (BusyBox has no package manager), and then it says so.
 */
class FleetHealthChecklistTest {
    @TempDir Path dir;

    private Cli verify(String host, int port, String user, Path identity, String knownHosts)
            throws Exception {
        Path inventory =
                Files.writeString(
                        dir.resolve("inv.yaml"),
                        "hosts:\n  "
                                + host
                                + ": { address: 127.0.0.1, port: "
                                + port
                                + ", user: "
                                + user
                                + ", identity: "
                                + identity
                                + " }\n");
        Path known = Files.writeString(dir.resolve("known_hosts"), knownHosts + "\n");
        return Cli.run(
                "verify",
                "-i",
                inventory.toString(),
                "-c",
                "checks/fleet-health.yaml",
                "--known-hosts",
                known.toString(),
                "--ssh-config",
                dir.resolve("no-config").toString(),
                "--timeout",
                "120s",
                "--no-color");
    }

    private Cli verify(SshTestServer s, String host) throws Exception {
        return verify(host, s.port(), s.user(), s.clientKey(), s.knownHostsLine());
    }

    /** The line of check {@code id}: its status and reason. */
    private static String line(Cli r, String id) {
        Matcher m =
                Pattern.compile(
                                "(?m)^\\s+(pass|WARN|FAIL|ERROR|skip) +"
                                        + Pattern.quote(id)
                                        + " +(.*)$")
                        .matcher(r.out());
        assertTrue(m.find(), id + " is not in the report:\n" + r.out() + r.err());
        return m.group(1) + " " + m.group(2);
    }

    private static void judged(Cli r, String id, String reason) {
        String l = line(r, id);
        assertTrue(l.matches("(pass|WARN|FAIL) " + reason), id + ": " + l + "\n" + r.out());
    }

    /** What every host says of disks, load, memory, processes: judged, in their own words. */
    private static void judgesTheMachineItRunsOn(Cli r) {
        judged(
                r,
                "disks",
                "(\\d+ filesystems within limits, fullest )?/\\S* \\d+% used, inodes \\d+%(?s).*");
        judged(r, "load", "load \\d+\\.\\d\\d over 5m on \\d+ cores? = \\d+\\.\\d\\d per core.*");
        judged(r, "memory", "available \\S+ of \\S+ \\(\\d+(\\.\\d)?%\\).*");
        judged(r, "files-open", "system: \\d+ of \\d+ files open \\(\\d+(\\.\\d+)?%.*");
        // This machine's own zombies and runaways (other tests' orphans end as zombies of pid 1).
        judged(
                r,
                "processes",
                "(\\d+ processes \\(.*\\); \\d+ zombies?|\\d+ zombies? \\(at most \\d+\\)"
                        + "|.* above \\d+% CPU).*");
    }

    @Test
    void everyCheckIsJudgedOnAFreeBsdPersonality() throws Exception {
        assumeTrue(FreeBsdHost.available(), "needs dash, nsenter, ss, root and unshare");
        FreeBsdHost host =
                FreeBsdHost.of(dir, "14").lastUpgrade(Instant.now().minus(Duration.ofHours(3)));
        try (SshTestServer s = host.start()) {
            Cli r = verify(s, "bsd1");
            judgesTheMachineItRunsOn(r);
            judged(
                    r,
                    "patched",
                    "pkg: 0 updates pending, 0 security, last upgrade 3h00m ago, package lists"
                            + " 3h00m old");
            judged(
                    r,
                    "boot-clean",
                    "booted .* ago at .*; 0 OOM kills since boot \\(dmesg\\); failed units: skipped"
                            + " \\(no systemd\\)");
            assertTrue(line(r, "patched").startsWith("pass "), line(r, "patched"));
            assertTrue(line(r, "boot-clean").startsWith("pass "), line(r, "boot-clean"));
        }
    }

    @Test
    void everyCheckIsJudgedOnABusyBoxOnlyHostAndTheMissingPackageManagerSaysSo() throws Exception {
        assumeTrue(PortableHost.available(PortableHost.BUSYBOX), "needs busybox, root and unshare");
        try (SshTestServer s = PortableHost.busybox(dir)) {
            Cli r = verify(s, "bb1");
            judgesTheMachineItRunsOn(r);
            assertTrue(
                    line(r, "patched").equals("ERROR updates: no apt-get, dnf, yum, pkg or apk"),
                    line(r, "patched"));
            judged(
                    r,
                    "boot-clean",
                    "booted .* ago at .*; \\d+ OOM kills? since boot.* \\(dmesg\\); failed units:"
                            + " skipped \\(no systemd\\).*");
        }
    }

    @Test
    void everyCheckIsJudgedThroughARealOpenSshServer() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sshd")), "needs /usr/sbin/sshd");
        Path key = OpenSshKeys.generate(dir.resolve("id_ed25519"), "");
        try (OpenSshServer sshd =
                OpenSshServer.start(
                        dir.resolve("sshd"),
                        OpenSshServer.Setup.authorizing(Path.of(key + ".pub")))) {
            Cli r =
                    verify(
                            "web1",
                            sshd.port(),
                            sshd.user(),
                            key,
                            sshd.knownHostsName() + " " + sshd.hostKey());
            judgesTheMachineItRunsOn(r);
            // This machine's own apt and kernel log, read as the login user (root).
            judged(
                    r,
                    "patched",
                    "(\\d+ security updates? pending: .*; )?apt: \\d+ updates? pending, \\d+"
                            + " security.*");
            judged(r, "boot-clean", "booted .* ago at .*; \\d+ OOM kills? since boot.*");
        }
    }
}
