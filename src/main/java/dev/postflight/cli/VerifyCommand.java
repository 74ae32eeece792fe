package dev.postflight.cli;

import dev.postflight.check.BootCheck;
import dev.postflight.check.Check;
import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.checklist.Durations;
import dev.postflight.checklist.InvalidInput;
import dev.postflight.checklist.Location;
import dev.postflight.checklist.Problems;
import dev.postflight.checklist.Secrets;
import dev.postflight.checklist.Suggest;
import dev.postflight.files.SafeFiles;
import dev.postflight.inventory.Host;
import dev.postflight.inventory.Inventory;
import dev.postflight.inventory.InventoryLoader;
import dev.postflight.notify.Notifications;
import dev.postflight.remedy.Approvals;
import dev.postflight.remedy.AuditLog;
import dev.postflight.remedy.Remediator;
import dev.postflight.report.Reporter;
import dev.postflight.run.Connector;
import dev.postflight.run.RunListener;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import dev.postflight.run.WaitingConnector;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postflight verify}: runs a checklist against hosts and reports. Changes nothing. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the checks of CHECKS against hosts (from the inventory, named as"
                    + " [user@]host[:port], or this machine with --local) and reports."
                    + " Without --fix nothing on a host is changed, ever."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every critical check passed",
            "1:a critical check failed or a host was unreachable",
            "2:invalid input or usage",
            "3:internal error (a bug: please report it with the output of --debug)",
            "130:interrupted (Ctrl-C)"
        })
