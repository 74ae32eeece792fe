package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The checklists in checks/ are what users start from: each must load, lint and run. */
class ShippedChecklistsTest {

    @Test
    void everyShippedChecklistIsDocumentedInItsHeader() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("checks"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                String text = Files.readString(f);
                assertTrue(text.startsWith("# "), f + " has no header comment");
                assertTrue(text.contains("checklist: "), f + " has no checklist name");
            }
        }
    }

    @Test
    void localYamlRunsOnThisMachineWithoutErrors() {
        Cli r = Cli.run("verify", "--local", "-c", "checks/local.yaml", "--no-color");
        assertTrue(r.exit() == 0 || r.exit() == 1, r.out() + r.err());
        assertTrue(r.out().contains("Summary: 1 host · 6 checks"), r.out());
        assertTrue(
                !r.out().contains("ERROR"),
                "a shipped check could not be judged here:\n" + r.out());
    }

    @Test
    void fleetHealthJudgesEveryCheckOnThisMachineAndItsLimitsAreVars() {
        Cli r = Cli.run("verify", "--local", "-c", "checks/fleet-health.yaml", "--no-color");
        for (String id :
                List.of(
                        "disks",
                        "load",
                        "memory",
                        "files-open",
                        "processes",
                        "patched",
                        "boot-clean")) {
            assertTrue(
                    r.out().matches("(?s).*\\n  (pass|WARN|FAIL) +" + id + " .*"),
                    id + " was not judged here:\n" + r.out());
        }
        // Seed 004's limits are vars: a fleet tightens one on the command line.
        Cli tight =
                Cli.run(
                        "verify",
                        "--local",
                        "-c",
                        "checks/fleet-health.yaml",
                        "--no-color",
                        "--var",
                        "disk_max=0%",
                        "--var",
                        "runaway_cpu=0",
                        "--var",
                        "runaway_for=0s");
        assertTrue(
                tight.out().matches("(?s).*FAIL +disks +/ \\d+% used \\(max 0%\\).*"), tight.out());
        assertTrue(tight.out().matches("(?s).*FAIL +processes +.*above 0% CPU.*"), tight.out());
    }

    @Test
    void webUnreachableRunsLocallyAndReportsPortsPrecisely() {
        Cli r = Cli.run("verify", "--local", "-c", "checks/web-unreachable.yaml", "--no-color");
        assertEquals(1, r.exit(), r.out() + r.err());
        // Nothing serves the web on this machine: the verdict must say what is missing, precisely.
        assertTrue(
                r.out()
                        .matches(
                                "(?s).*FAIL +http-listening +tcp/80: nothing listening \\(ss\\); not reachable from the runner: connection refused \\(127\\.0\\.0\\.1:80\\).*"),
                r.out());
        assertTrue(
                r.out()
                        .matches(
                                "(?s).*skip +php-fpm-listening +when: \\{\\{ has_php }} is false.*"),
                r.out());
        // Issue 18: the firewall is interpreted, not grepped: the verdict is about tcp/80 and 443.
        assertTrue(
                r.out()
                        .matches(
                                "(?s).*(pass|FAIL) +firewall-accepts-http +tcp/80 from anywhere: .*"),
                r.out());
        assertTrue(
                r.out()
                        .matches(
                                "(?s).*(pass|FAIL) +firewall-accepts-https +tcp/443 from anywhere: .*"),
                r.out());
    }

    @Test
    void checklistsThatNeedInventoryVarsSayWhichWhenTheyAreMissing() {
        Cli r = Cli.run("verify", "--local", "-c", "checks/redeployed-host.yaml");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("var 'site_name' has no value"), r.err());
    }

    /** Issue 6: after-maintenance.yaml against a real SSH host, a web site, an NTP server. */
    @Test
    void afterMaintenanceReportsTheRightVerdictsOnATestHost(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (dev.postflight.testing.SshTestServer ssh =
                        dev.postflight.testing.SshTestServer.start(
                                Files.createDirectory(dir.resolve("ssh")),
                                java.util.Map.of(),
                                false,
                                // The host sees none of this machine's processes: a time daemon
                                // that another test left running must not decide its verdict.
                                dev.postflight.testing.SshTestServer.isolatedShellWithout());
                dev.postflight.testing.NtpResponder ntp =
                        dev.postflight.testing.NtpResponder.start(java.time.Duration.ZERO)) {
            com.github.tomakehurst.wiremock.WireMockServer web =
                    new com.github.tomakehurst.wiremock.WireMockServer(
                            com.github.tomakehurst.wiremock.core.WireMockConfiguration
                                    .wireMockConfig()
                                    .bindAddress("127.0.0.1")
                                    .dynamicPort());
            web.start();
            try {
                web.stubFor(
                        com.github.tomakehurst.wiremock.client.WireMock.get("/")
                                .willReturn(
                                        com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                                                .withStatus(200)
                                                .withBody("<html>shop</html>")));
                Path backups = Files.createDirectory(dir.resolve("backups"));
                Files.writeString(backups.resolve("db-today.tar.gz"), "x".repeat(2048));
                int closed;
                try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                    closed = s.getLocalPort();
                }
                Path inv = dir.resolve("inv.yaml");
                Files.writeString(
                        inv,
                        "hosts:\n  web1: { address: 127.0.0.1, port: "
                                + ssh.port()
                                + ", user: ops, identity: "
                                + ssh.clientKey()
                                + " }\n");
                Cli r =
                        Cli.run(
                                "verify",
                                "-i",
                                inv.toString(),
                                "-c",
                                "checks/after-maintenance.yaml",
                                "--no-color",
                                "-v",
                                "--known-hosts",
                                ssh.writeKnownHosts(dir.resolve("kh")).toString(),
                                "--ssh-config",
                                dir.resolve("none").toString(),
                                "--var",
                                "site_url=http://127.0.0.1:" + web.port() + "/",
                                "--var",
                                "ntp_server=" + ntp.server(),
                                "--var",
                                "backup_dir=" + backups,
                                "--var",
                                "backup_schedule=*/5 * * * *",
                                "--var",
                                "https_port=" + closed);
                String out = r.out();
                assertEquals(1, r.exit(), out + r.err());
                assertTrue(
                        out.matches(
                                "(?s).*pass +site-reachable +GET http://127\\.0\\.0\\.1:\\d+/: 200 in .*"),
                        out);
                assertTrue(
                        out.matches(
                                "(?s).*pass +backup-ran +last backup .* ago \\(.*db-today\\.tar\\.gz\\).*"),
                        out);
                // On a loaded machine the honest answer may be "cannot judge" — never a wrong pass.
                assertTrue(
                        out.matches(
                                "(?s).*(pass +clock-offset +|ERROR +clock-offset +cannot judge 100.0ms with .* uncertainty: )host is [0-9.]+ms (ahead|behind) .*against NTP 127\\.0\\.0\\.1:.*"),
                        out);
                assertTrue(
                        out.matches(
                                "(?s).*WARN +certificate +web1: connection refused \\(127\\.0\\.0\\.1:"
                                        + closed
                                        + "\\).*"),
                        out);
                // This machine runs no time daemon: seed 003's own finding, with its fix named.
                assertTrue(
                        out.matches("(?s).*FAIL +time-synchronised +.*\\[fix: resync-clock\\].*"),
                        out);
                assertEquals(
                        2,
                        ssh.commands().size(),
                        "one exec for all host-side checks, one for the clock's round trips: "
                                + ssh.commands());
            } finally {
                web.stop();
            }
        }
    }

    /** Issue 6: redeployed-host.yaml sees each virtual host's own certificate by SNI. */
    @Test
    void redeployedHostChecksEveryVirtualHostByName(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        dev.postflight.testing.TestCerts.Issued ca =
                dev.postflight.testing.TestCerts.rootCa("redeploy CA");
        try (dev.postflight.testing.SshTestServer ssh =
                        dev.postflight.testing.SshTestServer.start(
                                Files.createDirectory(dir.resolve("ssh")),
                                java.util.Map.of(),
                                false,
                                // A host without nginx, also on a machine that has it.
                                dev.postflight.testing.SshTestServer.shellWithout(
                                        "/usr/sbin/nginx", "/usr/local/sbin/nginx"));
                dev.postflight.testing.SniTlsServer tls =
                        dev.postflight.testing.SniTlsServer.start(
                                java.util.Map.of(
                                        "example.test",
                                        dev.postflight.testing.TestCerts.leaf(
                                                ca, java.util.List.of("example.test"), 1, 60),
                                        "git.example.test",
                                        dev.postflight.testing.TestCerts.leaf(
                                                ca, java.util.List.of("git.example.test"), 1, 5)),
                                dev.postflight.testing.TestCerts.leaf(
                                        ca, java.util.List.of("default.test"), 1, 60))) {
            Path inv = dir.resolve("inv.yaml");
            Files.writeString(
                    inv,
                    "hosts:\n  web1: { address: 127.0.0.1, port: "
                            + ssh.port()
                            + ", user: ops, identity: "
                            + ssh.clientKey()
                            + " }\n");
            Cli r =
                    Cli.run(
                            "verify",
                            "-i",
                            inv.toString(),
                            "-c",
                            "checks/redeployed-host.yaml",
                            "--no-color",
                            "-v",
                            "--known-hosts",
                            ssh.writeKnownHosts(dir.resolve("kh")).toString(),
                            "--ssh-config",
                            dir.resolve("none").toString(),
                            "--var",
                            "site_name=example.test",
                            "--var",
                            "git_name=git.example.test",
                            "--var",
                            "ci_name=ci.example.test",
                            "--var",
                            "https_port=" + tls.port());
            String out = r.out();
            assertEquals(1, r.exit(), out + r.err());
            // A private CA is not in the system trust store: each vhost is named with its own
            // certificate.
            assertTrue(
                    out.matches(
                            "(?s).*FAIL +vhost-site +example\\.test: not trusted: unknown issuer; valid 60 days.*"),
                    out);
            assertTrue(
                    out.matches(
                            "(?s).*FAIL +vhost-git +git\\.example\\.test: not trusted: unknown issuer; expires in 5 days.*"),
                    out);
            assertTrue(
                    out.matches("(?s).*FAIL +vhost-ci +.*does not cover ci\\.example\\.test.*"),
                    out);
            assertTrue(
                    out.matches("(?s).*ERROR +nginx-certificate-files +nginx: nginx not found.*"),
                    out);
        }
    }

    /**
     * Issue 6: the shipped rerun-backup fix runs the job under flock and the evidence is checked
     * again.
     */
    @Test
    void rerunBackupRunsTheMissedJobAndTheBackupCheckBecomesFixed(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (dev.postflight.testing.SshTestServer ssh =
                dev.postflight.testing.SshTestServer.start(
                        Files.createDirectory(dir.resolve("ssh")),
                        java.util.Map.of("HOME", dir.toString()),
                        false)) {
            Path backups = Files.createDirectory(dir.resolve("backups"));
            Path old = backups.resolve("db-old.tar.gz");
            Files.writeString(old, "x".repeat(2048));
            Files.setLastModifiedTime(
                    old,
                    java.nio.file.attribute.FileTime.from(
                            java.time.Instant.now().minus(java.time.Duration.ofDays(2))));
            Path job = dir.resolve("backup.sh");
            Files.writeString(
                    job,
                    "#!/bin/sh\nhead -c 4096 /dev/zero > "
                            + backups
                            + "/db-new.tar.gz && echo backup done\n");
            job.toFile().setExecutable(true);
            Path inv = dir.resolve("inv.yaml");
            Files.writeString(
                    inv,
                    "hosts:\n  web1: { address: 127.0.0.1, port: "
                            + ssh.port()
                            + ", user: ops, identity: "
                            + ssh.clientKey()
                            + " }\n");
            Path audit = dir.resolve("audit.jsonl");
            Cli r =
                    Cli.run(
                            "verify",
                            "-i",
                            inv.toString(),
                            "-c",
                            "checks/after-maintenance.yaml",
                            "--no-color",
                            "--known-hosts",
                            ssh.writeKnownHosts(dir.resolve("kh")).toString(),
                            "--ssh-config",
                            dir.resolve("none").toString(),
                            "--var",
                            "site_url=http://127.0.0.1:9/",
                            "--var",
                            "ntp_server=127.0.0.1:9",
                            "--var",
                            "backup_dir=" + backups,
                            "--var",
                            "backup_schedule=0 3 * * *",
                            "--var",
                            "backup_command=" + job,
                            "--var",
                            "backup_become=false",
                            "--var",
                            "backup_lock=" + dir.resolve("backup.lock"),
                            "--fix",
                            "--approve",
                            "rerun-backup",
                            "--audit",
                            audit.toString());
            String out = r.out();
            assertTrue(out.contains("web1: rerun-backup: its 1 step succeeded"), out + r.err());
            assertTrue(
                    out.matches(
                            "(?s).*FIXED +backup-ran +fixed by rerun-backup: last backup .*db-new\\.tar\\.gz.*"),
                    out);
            assertTrue(
                    out.contains("fix resync-clock not run: --approve names other fixes")
                            || out.contains("fix resync-clock not run: needs approval"),
                    out);
            assertTrue(
                    Files.readString(audit)
                            .contains(
                                    "pf_v1='"
                                            + dir.resolve("backup.lock")
                                            + "'; pf_v2='"
                                            + job
                                            + "'\\nflock -n \\\"${pf_v1}\\\" \\\"${pf_v2}\\\""),
                    Files.readString(audit));
            assertTrue(
                    Files.readString(audit).contains("backup done"),
                    "the job's output is in the audit log");
        }
    }
}
