package dev.postflight.report;

import dev.postflight.check.Severity;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.UnreachableKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Hand-built run results with fixed ids, instants and durations, so renderings are stable. */
final class SampleRuns {

    private static final Instant STARTED = Instant.parse("2026-11-23T18:04:15.250Z");
    private static final String SHA256 =
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private SampleRuns() {}

    /**
     * Every status, a warning-severity check, details, a fix, an unreachable host and text a
     * reporter must escape: {@code <&"'}, a control character (U+0001) and non-ASCII.
     */
    static RunReport everything() {
        HostResult web1 =
                new HostResult(
                        "web1",
                        "ssh ops@203.0.113.10:22",
                        Optional.of("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"),
                        Optional.empty(),
                        List.of(
                                check("site-reachable", "http", Verdict.pass("200 in 184ms")),
                                new CheckResult(
                                        "time-daemon",
                                        "service",
                                        Severity.CRITICAL,
                                        Verdict.fail("ntpd: inactive (systemd)")
                                                .withDetails(
                                                        List.of(
                                                                "ActiveState=inactive",
                                                                "SubState=dead")),
                                        Optional.of("resync-clock")),
                                new CheckResult(
                                        "clock-offset",
                                        "clock",
                                        Severity.WARNING,
                                        Verdict.warn("offset 420ms exceeds warn 100ms"),
                                        Optional.of("resync-clock")),
                                check(
                                        "backup-ran",
                                        "file",
                                        Verdict.error("stat: permission denied")
                                                .withDetails(
                                                        List.of(
                                                                "stat: cannot statx"
                                                                        + " '/var/backups/last-success':"
                                                                        + " Permission denied"))),
                                check(
                                        "certificate",
                                        "tls",
                                        Verdict.skip("port 443 is not in this host's role")),
                                check(
                                        "motd",
                                        "command",
                                        Verdict.fail("stdout lacks \"<ready> & 'ok'\"")
                                                .withDetails(
                                                        List.of(
                                                                "stdout: \u0001\u0001boot\u0001",
                                                                "時刻: 2026-11-24 03:04 JST")))),
                        Duration.ofMillis(1834),
                        1,
                        List.of(
                                new FixResult(
                                        "resync-clock",
                                        List.of("time-daemon"),
                                        FixResult.Outcome.FAILED,
                                        "resync-clock: step 2 (ntpdate ntp1.example.net) exit 1:"
                                                + " the NTP socket is in use, exiting; finally ran",
                                        List.of(
                                                "s2 output: 23 Nov 03:04:05 ntpdate[4242]: the NTP"
                                                        + " socket is in use, exiting")),
                                new FixResult(
                                        "rerun-backup",
                                        List.of("backup-ran"),
                                        FixResult.Outcome.NOT_RUN,
                                        "fix rerun-backup not run: needs approval: no terminal;"
                                                + " use --approve rerun-backup or --yes",
                                        List.of())));
        HostResult web2 =
                new HostResult(
                                "web2",
                                "",
                                Optional.empty(),
                                Optional.of("connection refused (203.0.113.11:22)"),
                                List.of(
                                        check(
                                                "site-reachable",
                                                "http",
                                                Verdict.error(
                                                        "host unreachable: connection refused"
                                                                + " (203.0.113.11:22)")),
                                        check(
                                                "time-daemon",
                                                "service",
                                                Verdict.error(
                                                        "host unreachable: connection refused"
                                                                + " (203.0.113.11:22)"))),
                                Duration.ZERO,
                                0)
                        .unreachableAs(UnreachableKind.REFUSED);
        return run(List.of(web1, web2), false);
    }

    static RunReport passing() {
        return run(
                List.of(host("web1", check("site-reachable", "http", Verdict.pass("200")))), false);
    }

    /** Only a warning-severity check is off: reported, but the run still passes. */
    static RunReport warningOnly() {
        return run(
                List.of(
                        host(
                                "web1",
                                new CheckResult(
                                        "clock-offset",
                                        "clock",
                                        Severity.WARNING,
                                        Verdict.warn("offset 420ms exceeds warn 100ms"),
                                        Optional.empty()))),
                false);
    }

    /** One critical check that could not be judged: Nagios UNKNOWN. */
    static RunReport erroredOnly() {
        return run(
                List.of(
                        host(
                                "web1",
                                check(
                                        "backup-ran",
                                        "file",
                                        Verdict.error("stat: permission denied")))),
                false);
    }

