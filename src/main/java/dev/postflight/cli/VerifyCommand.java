package dev.postflight.cli;

import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.Problems;
import dev.postflight.input.Suggest;
import dev.postflight.inventory.Host;
import dev.postflight.inventory.Inventory;
import dev.postflight.notify.Notifications;
import dev.postflight.run.Connector;
import dev.postflight.run.RunListener;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import dev.postflight.run.Shard;
import dev.postflight.run.WaitingConnector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin TargetOptions target = new TargetOptions();

    @Option(
            names = {"-c", "--checks"},
            paramLabel = "CHECKS",
            description = "Check file (repeatable; merged in order; optional with --baseline).")
    List<Path> checks = new ArrayList<>();

    @Option(
            names = "--baseline",
            paramLabel = "FILE",
            description =
                    "Also report what changed since 'postflight snapshot -o FILE' (host key, OS,"
                            + " kernel, ports, services, packages, certificates).")
    Optional<Path> baseline = Optional.empty();

    @Option(
            names = "--var",
            paramLabel = "K=V",
            description = "Set a template var; wins over checklist and inventory (repeatable).")
    Map<String, String> vars = new LinkedHashMap<>();

    @Mixin ReportOptions report = new ReportOptions();

    @Mixin RunLimits limits = new RunLimits();

    @Mixin WindowOptions window = new WindowOptions();

    @Mixin SshFlags ssh = new SshFlags();

    @Mixin FixOptions fix = new FixOptions();

    @Mixin ShardOption sharding = new ShardOption();

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
            description =
                    "fail (exit code not 0), change (failing checks differ from the last run) or"
                            + " always (default: ${DEFAULT-VALUE}).")
    String notifyOn = "fail";

    /** Set by 'postflight apply': the saved plan the run must still match. */
    Optional<PlanFile> applying = Optional.empty();

    /** The steps of a run: check the command line, load, select and bind, verify, fix, report. */
    @Override
    public Integer call() throws InvalidInput, InterruptedException {
        RunLimits.Checked run = limits.check();
        Optional<Duration> wait = window.waitForHost();
        Optional<Instant> since = window.since(Instant.now());
        validate();
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
        checkApprovals(checklist, problems);
        Fleet fleet = target.select();
        Inventory inv = window.withWindows(fleet.inventory());
        List<Host> selected = fleet.hosts();
        Optional<Map<String, Instant>> windowStarts = window.windowStartsEndedWithin(inv);
        if (windowStarts.isPresent()) {
            Map<String, Instant> starts = windowStarts.get();
            selected = selected.stream().filter(h -> starts.containsKey(h.name())).toList();
            // Unlike an empty --limit (a typo: exit 2), an hourly timer finds no window that just
            // ended almost every time it fires; that is success, not a usage error.
            if (selected.isEmpty()) {
                out().println(
                                "no maintenance window ended in the last "
                                        + window.windowsEndedWithin.get().strip());
                out().flush();
                return 0;
            }
        }
        if (report.wants("html"))
            report.context = ReportContext.of(since, windowStarts, inv, selected);
        Optional<Shard> shard = sharding.of(selected);
        if (shard.isPresent()) selected = shard.get().pick(selected, Host::name);
        RunTargets bound =
                RunTargets.bind(
                        checklist,
                        selected,
                        vars,
                        host -> since.or(() -> windowStarts.map(m -> m.get(host))),
                        base,
                        notifications.secretValues(),
                        problems);
        problems.throwIfAny();
        RunTargets targets =
                fix.fix && !fix.dryRun && fix.planOut.isEmpty() && applying.isEmpty()
                        ? bound.withChangesApproved()
                        : bound;
        if (applying.isPresent()) applying.get().checkInputs(checklist, targets.planInputs());

        boolean terminal = System.console() != null;
        Connector direct =
                ssh.connector(
                        target.local,
                        run.hostTimeout(),
                        inv.hosts(),
                        selected,
                        run.outputCap(),
                        spec.commandLine().getErr());
        Connector connector =
                wait.isPresent()
                        ? WaitingConnector.of(direct, wait.get(), run.hostTimeout())
                        : direct;
        RunReport result = verifyAndFix(targets, connector, run, terminal);
        if (shard.isPresent()) result = result.withShard(shard.get());
        result = result.redacted(targets.secrets());
        if (!report.emit(result, report.color(terminal), out(), spec.commandLine().getErr())) {
            return RunReport.INVALID_INPUT;
        }
        notifications
                .send(result)
                .forEach(p ->
                        spec.commandLine()
                                .getErr()
                                .println("postflight: " + targets.secrets().redact(p)));
        return report.exitCode(result);
    }

    /** Every option check that needs no file read and no host contacted. */
    private void validate() throws InvalidInput {
        report.validate();
        fix.validate();
        sharding.check(fix.fix);
        ssh.validate();
        window.validate();
        target.validate("verifies");
    }

    private void checkApprovals(Checklist checklist, Problems problems) {
        for (String a : fix.approval.approve) {
            if (!checklist.fixes().containsKey(a))
                problems.add(
                        Location.COMMAND_LINE,
                        "--approve: the checklist has no fix '"
                                + a
                                + "'"
                                + Suggest.didYouMean(a, checklist.fixes().keySet()));
        }
    }

    /** Verifies every host; with --fix, then fixes what failed; Ctrl-C stops both. */
    private RunReport verifyAndFix(
            RunTargets targets, Connector connector, RunLimits.Checked run, boolean terminal)
            throws InvalidInput, InterruptedException {
        RunListener listener =
                terminal
                        ? new ProgressLine(targets.targets().size(), System.err)
                        : RunListener.NONE;
        Runner runner =
                new Runner(
                        new Runner.Options(
                                run.concurrency(),
                                run.hostTimeout(),
                                connector,
                                listener,
                                Main.version()));
        Checklist checklist = targets.checklist();
        RunReport result;
        AtomicBoolean stop = new AtomicBoolean();
        try (Interrupts ignored =
                Interrupts.onCtrlC(() -> {
                    stop.set(true);
                    runner.interrupt();
                })) {
            result =
                    runner.run(
                            checklist.name(),
                            checklist.files(),
                            checklist.sha256(),
                            targets.targets());
            if (listener instanceof ProgressLine p) p.clear();
            long verified = System.nanoTime();
            if (fix.fix && !result.interrupted()) {
                PrintWriter progress =
                        targets.secrets()
                                .redacting(report.human() ? out() : spec.commandLine().getErr());
                result =
                        new FixPhase(
                                        fix,
                                        targets,
                                        applying,
                                        new PlanFile.Paths(
                                                target.inventory,
                                                ssh.files.knownHosts,
                                                ssh.files.sshConfig,
                                                fix.audit),
                                        vars,
                                        report.verbose)
                                .run(result, connector, runner, progress, stop::get, terminal);
                result =
                        result.withElapsed(
                                result.elapsed()
                                        .plus(Duration.ofNanos(System.nanoTime() - verified)));
            }
        }
        return stop.get() ? result.markedInterrupted() : result;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
