package dev.postflight.run;

import dev.postflight.check.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
        boolean interrupted) {

    /** Exit codes of {@code postflight verify} (DESIGN §4). */
    public static final int OK = 0;

    public static final int FAILED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int INTERRUPTED = 130;

    public RunReport {
        files = List.copyOf(files);
        hosts = List.copyOf(hosts);
    }

    /** 0 every critical check passed; 1 one failed or a host was unreachable; 130 interrupted. */
    public int exitCode() {
        if (interrupted) return INTERRUPTED;
        return hosts.stream().anyMatch(HostResult::failsRun) ? FAILED : OK;
    }

    public long count(Status status) {
        return hosts.stream().mapToLong(h -> h.count(status)).sum();
    }

    public long checkCount() {
        return hosts.stream().mapToLong(h -> h.checks().size()).sum();
    }
}
