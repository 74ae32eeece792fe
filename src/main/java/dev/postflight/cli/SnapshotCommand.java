package dev.postflight.cli;

import dev.postflight.check.BaselineCheck;
import dev.postflight.check.Check;
import dev.postflight.check.HostFacts;
import dev.postflight.check.Severity;
import dev.postflight.check.Status;
import dev.postflight.checklist.Durations;
import dev.postflight.checklist.InvalidInput;
import dev.postflight.checklist.Location;
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
import java.time.Duration;
import java.time.Instant;
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
    private static final Location COMMAND_LINE = Location.of(Path.of("(command line)"));

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
            paramLabel = "HOST",
            description = "Hosts to record: inventory names or [user@]host[:port].")
    List<String> hosts = new ArrayList<>();

    @Option(
            names = {"-i", "--inventory"},
            paramLabel = "INVENTORY",
            description = "Inventory file: postflight YAML, or Ansible INI, YAML or JSON.")
    Optional<Path> inventory = Optional.empty();

    @Option(
            names = "--limit",
            paramLabel = "GROUP|HOST",
            description = "Only these groups or hosts (comma-separated), or an Ansible pattern.")
    Optional<String> limit = Optional.empty();

    @Option(names = "--local", description = "Record this machine, without SSH.")
    boolean local;

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

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            defaultValue = "64",
            description = "Hosts recorded at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "60s",
            description = "Time one host may take in all (default: ${DEFAULT-VALUE}).")
    String timeout;

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
        if (concurrency < 1)
            throw new InvalidInput(COMMAND_LINE, "--concurrency must be at least 1");
        if (local && (inventory.isPresent() || !hosts.isEmpty())) {
            throw new InvalidInput(
                    COMMAND_LINE,
                    "--local records this machine: do not also name hosts or an inventory");
        }
        OutputPaths.checkWritable("-o", output);
        if (knownHosts.isPresent())
            OutputPaths.checkKnownHosts(knownHosts.get(), acceptNewHostKeys);
        BaselineCheck record;
        try {
            record = BaselineCheck.recording(certs);
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(COMMAND_LINE, "--cert: " + e.getMessage());
        }
        Fleet fleet = Fleet.select(local, inventory, hosts, limit);
        List<Host> selected = fleet.hosts();
        Inventory inv = fleet.inventory();
        Check check =
                new Check(
                        BaselineFile.CHECK_ID,
                        "baseline",
                        Severity.CRITICAL,
                        Optional.empty(),
                        List.of(),
                        record,
                        COMMAND_LINE,
                        Optional.empty());
        List<Runner.Target> targets =
                selected.stream().map(h -> new Runner.Target(h, List.of(check))).toList();
        Connector connector =
                SshWiring.connector(
                        local,
                        knownHosts,
                        sshConfig,
                        acceptNewHostKeys,
                        hostTimeout,
                        inv.hosts(),
                        selected);
        Runner runner =
                new Runner(
                        new Runner.Options(
                                concurrency,
                                hostTimeout,
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
            if (c.status() == Status.PASS) {
                HostFacts f = BaselineCheck.recorded(c.verdict());
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