final class VerifyCommand implements Callable<Integer> {
    private static final Location COMMAND_LINE = Location.of(Path.of("(command line)"));

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
            paramLabel = "HOST",
            description = "Hosts to verify: inventory names or [user@]host[:port].")
    List<String> hosts = new ArrayList<>();

    @Option(
            names = {"-i", "--inventory"},
            paramLabel = "INVENTORY",
            description = "Inventory file: postflight YAML, or Ansible INI, YAML or JSON.")
    Optional<Path> inventory = Optional.empty();

    @Option(
            names = {"-c", "--checks"},
            paramLabel = "CHECKS",
            description = "Check file (repeatable; merged in order; optional with --baseline).")
    List<Path> checks = new ArrayList<>();

    @Option(
            names = "--limit",
            paramLabel = "GROUP|HOST",
            description = "Only these groups or hosts (comma-separated), or an Ansible pattern.")
    Optional<String> limit = Optional.empty();

    @Option(names = "--local", description = "Verify this machine, without SSH.")
    boolean local;

    @Option(
            names = "--baseline",
            paramLabel = "FILE",
            description =
                    "Also report what changed since 'postflight snapshot -o FILE' (host key, OS,"
                            + " kernel, ports, services, packages, certificates).")
    Optional<Path> baseline = Optional.empty();

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "human",
            description = "Report on stdout: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = Formats.class)
    String format;

    @Option(
            names = "--report",
            paramLabel = "FORMAT=FILE",
            description = "Also write a report in FORMAT to FILE (repeatable).")
    Map<String, Path> reports = new LinkedHashMap<>();

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            defaultValue = "64",
            description = "Hosts verified at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "60s",
            description = "Time one host may take in all (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(
            names = "--max-output",
            paramLabel = "SIZE",
            defaultValue = "16MiB",
            description =
                    "Output one host may send back per command, stdout and stderr together;"
                            + " past it the host's on-host checks are errors (default:"
                            + " ${DEFAULT-VALUE}).")
    String maxOutput = "16MiB";

    @Option(
            names = "--wait-for-host",
            paramLabel = "DURATION",
            description =
                    "Keep trying to reach each host for up to DURATION (refused, timed out,"
                            + " no banner, auth failed) before verifying it; --timeout starts"
                            + " when it answers.")
    Optional<String> waitForHost = Optional.empty();

    @Option(
            names = "--since",
            paramLabel = "TIME",
            description =
                    "Start of the maintenance window: 2026-11-23T02:00:00+09:00, or -3h for three"
                            + " hours ago. Checks that look back (boot, backup) use it.")
    Optional<String> since = Optional.empty();

    @Option(
            names = "--window-file",
            paramLabel = "FILE",
            description =
                    "Maintenance windows (a YAML 'maintenance:' list of { name, hosts, start, end },"
                            + " as in an inventory) for --windows-ended-within.")
    Optional<Path> windowFile = Optional.empty();

    @Option(
            names = "--windows-ended-within",
            paramLabel = "DURATION",
            description =
                    "Only hosts whose maintenance window ended within DURATION before now (e.g. 1h),"
                            + " each with its window's start as --since unless --since is given.")
    Optional<String> windowsEndedWithin = Optional.empty();

    @Option(
            names = "--var",
            paramLabel = "K=V",
            description = "Set a template var; wins over checklist and inventory (repeatable).")
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(
            names = "--accept-new-host-keys",
            description =
                    "Trust and record the key of a host seen for the first time. A CHANGED key is never accepted.")
    boolean acceptNewHostKeys;

    @Option(
            names = "--known-hosts",
            paramLabel = "FILE",
            description = "known_hosts file (default: ~/.ssh/known_hosts).")
    Optional<Path> knownHosts = Optional.empty();

    @Option(
            names = "--ssh-config",
            paramLabel = "FILE",
            description = "OpenSSH client config (default: ~/.ssh/config).")
    Optional<Path> sshConfig = Optional.empty();

    @Option(
            names = "--fix",
            description =
                    "Run the fixes of failed checks: auto fixes run, confirm fixes need --yes,"
                            + " --approve or a yes on the terminal, never fixes are printed.")
    boolean fix;

    @CommandLine.Mixin ApprovalOptions approval = new ApprovalOptions();

    @Option(
            names = "--dry-run",
            description = "With --fix: print the exact commands each fix would send, send none.")
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
            defaultValue = "1",
            description =
                    "Hosts fixed at once after the first (canary) host (default: ${DEFAULT-VALUE}).")
    int fixConcurrency;

    @Option(
            names = "--max-fix-failures",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Stop fixing further hosts after fixes failed on N hosts (default: ${DEFAULT-VALUE}).")
    int maxFixFailures;

    @Option(
            names = "--fleet-guard",
            paramLabel = "SHARE",
            defaultValue = "0.5",
            description =
                    "Fix nothing for a check failing on more than this share of a fleet of 4+ hosts (default: ${DEFAULT-VALUE}).")
    double fleetGuard;

    @Option(names = "--force", description = "Run fixes even within their cooldown.")
    boolean force;

    @Option(
            names = "--break-lock",
            paramLabel = "REASON",
            description =
                    "Remove the lock of another run whose worker still runs (a lock whose worker"
                            + " is gone is taken over without this; the reason goes to the audit log).")
    Optional<String> breakLock = Optional.empty();

    /** Set by 'postflight apply': the saved plan the run must still match. */
    Optional<PlanFile> applying = Optional.empty();

    @Option(
            names = "--notify",
            paramLabel = "KIND=TARGET",
            description =
                    "After the run, notify webhook=URL (Slack/Teams JSON) or mail=ADDR (SMTP from"
                            + " POSTFLIGHT_SMTP_*) (repeatable). Never changes the exit code.")
    List<String> notify = new ArrayList<>();

    @Option(
            names = "--notify-on",
            paramLabel = "WHEN",
            defaultValue = "fail",
            description =
                    "fail (exit code not 0), change (failing checks differ from the last run) or"
                            + " always (default: ${DEFAULT-VALUE}).")
    String notifyOn = "fail";

    @Option(
            names = {"-v", "--verbose"},
            description = "List passing checks of every host, not only for a single host.")
    boolean verbose;

    @Option(
            names = "--no-color",
            description = "No colour, even on a terminal (also: NO_COLOR set).")
    boolean noColor;

    private dev.postflight.report.RunContext reportContext = dev.postflight.report.RunContext.NONE;

    @Override
    public Integer call() throws InvalidInput, InterruptedException {
        Duration hostTimeout =
                Durations.parse(timeout)
                        .filter(Duration::isPositive)
                        .orElseThrow(() ->
                                new InvalidInput(
                                        COMMAND_LINE,
                                        "--timeout: '"
                                                + timeout
                                                + "' is not a positive duration (e.g. 60s, 5m)"));
        long outputCap =
                dev.postflight.checklist.Amount.parse(maxOutput)
                        .filter(a -> !a.percent() && a.value() >= 1)
                        .map(a -> (long) a.value())
                        .orElseThrow(() ->
                                new InvalidInput(
                                        COMMAND_LINE,
                                        "--max-output: '"
                                                + maxOutput
                                                + "' is not a size (e.g. 16MiB, 512K)"));
        Optional<Duration> wait = Optional.empty();
        if (waitForHost.isPresent()) {
            wait = Durations.parse(waitForHost.get()).filter(Duration::isPositive);
            if (wait.isEmpty())
                throw new InvalidInput(
                        COMMAND_LINE,
                        "--wait-for-host: '"
                                + waitForHost.get()
                                + "' is not a positive duration (e.g. 90s, 15m)");
        }
        Optional<Instant> windowStart = Optional.empty();
        if (since.isPresent()) windowStart = Optional.of(windowStart(since.get(), Instant.now()));
        if (concurrency < 1)
            throw new InvalidInput(COMMAND_LINE, "--concurrency must be at least 1");
        List<String> formats = new ArrayList<>(List.of(format));
        formats.addAll(reports.keySet());
        for (String f : formats) {
            if (!Reporter.FORMATS.contains(f)) {
                throw new InvalidInput(
                        COMMAND_LINE,
                        "unknown report format '"
                                + f
                                + "' (one of "
                                + String.join(", ", Reporter.FORMATS)
                                + ")");
            }
        }
        for (Path p : reports.values()) OutputPaths.checkWritable("--report", p);
        if (fix && planOut.isPresent()) OutputPaths.checkWritable("--plan-out", planOut.get());
        if (fix && planOut.isEmpty() && audit.isPresent())
            OutputPaths.checkWritable("--audit", audit.get());
        if (fix && planOut.isEmpty() && audit.isEmpty())
            OutputPaths.checkCreatable("--audit", AuditLog.defaultFile());
        if (knownHosts.isPresent())
            OutputPaths.checkKnownHosts(knownHosts.get(), acceptNewHostKeys);
        if ((dryRun || approval.yes || !approval.approve.isEmpty() || planOut.isPresent())
                && !fix) {
            throw new InvalidInput(
                    COMMAND_LINE, "--dry-run, --yes, --approve and --plan-out go with --fix");
        }
        if (windowFile.isPresent() && windowsEndedWithin.isEmpty())
            throw new InvalidInput(
                    COMMAND_LINE, "--window-file goes with --windows-ended-within (e.g. 1h)");
        if (!(fleetGuard > 0 && fleetGuard <= 1)) // NaN too
        throw new InvalidInput(COMMAND_LINE, "--fleet-guard is a share between 0 and 1");
        if (fixConcurrency < 1 || maxFixFailures < 1)
            throw new InvalidInput(
                    COMMAND_LINE, "--fix-concurrency and --max-fix-failures must be at least 1");
        if (local && (inventory.isPresent() || !hosts.isEmpty())) {
            throw new InvalidInput(
                    COMMAND_LINE,
                    "--local verifies this machine: do not also name hosts or an inventory");
        }

        Notifications notifications = Notifications.parse(notify, notifyOn, System.getenv());

        Problems problems = new Problems();
        Optional<BaselineFile> base =
                baseline.isPresent()
                        ? Optional.of(BaselineFile.read(baseline.get()))
                        : Optional.empty();
        Checklist checklist =
                checks.isEmpty() && base.isPresent()
                        ? base.get().checklist()
                        : ChecklistLoader.load(Checkfiles.expand(checks), problems);
        for (String a : approval.approve) {
            if (!checklist.fixes().containsKey(a))
                problems.add(
                        COMMAND_LINE,
                        "--approve: the checklist has no fix '"
                                + a
                                + "'"
                                + Suggest.didYouMean(a, checklist.fixes().keySet()));
        }
        Fleet fleet = Fleet.select(local, inventory, hosts, limit);
        List<Host> selected = fleet.hosts();
        Inventory inv = fleet.inventory();
        if (windowFile.isPresent())
            inv = inv.withWindows(InventoryLoader.loadWindows(windowFile.get(), inv));
        Optional<Map<String, Instant>> windowStarts = windowStartsEndedWithin(inv);
        if (windowStarts.isPresent()) {
            Map<String, Instant> starts = windowStarts.get();
            selected = selected.stream().filter(h -> starts.containsKey(h.name())).toList();
            // Unlike an empty --limit (a typo: exit 2), an hourly timer finds no window that just
            // ended almost every time it fires; that is success, not a usage error.
            if (selected.isEmpty()) {
                spec.commandLine()
                        .getOut()
                        .println(
                                "no maintenance window ended in the last "
                                        + windowsEndedWithin.get().strip());
                spec.commandLine().getOut().flush();
                return 0;
            }
        }

        if (formats.contains("html"))
            reportContext = ReportContext.of(windowStart, windowStarts, inv, selected);
        List<Runner.Target> targets = new ArrayList<>();
        List<Remediator.Target> fixTargets = new ArrayList<>();
        List<String> secretValues = new ArrayList<>();
        Map<String, PlanFile.HostInputs> planInputs = new LinkedHashMap<>();
        for (Host h : selected) {
            Map<String, String> hostVars = new LinkedHashMap<>(h.vars());
            hostVars.putAll(vars);
            ChecklistBinder.Bound bound =
                    ChecklistBinder.bind(checklist, hostVars, h.name(), h.reachAddress(), problems);
            List<Check> hostChecks =
                    base.map(b -> b.appendTo(h.name(), bound.checks())).orElse(bound.checks());
            Optional<Instant> hostStart =
                    windowStart.or(() -> windowStarts.map(m -> m.get(h.name())));
            if (hostStart.isPresent()) {
                Instant start = hostStart.get();
                hostChecks = hostChecks.stream().map(c -> c.withSince(start)).toList();
            }
            hostChecks.stream()
                    .filter(c -> c.spec() instanceof BootCheck b && b.needsWindowStart())
                    .forEach(c ->
                            problems.add(
                                    c.location(),
                                    "boot check '"
                                            + c.id()
                                            + "': rebooted: needs the window's start: run verify with"
                                            + " --since or --windows-ended-within"));
            targets.add(new Runner.Target(h, hostChecks));
            fixTargets.add(new Remediator.Target(h, hostChecks, bound.fixes()));
            planInputs.put(h.name(), new PlanFile.HostInputs(h, bound.vars(), bound.fixes()));
            checklist.vars().values().stream()
                    .filter(Checklist.Var::secret)
                    .forEach(v ->
                            bound.vars()
                                    .getOrDefault(v.name(), Optional.empty())
                                    .ifPresent(secretValues::add));
        }
        problems.throwIfAny();
        if (applying.isPresent()) applying.get().checkInputs(checklist, planInputs);
        Secrets secrets = Secrets.of(secretValues).and(notifications.secretValues());

        boolean terminal = System.console() != null;
        boolean color =
                terminal && !noColor && System.getenv("NO_COLOR") == null && format.equals("human");
        Connector direct =
                SshWiring.connector(
                        local,
                        knownHosts,
                        sshConfig,
                        acceptNewHostKeys,
                        hostTimeout,
                        inv.hosts(),
                        outputCap);
        Connector connector =
                wait.isPresent() ? WaitingConnector.of(direct, wait.get(), hostTimeout) : direct;

        RunListener listener =
                terminal ? new ProgressLine(targets.size(), System.err) : RunListener.NONE;
        Runner runner =
                new Runner(
                        new Runner.Options(
                                concurrency, hostTimeout, connector, listener, Main.version()));
        RunReport report;
        java.util.concurrent.atomic.AtomicBoolean stop =
                new java.util.concurrent.atomic.AtomicBoolean();
        try (Interrupts ignored =
                Interrupts.onCtrlC(() -> {
                    stop.set(true);
                    runner.interrupt();
                })) {
            report = runner.run(checklist.name(), checklist.files(), checklist.sha256(), targets);
            if (listener instanceof ProgressLine p) p.clear();
            long verified = System.nanoTime();
            if (fix && !report.interrupted()) {
                report =
                        remediate(
                                report,
                                targets,
                                fixTargets,
                                checklist,
                                connector,
                                runner,
                                secrets,
                                planInputs,
                                stop,
                                terminal);
                report =
                        report.withElapsed(
                                report.elapsed()
                                        .plus(Duration.ofNanos(System.nanoTime() - verified)));
            }
        }
        if (stop.get() && !report.interrupted()) {
            report =
                    new RunReport(
                            report.runId(),
                            report.version(),
                            report.started(),
                            report.elapsed(),
                            report.checklist(),
                            report.files(),
                            report.checklistSha256(),
                            report.hosts(),
                            true);
        }

        report = report.redacted(secrets);
        spec.commandLine().getOut().print(render(format, color, report));
        spec.commandLine().getOut().flush();
        for (Map.Entry<String, Path> r : reports.entrySet()) {
            try {
                SafeFiles.replace(r.getValue(), render(r.getKey(), false, report));
            } catch (IOException e) {
                spec.commandLine()
                        .getErr()
                        .println(
                                "postflight: cannot write " + r.getValue() + ": " + e.getMessage());
                return RunReport.INVALID_INPUT;
            }
        }
        notifications
                .send(report)
                .forEach(p ->
                        spec.commandLine().getErr().println("postflight: " + secrets.redact(p)));
        return format.equals("nagios") ? report.nagiosExitCode() : report.exitCode();
    }

    private RunReport remediate(
            RunReport report,
            List<Runner.Target> targets,
            List<Remediator.Target> fixTargets,
            Checklist checklist,
            Connector connector,
            Runner runner,
            Secrets secrets,
            Map<String, PlanFile.HostInputs> planInputs,
            java.util.concurrent.atomic.AtomicBoolean stop,
            boolean terminal)
            throws InterruptedException, InvalidInput {
        java.io.PrintWriter progress =
                secrets.redacting(
                        format.equals("human")
                                ? spec.commandLine().getOut()
                                : spec.commandLine().getErr());
        String operator = System.getProperty("user.name") + "@" + localHost().name();
        if (planOut.isPresent()) {
            PlanFile plan;
            try {
                plan =
                        PlanFile.of(
                                planOut.get(),
                                report,
                                fixTargets,
                                checklist,
                                new PlanFile.Paths(inventory, knownHosts, sshConfig, audit),
                                vars,
                                planInputs);
                plan.write();
            } catch (IOException e) {
                throw new InvalidInput(
                        COMMAND_LINE,
                        "--plan-out: cannot write " + planOut.get() + ": " + e.getMessage());
            }
            progress.println(
                    "plan saved to "
                            + planOut.get()
                            + " ("
                            + plan.summary()
                            + "); run it with: postflight apply "
                            + planOut.get());
            return report;
        }
        if (applying.isPresent()) {
            fixTargets = applying.get().keepCurrent(report, fixTargets, progress);
        }
        Optional<Approvals.Terminal> ask =
                terminal && !dryRun
                        ? Optional.of(
                                new Approvals.Terminal(
                                        secrets.redacting(
                                                new java.io.PrintWriter(System.err, true)),
                                        new java.io.BufferedReader(
                                                new java.io.InputStreamReader(System.in))))
                        : Optional.empty();
        java.util.Set<String> approved = new java.util.HashSet<>(approval.approve);
        AuditLog log = new AuditLog(audit.orElse(AuditLog.defaultFile()), report.runId(), secrets);
        try {
            log.write(
                    "run",
                    Map.of(
                            "operator",
                            operator,
                            "mode",
                            dryRun ? "dry-run" : applying.isPresent() ? "apply" : "fix",
                            "checklist",
                            checklist.name(),
                            "files",
                            checklist.files().stream().map(Path::toString).toList(),
                            "checklist_sha256",
                            checklist.sha256(),
                            "runner_host",
                            localHost().name()));
        } catch (java.io.UncheckedIOException e) {
            throw new InvalidInput(COMMAND_LINE, "--audit: " + e.getMessage());
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
                                        approval.yes,
                                        approved,
                                        ask),
                                dryRun,
                                fixConcurrency,
                                maxFixFailures,
                                fleetGuard,
                                force,
                                breakLock,
                                log,
                                progress,
                                stop::get),
                        connector,
                        runner);
        RunReport fixed = remediator.remediate(report, fixTargets);
        progress.flush();
        return fixed;
    }

    private String render(String f, boolean color, RunReport report) {
        return (verbose && f.equals("human")
                        ? Reporter.verbose(color)
                        : Reporter.forFormat(f, color, reportContext))
                .render(report);
    }

    /** {@code --windows-ended-within}: the window start of each host whose window just ended. */
    private Optional<Map<String, Instant>> windowStartsEndedWithin(Inventory inv)
            throws InvalidInput {
        if (windowsEndedWithin.isEmpty()) return Optional.empty();
        Duration within =
                Durations.parse(windowsEndedWithin.get())
                        .filter(Duration::isPositive)
                        .orElseThrow(() ->
                                new InvalidInput(
                                        COMMAND_LINE,
                                        "--windows-ended-within: '"
                                                + windowsEndedWithin.get()
                                                + "' is not a positive duration (e.g. 1h)"));
        return Optional.of(inv.windowStartsEndedWithin(within, Instant.now()));
    }

    /** {@code --since}: an ISO-8601 instant or offset date-time, or {@code -3h} before now. */
    static Instant windowStart(String text, Instant now) throws InvalidInput {
        String t = text.strip();
        if (t.startsWith("-")) {
            Optional<Duration> ago = Durations.parse(t.substring(1));
            if (ago.isPresent()) return now.minus(ago.get());
        } else {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                try {
                    return Instant.parse(t);
                } catch (DateTimeParseException e2) {
                    // reported below
                }
            }
        }
        throw new InvalidInput(
                COMMAND_LINE,
                "--since: '"
                        + text
                        + "' is neither a time with its offset (2026-11-23T02:00:00+09:00,"
                        + " 2026-11-22T17:00:00Z) nor a time ago (-3h, -90m)");
    }

    static Host localHost() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            name = "localhost";
        }
        return Host.at(name, "127.0.0.1");
    }

    /** The format names, for --help. */
    static final class Formats extends ArrayList<String> {
        Formats() {
            super(Reporter.FORMATS);
        }
    }
}
