package dev.postflight.cli;

import dev.postflight.checklist.Checklist;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.Secrets;
import dev.postflight.remedy.Approvals;
import dev.postflight.remedy.AuditLog;
import dev.postflight.remedy.Remediator;
import dev.postflight.run.Connector;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The fix phase of {@code verify --fix} and {@code apply}, after the verification: saves a plan
 * ({@code --plan-out}), or opens the audit log and lets the {@link Remediator} run the approved
 * fixes, re-verifying what they touched.
 */
final class FixPhase {
    private final FixOptions options;
    private final RunTargets targets;
    private final Optional<PlanFile> applying;
    private final PlanFile.Paths paths;
    private final Map<String, String> vars;
    private final boolean verbose;

    FixPhase(
            FixOptions options,
            RunTargets targets,
            Optional<PlanFile> applying,
            PlanFile.Paths paths,
            Map<String, String> vars,
            boolean verbose) {
        this.options = options;
        this.targets = targets;
        this.applying = applying;
        this.paths = paths;
        this.vars = vars;
        this.verbose = verbose;
    }

    RunReport run(
            RunReport report,
            Connector connector,
            Runner runner,
            PrintWriter progress,
            BooleanSupplier stop,
            boolean terminal)
            throws InterruptedException, InvalidInput {
        Secrets secrets = targets.secrets();
        Checklist checklist = targets.checklist();
        String runnerHost = Fleet.localHost().name();
        String operator = System.getProperty("user.name") + "@" + runnerHost;
        if (options.planOut.isPresent()) {
            Path out = options.planOut.get();
            PlanFile plan;
            try {
                plan =
                        PlanFile.of(
                                out,
                                report,
                                targets.fixTargets(),
                                checklist,
                                paths,
                                vars,
                                targets.planInputs());
                plan.write();
            } catch (IOException e) {
                throw new InvalidInput(
                        Location.COMMAND_LINE,
                        "--plan-out: cannot write " + out + ": " + e.getMessage());
            }
            progress.println(
                    "plan saved to "
                            + out
                            + " ("
                            + plan.summary()
                            + "); run it with: postflight apply "
                            + out);
            return report;
        }
        List<Remediator.Target> fixTargets = targets.fixTargets();
        if (applying.isPresent()) {
            fixTargets = applying.get().keepCurrent(report, fixTargets, progress);
        }
        Optional<Approvals.Terminal> ask =
                terminal && !options.dryRun
                        ? Optional.of(
                                new Approvals.Terminal(
                                        secrets.redacting(new PrintWriter(System.err, true)),
                                        new BufferedReader(new InputStreamReader(System.in))))
                        : Optional.empty();
        Set<String> approved = new HashSet<>(options.approval.approve);
        AuditLog log = new AuditLog(options.auditFile(), report.runId(), secrets);
        try {
            log.write(
                    "run",
                    Map.of(
                            "operator",
                            operator,
                            "mode",
                            options.dryRun ? "dry-run" : applying.isPresent() ? "apply" : "fix",
                            "checklist",
                            checklist.name(),
                            "files",
                            checklist.files().stream().map(Path::toString).toList(),
                            "checklist_sha256",
                            checklist.sha256(),
                            "runner_host",
                            runnerHost));
        } catch (UncheckedIOException e) {
            throw new InvalidInput(Location.COMMAND_LINE, "--audit: " + e.getMessage());
        }
        Remediator remediator =
                new Remediator(
                        new Remediator.Options(
                                report.runId(),
                                operator,
                                new Approvals(
                                        operator
                                                + (applying.isPresent()
                                                        ? " (postflight apply)"
                                                        : ""),
                                        options.approval.yes,
                                        approved,
                                        ask),
                                options.dryRun,
                                verbose,
                                options.fixConcurrency,
                                options.maxFixFailures,
                                options.fleetGuard,
                                options.force,
                                options.breakLock,
                                log,
                                progress,
                                stop),
                        connector,
                        runner);
        RunReport fixed = remediator.remediate(report, fixTargets);
        progress.flush();
        return fixed;
    }
}
