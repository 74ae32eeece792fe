package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The facts probe's output as Debian and FreeBSD hosts print it, and what counts as a change. */
class BaselineCheckTest {
    static final String DEBIAN =
            """
            os=Debian GNU/Linux 12 (bookworm)
            kernel=Linux 6.1.0-18-amd64
            boot_id=3f1c0e52-8f6a-4a43-9d1c-1b2f8f0e7a11
            ephemeral=32768\t60999
            service=ssh.service
            service=nginx.service
            service=cron.service
            pkg_manager=dpkg
            pkg_count=530
            pkg_sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
            cert=/etc/letsencrypt/live/example.org/cert.pem 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
            @ports
            uid=0
            tool=ss
            tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:(("nginx",pid=812,fd=6))
            tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:(("sshd",pid=700,fd=3))
            tcp   LISTEN 0      128             [::]:22           [::]:*    users:(("sshd",pid=700,fd=4))
            tcp   LISTEN 0      511        127.0.0.1:9000      0.0.0.0:*    users:(("php-fpm8.2",pid=900,fd=8))
            udp   UNCONN 0      0          127.0.0.1:323       0.0.0.0:*    users:(("chronyd",pid=600,fd=5))
            tcp   LISTEN 0      50         127.0.0.1:41234     0.0.0.0:*    users:(("java",pid=1,fd=1))
            """;

    static final String FREEBSD =
            """
            os=FreeBSD 13.2-RELEASE-p4
            kernel=FreeBSD 13.2-RELEASE-p4
            boot_id={ sec = 1700000000, usec = 123456 } Tue Nov 14 22:13:20 2023
            ephemeral=49152-65535
            service=sshd
            service=ntpd
            pkg_manager=pkg
            pkg_count=2
            pkg=nginx-1.24.0_12,3
            pkg=php82-8.2.12
            cert=/usr/local/etc/ssl/site.pem missing
            @ports
            uid=0
            tool=sockstat
            USER     COMMAND    PID   FD PROTO  LOCAL ADDRESS         FOREIGN ADDRESS
            root     sshd       812   4  tcp6   *:22                  *:*
            root     sshd       812   5  tcp4   *:22                  *:*
            www      nginx      900   6  tcp4   *:80                  *:*
            root     ntpd       700   20 udp4   *:123                 *:*
            root     rpcbind    650   9  tcp4   *:50123               *:*
            """;

    static final Instant TAKEN = Instant.parse("2026-11-20T01:55:00Z");
    static final Now NOW = Now.at(Instant.parse("2026-11-23T06:00:00Z"));

    static ProbeOutput out(String text) {
        return new ProbeOutput(0, text.getBytes(StandardCharsets.UTF_8), new byte[0], false);
    }

    static Verdict verify(HostFacts before, String now, Optional<String> hostKey) {
        return Observed.judge(
                BaselineCheck.against(new BaselineCheck.Baseline(TAKEN, before)),
                new Observation(List.of(out(now)), List.of(), Optional.empty(), hostKey),
                NOW);
    }

    static HostFacts debian() {
        return HostFacts.parse(DEBIAN).withHostKey(Optional.of("SHA256:old"));
    }

