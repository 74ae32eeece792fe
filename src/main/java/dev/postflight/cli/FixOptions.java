package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.remedy.AuditLog;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Whether and how a run puts right what it found: approvals, plan, audit, pace, guards. */
final class FixOptions {
    @Option(
            names = "--fix",
            description =
                    "Run the fixes of failed checks: auto fixes run, confirm fixes need --yes,"
                            + " --approve or a yes on the terminal, never fixes are printed.")
    boolean fix;

    @Mixin ApprovalOptions approval = new ApprovalOptions();

    @Option(
            names = "--dry-run",
            description =
                    "With --fix: verify, then print each fix's steps (with -v, the script each"
                            + " becomes) and run none.")
    boolean dryRun;

    @Option(
            names = "--plan-out",
            paramLabel = "FILE",
            description = "With --fix: save the plan for 'postflight apply FILE'; runs nothing.")
    Optional<Path> planOut = Optional.empty();

    @Option(
            names = "--audit",
            paramLabel = "FILE",
            description = "Audit log (JSON lines; default: ~/.local/state/postflight/audit.jsonl).")
    Optional<Path> audit = Optional.empty();

    @Option(
            names = "--fix-concurrency",
            paramLabel = "N",
            description =
                    "Hosts fixed at once after the first (canary) host (default: ${DEFAULT-VALUE}).")
    int fixConcurrency = 1;

    @Option(
            names = "--max-fix-failures",
            paramLabel = "N",
            description =
                    "Stop fixing further hosts after fixes failed on N hosts (default: ${DEFAULT-VALUE}).")
    int maxFixFailures = 1;

    @Option(
            names = "--fleet-guard",
            paramLabel = "SHARE",
            description =
                    "Fix nothing for a check failing on more than this share of a fleet of 4+ hosts (default: ${DEFAULT-VALUE}).")
    double fleetGuard = 0.5;

    @Option(names = "--force", description = "Run fixes even within their cooldown.")
    boolean force;

    @Option(
            names = "--break-lock",
            paramLabel = "REASON",
            description =
                    "Remove the lock of another run whose worker still runs (a lock whose worker"
                            + " is gone is taken over without this; the reason goes to the audit log).")
    Optional<String> breakLock = Optional.empty();

    /** Where the audit log goes. */
    Path auditFile() {
        return audit.orElse(AuditLog.defaultFile());
    }

    /**
     * Refuses, before anything is contacted, options that do not go together or files that cannot
     * be written.
     */
    void validate() throws InvalidInput {
        if (fix && planOut.isPresent()) OutputPaths.checkWritable("--plan-out", planOut.get());
        if (fix && planOut.isEmpty() && audit.isPresent())
            OutputPaths.checkWritable("--audit", audit.get());
        if (fix && planOut.isEmpty() && audit.isEmpty())
            OutputPaths.checkCreatable("--audit", AuditLog.defaultFile());
        if ((dryRun || approval.yes || !approval.approve.isEmpty() || planOut.isPresent())
                && !fix) {
            throw new InvalidInput(
                    Location.COMMAND_LINE,
                    "--dry-run, --yes, --approve and --plan-out go with --fix");
        }
        if (!(fleetGuard > 0 && fleetGuard <= 1)) // NaN too
        throw new InvalidInput(Location.COMMAND_LINE, "--fleet-guard is a share between 0 and 1");
        if (fixConcurrency < 1 || maxFixFailures < 1)
            throw new InvalidInput(
                    Location.COMMAND_LINE,
                    "--fix-concurrency and --max-fix-failures must be at least 1");
    }
}
