package dev.postflight.cli;

import dev.postflight.check.BaselineCheck;
import dev.postflight.check.Check;
import dev.postflight.check.HostFacts;
import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.inventory.Host;
import dev.postflight.inventory.Inventory;
import dev.postflight.run.CheckResult;
import dev.postflight.run.Connector;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunListener;
import dev.postflight.run.RunReport;
import dev.postflight.run.Runner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code postflight snapshot}: records each host's facts before a maintenance window, so that
 * {@code verify --baseline} can say afterwards what changed (seed 002: new host key, newer OS,
 * unnoticed). Sends one read-only probe per host; changes nothing.
 */
@Command(
        name = "snapshot",
        mixinStandardHelpOptions = true,
        description = {
            "Records per host its SSH host key, OS, kernel, boot id, listening ports, services"
                    + " enabled at boot, package count and hash, and certificate hashes into"
                    + " FILE, for 'verify --baseline FILE' after the window. Changes nothing."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every host recorded",
            "1:a host could not be recorded (the others are in FILE)",
            "2:invalid input or usage",
            "3:internal error (a bug: please report it with the output of --debug)",
            "130:interrupted (Ctrl-C); nothing written"
        })
final class SnapshotCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin TargetOptions target = new TargetOptions();

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            required = true,
            description = "Baseline file to write (JSON).")
    Path output;

    @Option(
            names = "--cert",
            paramLabel = "PATH",
            description =
                    "Also record this certificate file (repeatable; /etc/letsencrypt/live/*/cert.pem always).")
    List<String> certs = new ArrayList<>();

    @Mixin RunLimits limits = new RunLimits();

    @Mixin SshFlags ssh = new SshFlags();

    @Override
    public Integer call() throws InvalidInput, InterruptedException {
        RunLimits.Checked run = limits.check();
        target.validate("records");
        OutputPaths.checkWritable("-o", output);
        ssh.validate();
        BaselineCheck record;
        try {
            record = BaselineCheck.recording(certs);
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(Location.COMMAND_LINE, "--cert: " + e.getMessage());
        }
        Fleet fleet = target.select();
        List<Host> selected = fleet.hosts();
        Inventory inv = fleet.inventory();
        Map<String, BaselineCheck.Recorder> recorders = new LinkedHashMap<>();
        List<Runner.Target> targets = new ArrayList<>();
        for (Host h : selected) {
            BaselineCheck.Recorder recorder = record.recorder();
            recorders.put(h.name(), recorder);
            Check check =
                    new Check(
                            BaselineFile.CHECK_ID,
                            "baseline",
                            Severity.CRITICAL,
                            Optional.empty(),
                            List.of(),
                            recorder,
                            Location.COMMAND_LINE,
                            Optional.empty());
            targets.add(new Runner.Target(h, List.of(check)));
        }
        Connector connector =
                ssh.connector(
                        target.local,
                        run.hostTimeout(),
                        inv.hosts(),
                        selected,
                        run.outputCap(),
                        spec.commandLine().getErr());
        Runner runner =
                new Runner(
                        new Runner.Options(
                                run.concurrency(),
                                run.hostTimeout(),
                                connector,
                                RunListener.NONE,
                                Main.version()));
        Instant taken = Instant.now();
        RunReport report;
        try (Interrupts ignored = Interrupts.onCtrlC(runner::interrupt)) {
            report = runner.run("snapshot", List.of(), "", targets);
        }
        if (report.interrupted()) return 130;

        PrintWriter out = spec.commandLine().getOut();
        Map<String, HostFacts> recorded = new LinkedHashMap<>();
        int missed = 0;
        for (HostResult h : report.hosts()) {
            CheckResult c = h.checks().get(0);
            Optional<HostFacts> facts = recorders.get(h.host()).facts();
            if (c.status() == Status.PASS && facts.isPresent()) {
                HostFacts f = facts.get();
                recorded.put(h.host(), f);
                out.println(h.host() + ": " + f.summary());
            } else {
                missed++;
                out.println(
                        h.host()
                                + ": NOT RECORDED: "
                                + h.unreachable().orElse(c.verdict().reason()));
            }
        }
        try {
            new BaselineFile(output, taken, recorded).write(output);
        } catch (IOException e) {
            spec.commandLine()
                    .getErr()
                    .println("postflight: cannot write " + output + ": " + e.getMessage());
            return RunReport.INVALID_INPUT;
        }
        out.println(
                "baseline of "
                        + recorded.size()
                        + (recorded.size() == 1 ? " host" : " hosts")
                        + " written to "
                        + output
                        + (missed == 0 ? "" : " (" + missed + " not recorded)"));
        out.flush();
        return missed == 0 ? 0 : 1;
    }
}
