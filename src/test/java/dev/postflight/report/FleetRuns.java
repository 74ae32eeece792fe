package dev.postflight.report;

import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.UnreachableKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A generated run over a large fleet, the same every time: host {@code hNNNNN} has twelve checks;
 * every 7th host fails {@code disk-root}, every 13th has an error in {@code backup-ran}, every 5th
 * warns on {@code clock-offset}, every 97th is unreachable (refused at its own address), and the
 * others pass.
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
                i % 97 == 0
                        ? Optional.of("connection refused (" + address(i) + ":22)")
                        : Optional.empty();
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
                unreachable.isPresent() ? 0 : 1,
                List.of(),
                unreachable.map(u -> UnreachableKind.REFUSED));
    }

    /** Host {@code i}'s address: 10.0.0.1 to 10.0.0.250, then 10.0.1.1, … */
    static String address(int i) {
        return "10.0." + (i - 1) / 250 + "." + ((i - 1) % 250 + 1);
    }

    /**
     * A generated fleet of {@code web001}… after a network outage, the same every time: every host
     * that is not reached fails in the words the transport uses, naming its own address. Hosts
     * ending in 1, 2 or 3 are refused, in 4 time out; every 25th (from 5) does not resolve; 9 and
     * 19 send no SSH banner; every 50th (from 6) fails at the same jump host, with the same words;
     * 7's host key changed; 8 refuses the key (alone, so listed on its own); 15 runs into {@code
     * --timeout}. The others pass.
     */
    static RunReport outage(int hosts) {
        List<HostResult> out = new ArrayList<>();
        for (int i = 1; i <= hosts; i++) {
            String name = String.format("web%03d", i);
            String at = address(i) + ":22";
            Optional<UnreachableKind> kind = Optional.empty();
            String why = "";
            if (i % 10 >= 1 && i % 10 <= 3 && i != 1) {
                kind = Optional.of(UnreachableKind.REFUSED);
                why = "connection refused (" + at + ")";
            } else if (i % 10 == 4) {
                kind = Optional.of(UnreachableKind.TIMED_OUT);
                why =
                        "TCP connect to "
                                + at
                                + " timed out after 10.0s (host down or port filtered)";
            } else if (i % 25 == 5) {
                kind = Optional.of(UnreachableKind.NAME_NOT_RESOLVED);
                why = "name " + name + ".dc2.example does not resolve";
            } else if (i == 9 || i == 19) {
                kind = Optional.of(UnreachableKind.NO_BANNER);
                why =
                        "TCP connected but no SSH banner after 10.0s (tarpit or overloaded sshd)"
                                + " from ops@"
                                + at;
            } else if (i % 50 == 6) {
                kind = Optional.of(UnreachableKind.JUMP_FAILED);
                why = "jump host bastion2: connection refused (10.0.9.1:22)";
            } else if (i == 7) {
                kind = Optional.of(UnreachableKind.HOST_KEY_CHANGED);
                why =
                        "host key of "
                                + name
                                + " (["
                                + address(i)
                                + "]:22) has CHANGED: ~/.ssh/known_hosts has"
                                + " SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s, the host now"
                                + " offers ssh-ed25519 SHA256:8m1Vd5m2cYQm0c3cZ1oT1P2x1y7kQm3Rk4n0QnU5vWg";
            } else if (i == 8) {
                kind = Optional.of(UnreachableKind.AUTH_FAILED);
                why =
                        "authentication failed for ops@"
                                + name
                                + " (tried publickey: ~/.ssh/id_ed25519; server accepts:"
                                + " publickey)";
            } else if (i == 15) {
                kind = Optional.of(UnreachableKind.TIMEOUT_REACHED);
                why = "SSH connect did not finish within --timeout 60s (connecting for 60.0s)";
            }
            String reason = why;
            Optional<String> unreachable = kind.map(k -> reason);
            String never = "host unreachable: " + why;
            List<CheckResult> checks = new ArrayList<>();
            for (String id : List.of("sshd", "disk-root"))
                checks.add(
                        new CheckResult(
                                id,
                                "command",
                                Severity.CRITICAL,
                                unreachable.isPresent() ? Verdict.error(never) : Verdict.pass("ok"),
                                Optional.empty()));
            out.add(
                    new HostResult(
                            name,
                            "ssh ops@" + at,
                            Optional.empty(),
                            unreachable,
                            checks,
                            Duration.ofMillis(unreachable.isPresent() ? 0 : 300 + i % 200),
                            unreachable.isPresent() ? 0 : 1,
                            List.of(),
                            kind));
        }
        return new RunReport(
                "20261123T180415Z-0a7e",
                "0.1.0",
                Instant.parse("2026-11-23T18:04:15Z"),
                Duration.ofSeconds(64),
                "fleet-after-outage",
                List.of(Path.of("checks/fleet.yaml")),
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                out,
                false);
    }
}