    static RunReport failing() {
        return run(
                List.of(
                        host("web1", check("site-reachable", "http", Verdict.pass("200"))),
                        host("web2", check("site-reachable", "http", Verdict.fail("503")))),
                false);
    }

    static RunReport interrupted() {
        return run(
                List.of(host("web1", check("site-reachable", "http", Verdict.pass("200")))), true);
    }

    /**
     * Names and reasons with what each text format must escape: {@code "}, {@code \\}, a line
     * break, {@code |} and backticks; and a passing host next to a failing one.
     */
    static RunReport awkwardNames() {
        return run(
                List.of(
                        host(
                                "db|`east` \"1\"\\",
                                check(
                                        "port|5432",
                                        "port",
                                        Verdict.fail("expected `ready` | got \"x\\y\"\nsecond line")
                                                .withDetails(List.of("a | b", "`code` *bold*")))),
                        host("web3", check("site-reachable", "http", Verdict.pass("200")))),
                false);
    }

    /**
     * A fleet for the human report's summary: a skip every host shares, a warning on one host, an
     * error on another, and an unreachable host whose checks never ran (issue 19).
     */
    static RunReport fleet() {
        CheckResult skipped = check("certificate", "tls", Verdict.skip("no TLS on this role"));
        CheckResult passed = check("site-reachable", "http", Verdict.pass("200"));
        HostResult warned =
                new HostResult(
                        "web1",
                        "ssh ops@web1:22",
                        Optional.empty(),
                        Optional.empty(),
                        List.of(
                                passed,
                                skipped,
                                new CheckResult(
                                        "clock-offset",
                                        "clock",
                                        Severity.WARNING,
                                        Verdict.warn("offset 420ms exceeds warn 100ms"),
                                        Optional.empty()),
                                check("disk", "disk", Verdict.warn("/var 91% used"))),
                        Duration.ofMillis(250),
                        1);
        HostResult errored =
                new HostResult(
                        "web2",
                        "ssh ops@web2:22",
                        Optional.empty(),
                        Optional.empty(),
                        List.of(
                                passed,
                                skipped,
                                check(
                                        "backup-ran",
                                        "file",
                                        Verdict.error("stat: permission denied")),
                                check("disk", "disk", Verdict.warn("/var 92% used"))),
                        Duration.ofMillis(250),
                        1);
        String refused = "connection refused (203.0.113.13:22)";
        HostResult unreachable =
                new HostResult(
                                "web3",
                                "ssh ops@203.0.113.13:22",
                                Optional.empty(),
                                Optional.of(refused),
                                List.of(
                                        check(
                                                "site-reachable",
                                                "http",
                                                Verdict.error("host unreachable: " + refused)),
                                        check(
                                                "disk",
                                                "disk",
                                                Verdict.error("host unreachable: " + refused)),
                                        check(
                                                "backup-ran",
                                                "file",
                                                Verdict.error("host unreachable: " + refused))),
                                Duration.ZERO,
                                0)
                        .unreachableAs(UnreachableKind.REFUSED);
        HostResult fine =
                new HostResult(
                        "web4",
                        "ssh ops@web4:22",
                        Optional.empty(),
                        Optional.empty(),
                        List.of(passed, skipped),
                        Duration.ofMillis(250),
                        1);
        return run(List.of(warned, errored, unreachable, fine), false);
    }

    private static RunReport run(List<HostResult> hosts, boolean interrupted) {
        return new RunReport(
                "20261123T180415Z-7f3a",
                "0.1.0",
                STARTED,
                Duration.ofMillis(4321),
                "web-after-maintenance",
                List.of(Path.of("checks/web.yaml"), Path.of("checks/common.yaml")),
                SHA256,
                hosts,
                interrupted);
    }

    private static HostResult host(String name, CheckResult check) {
        return new HostResult(
                name,
                "ssh ops@" + name + ":22",
                Optional.of("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"),
                Optional.empty(),
                List.of(check),
                Duration.ofMillis(250),
                1);
    }

    private static CheckResult check(String id, String type, Verdict verdict) {
        return new CheckResult(id, type, Severity.CRITICAL, verdict, Optional.empty());
    }
}
