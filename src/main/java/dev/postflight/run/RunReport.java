package dev.postflight.run;

import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.check.Verdict;
import dev.postflight.input.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The result of one run over all hosts; the run result, not a reporter, owns the exit code. */
public record RunReport(
        String runId,
        String version,
        Instant started,
        Duration elapsed,
        String checklist,
        List<Path> files,
        String checklistSha256,
        List<HostResult> hosts,
        boolean interrupted,
        Optional<Shard> shard) {

    /** Exit codes of {@code postflight verify} (DESIGN §4). */
    public static final int OK = 0;

    public static final int FAILED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int INTERRUPTED = 130;

    /** Exit codes of the monitoring-plugin convention, for {@code --format nagios}. */
    public static final int NAGIOS_OK = 0;

    public static final int NAGIOS_WARNING = 1;
    public static final int NAGIOS_CRITICAL = 2;
    public static final int NAGIOS_UNKNOWN = 3;

    public RunReport {
        files = List.copyOf(files);
        hosts = List.copyOf(hosts);
    }

    /** A run over the whole selection, not one {@code --shard} of it. */
    public RunReport(
            String runId,
            String version,
            Instant started,
            Duration elapsed,
            String checklist,
            List<Path> files,
            String checklistSha256,
            List<HostResult> hosts,
            boolean interrupted) {
        this(
                runId,
                version,
                started,
                elapsed,
                checklist,
                files,
                checklistSha256,
                hosts,
                interrupted,
                Optional.empty());
    }

    /** The same run, as the shard {@code shard} of its selection. */
    public RunReport withShard(Shard shard) {
        return with(elapsed, hosts, interrupted, Optional.of(shard));
    }

    /** The same run, taking {@code total}: verify, fixes and their re-verify together. */
    public RunReport withElapsed(Duration total) {
        return with(total, hosts, interrupted, shard);
    }

    /** The same run, marked as stopped by Ctrl-C (what it verified before still counts). */
    public RunReport markedInterrupted() {
        return with(elapsed, hosts, true, shard);
    }

    /** The same run with these host results (after its fixes). */
    public RunReport withHosts(List<HostResult> results) {
        return with(elapsed, results, interrupted, shard);
    }

    private RunReport with(
            Duration elapsed, List<HostResult> hosts, boolean interrupted, Optional<Shard> shard) {
        return new RunReport(
                runId,
                version,
                started,
                elapsed,
                checklist,
                files,
                checklistSha256,
                hosts,
                interrupted,
                shard);
    }

    /**
     * The same run with every form of every secret in it (reasons, details, fix summaries) replaced
     * by {@code <redacted>}: what every report format and notification renders.
     */
    public RunReport redacted(Secrets secrets) {
        if (secrets.isEmpty()) return this;
        List<HostResult> redacted =
                hosts.stream()
                        .map(h ->
                                new HostResult(
                                        h.host(),
                                        h.via(),
                                        h.hostKey(),
                                        h.unreachable().map(secrets::redact),
                                        h.checks().stream()
                                                .map(c ->
                                                        new CheckResult(
                                                                c.id(),
                                                                c.type(),
                                                                c.severity(),
                                                                new Verdict(
                                                                        c.verdict().status(),
                                                                        secrets.redact(
                                                                                c.verdict()
                                                                                        .reason()),
                                                                        secrets.redact(
                                                                                c.verdict()
                                                                                        .details())),
                                                                c.fix().map(secrets::redact)))
                                                .toList(),
                                        h.elapsed(),
                                        h.execs(),
                                        h.fixes().stream()
                                                .map(f ->
                                                        new FixResult(
                                                                f.fix(),
                                                                f.checks(),
                                                                f.outcome(),
                                                                secrets.redact(f.summary()),
                                                                secrets.redact(f.details())))
                                                .toList(),
                                        h.unreachableKind()))
                        .toList();
        return withHosts(redacted);
    }

    /** How many fixes across the hosts ended with {@code outcome}. */
    public long fixCount(FixResult.Outcome outcome) {
        return hosts.stream()
                .flatMap(h -> h.fixes().stream())
                .filter(f -> f.outcome() == outcome)
                .count();
    }

    /**
     * 0 every critical check passed; 1 one failed or a host was unreachable; 130 interrupted. A
     * shard that no selected host hashes to is 0: it had nothing to verify, and the merge of all
     * shards, which has every host, decides.
     */
    public int exitCode() {
        if (interrupted) return INTERRUPTED;
        if (hosts.isEmpty() && shard.isPresent()) return OK;
        if (!verifiedAnything()) return FAILED;
        return hosts.stream().anyMatch(HostResult::failsRun) ? FAILED : OK;
    }

    /** Whether any check was judged at all: a run that verified nothing is never a success. */
    public boolean verifiedAnything() {
        return hosts.stream()
                .flatMap(h -> h.checks().stream())
                .anyMatch(c -> c.status() != Status.SKIP);
    }

    /**
     * The exit code a Nagios/Icinga check command expects, which {@code --format nagios} uses
     * instead of {@link #exitCode()}: UNKNOWN (3) when the run was interrupted, since its results
     * are incomplete; CRITICAL (2) when a host was unreachable or a critical check failed; UNKNOWN
     * (3) when a critical check could not be judged (error) and none failed, since the monitoring
     * system should say "we do not know" rather than "broken"; WARNING (1) when any check warned or
     * a warning-severity check failed or errored; OK (0) when every check passed or was skipped.
     */
    public int nagiosExitCode() {
        if (interrupted || !verifiedAnything()) return NAGIOS_UNKNOWN;
        List<CheckResult> all = hosts.stream().flatMap(h -> h.checks().stream()).toList();
        if (hosts.stream().anyMatch(h -> h.unreachable().isPresent())
                || hosts.stream().flatMap(h -> h.fixes().stream()).anyMatch(FixResult::failsRun)
                || all.stream().anyMatch(c -> critical(c) && c.status() == Status.FAIL))
            return NAGIOS_CRITICAL;
        if (all.stream().anyMatch(c -> critical(c) && c.status() == Status.ERROR))
            return NAGIOS_UNKNOWN;
        if (all.stream().anyMatch(c -> c.status().compareTo(Status.WARN) >= 0))
            return NAGIOS_WARNING;
        return NAGIOS_OK;
    }

    private static boolean critical(CheckResult c) {
        return c.severity() == Severity.CRITICAL;
    }

    public long count(Status status) {
        return hosts.stream().mapToLong(h -> h.count(status)).sum();
    }

    public long checkCount() {
        return hosts.stream().mapToLong(h -> h.checks().size()).sum();
    }
}