    @Test
    void parsesDebianFactsWithPortsWithoutTheEphemeralRange() {
        HostFacts f = HostFacts.parse(DEBIAN);
        assertEquals("Debian GNU/Linux 12 (bookworm)", f.os());
        assertEquals("Linux 6.1.0-18-amd64", f.kernel());
        assertEquals("3f1c0e52-8f6a-4a43-9d1c-1b2f8f0e7a11", f.bootId());
        assertEquals(List.of("tcp/22", "tcp/80", "tcp/9000", "udp/323"), f.ports());
        assertEquals(List.of("cron.service", "nginx.service", "ssh.service"), f.services());
        assertEquals(
                Optional.of(
                        new HostFacts.Packages(
                                "dpkg",
                                530,
                                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")),
                f.packages());
        assertEquals(
                Map.of(
                        "/etc/letsencrypt/live/example.org/cert.pem",
                        "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"),
                f.certs());
    }

    @Test
    void parsesFreeBsdSockstatWithoutEphemeralPortsAndHashesThePackagesTheHostCouldNot() {
        HostFacts f = HostFacts.parse(FREEBSD);
        assertEquals("FreeBSD 13.2-RELEASE-p4", f.os());
        assertEquals(List.of("tcp/22", "tcp/80", "udp/123"), f.ports()); // 50123 is ephemeral
        assertEquals(List.of("ntpd", "sshd"), f.services());
        // printf 'nginx-1.24.0_12,3\nphp82-8.2.12\n' | sha256sum
        assertEquals(
                Optional.of(
                        new HostFacts.Packages(
                                "pkg",
                                2,
                                "b83fb97694dd1f76636f619bf259c05b5e69610cb691a22b56b081d52b0718bb")),
                f.packages());
        assertEquals(Map.of("/usr/local/etc/ssl/site.pem", "missing"), f.certs());
    }

    @Test
    void theSnapshotsRecorderKeepsTheFactsItObservedWithTheHostKey() {
        BaselineCheck.Recorder recorder = BaselineCheck.recording(List.of()).recorder();
        Verdict v =
                Observed.judge(
                        recorder,
                        new Observation(
                                List.of(out(DEBIAN)),
                                List.of(),
                                Optional.empty(),
                                Optional.of("SHA256:abc")),
                        NOW);
        assertEquals(Status.PASS, v.status());
        assertEquals(
                "recorded: Debian GNU/Linux 12 (bookworm), Linux 6.1.0-18-amd64, 4 ports,"
                        + " 3 services, 530 packages (dpkg), 1 certificate",
                v.reason());
        assertEquals(
                Optional.of(HostFacts.parse(DEBIAN).withHostKey(Optional.of("SHA256:abc"))),
                recorder.facts());
    }

    @Test
    void unchangedHostPasses() {
        Verdict v = verify(debian(), DEBIAN, Optional.of("SHA256:old"));
        assertEquals(Verdict.pass("unchanged since baseline 2026-11-20 01:55Z"), v);
    }

    @Test
    void aRebootAloneIsMentionedButPasses() {
        Verdict v =
                verify(debian(), DEBIAN.replace("3f1c0e52", "99990000"), Optional.of("SHA256:old"));
        assertEquals(
                Verdict.pass(
                        "unchanged since baseline 2026-11-20 01:55Z; rebooted since (new boot id)"),
                v);
    }

    @Test
    void redeployedHostFailsListingEveryChange() {
        String now =
                DEBIAN.replace("Debian GNU/Linux 12 (bookworm)", "Debian GNU/Linux 13 (trixie)")
                        .replace("Linux 6.1.0-18-amd64", "Linux 6.12.9-amd64")
                        .replace("3f1c0e52", "99990000")
                        .replace("pkg_count=530", "pkg_count=412")
                        .replace("9f86d0", "000000")
                        .replaceAll("(?m)^.*:9000 .*\\n", "")
                        .replaceAll("(?m)^service=nginx.service\\n", "")
                        .replaceAll("(?m)^cert=.*\\n", "");
        Verdict v = verify(debian(), now, Optional.of("SHA256:new"));
        assertEquals(
                Verdict.fail(
                        "changed since baseline 2026-11-20 01:55Z:"
                                + " OS Debian GNU/Linux 12 (bookworm) → Debian GNU/Linux 13 (trixie);"
                                + " kernel Linux 6.1.0-18-amd64 → Linux 6.12.9-amd64;"
                                + " host key SHA256:old → SHA256:new;"
                                + " port tcp/9000 no longer listens;"
                                + " service nginx.service no longer enabled at boot;"
                                + " packages changed (count 530 → 412);"
                                + " certificate /etc/letsencrypt/live/example.org/cert.pem missing;"
                                + " rebooted since (new boot id)"),
                v);
    }

    @Test
    void packageChangesAndNewPortsOnlyWarn() {
        String now =
                DEBIAN.replace("9f86d0", "000000")
                        .replace("@ports\n", "service=docker.service\n@ports\n")
                        .concat(
                                "tcp   LISTEN 0      511          0.0.0.0:8080      0.0.0.0:*\n"
                                        + "tcp   LISTEN 0      511          0.0.0.0:8443      0.0.0.0:*\n");
        Verdict v = verify(debian(), now, Optional.of("SHA256:old"));
        assertEquals(
                Verdict.warn(
                        "changed since baseline 2026-11-20 01:55Z:"
                                + " ports tcp/8080, tcp/8443 now listen;"
                                + " service docker.service newly enabled at boot;"
                                + " packages changed (count 530 → 530)"),
                v);
    }

    @Test
    void aRenewedCertificateWarns() {
        Verdict v =
                verify(debian(), DEBIAN.replace("2c26b46b", "00000000"), Optional.of("SHA256:old"));
        assertEquals(
                Verdict.warn(
                        "changed since baseline 2026-11-20 01:55Z: certificate"
                                + " /etc/letsencrypt/live/example.org/cert.pem replaced"),
                v);
    }

    @Test
    void noHostKeyNowIsNotAChange() {
        Verdict v = verify(debian(), DEBIAN, Optional.empty());
        assertEquals(Status.PASS, v.status());
    }

    @Test
    void aProbeThatPrintedNothingIsAnErrorNotAPass() {
        Verdict v =
                Observed.judge(
                        BaselineCheck.against(new BaselineCheck.Baseline(TAKEN, debian())),
                        new Observation(
                                List.of(
                                        new ProbeOutput(
                                                2,
                                                new byte[0],
                                                "sh: 1: syntax error"
                                                        .getBytes(StandardCharsets.UTF_8),
                                                false)),
                                List.of(),
                                Optional.empty(),
                                Optional.empty()),
                        NOW);
        assertEquals(Verdict.error("host facts probe failed: sh: 1: syntax error"), v);
    }

    @Test
    void extraCertificateFilesAreProbedQuotedAndLetsEncryptOnesByTheGlob() {
        String script =
                BaselineCheck.recording(
                                List.of(
                                        "/etc/ssl/my cert.pem",
                                        "/etc/letsencrypt/live/example.org/cert.pem"))
                        .hostProbes()
                        .get(0)
                        .script();
        assertEquals(
                true,
                script.contains(
                        "for pf_c in /etc/letsencrypt/live/*/cert.pem '/etc/ssl/my cert.pem'; do"),
                script);
    }
}
