package dev.postflight.report;

import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A generated run over a large fleet, the same every time: host {@code hNNNNN} has twelve checks;
 * every 7th host fails {@code disk-root}, every 13th has an error in {@code backup-ran}, every 5th
 * warns on {@code clock-offset}, every 97th is unreachable, and the others pass.
 */
final class FleetRuns {
    static final List<String> CHECKS =
            List.of(
                    "clock-offset",
                    "disk-root",
                    "backup-ran",
                    "sshd",
                    "nginx",
                    "site-reachable",
                    "certificate",
                    "ntp-synced",
                    "inodes",
                    "load",
                    "kernel",
                    "motd");

    private FleetRuns() {}

    static RunReport of(int hosts) {
        List<HostResult> out = new ArrayList<>();
        for (int i = 1; i <= hosts; i++) out.add(host(i));
        return new RunReport(
                "20261123T180415Z-f1ee",
                "0.1.0",
                Instant.parse("2026-11-23T18:04:15Z"),
                Duration.ofSeconds(61),
                "fleet-after-maintenance",
                List.of(Path.of("checks/fleet.yaml")),
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                out,
                false);
    }

    static String name(int i) {
        return String.format("h%05d", i);
    }

    /** The status {@link #of} gives check {@code id} on host {@code i}. */
    static Status status(int i, String id) {
        if (i % 97 == 0) return Status.ERROR;
        return switch (id) {
            case "disk-root" -> i % 7 == 0 ? Status.FAIL : Status.PASS;
            case "backup-ran" -> i % 13 == 0 ? Status.ERROR : Status.PASS;
            case "clock-offset" -> i % 5 == 0 ? Status.WARN : Status.PASS;
            default -> Status.PASS;
        };
    }

    private static HostResult host(int i) {
        String name = name(i);
        Optional<String> unreachable =
                i % 97 == 0 ? Optional.of("connection timed out after 10s") : Optional.empty();
        List<CheckResult> checks = new ArrayList<>();
        for (String id : CHECKS) {
            Status s = status(i, id);
            Verdict v =
                    unreachable.isPresent()
                            ? Verdict.error("host unreachable: " + unreachable.get())
                            : switch (s) {
                                case FAIL ->
                                        Verdict.fail("/ is 97% used (max 90%)")
                                                .withDetails(List.of("/dev/sda1 97% /"));
                                case ERROR -> Verdict.error("stat: permission denied");
                                case WARN -> Verdict.warn("offset 420ms exceeds warn 100ms");
                                default -> Verdict.pass("ok");
                            };
            checks.add(
                    new CheckResult(
                            id,
                            "command",
                            id.equals("clock-offset") ? Severity.WARNING : Severity.CRITICAL,
                            v,
                            Optional.empty()));
        }
        return new HostResult(
                name,
                "ssh ops@" + name + ":22",
                Optional.of("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"),
                unreachable,
                checks,
                Duration.ofMillis(300 + i % 200),
                unreachable.isPresent() ? 0 : 1);
    }
}
