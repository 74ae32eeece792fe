package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import java.nio.file.Path;
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
 * {@code postflight apply PLAN.json}: runs a saved plan. The plan is refused when an input it is
 * bound to changed (see {@link PlanFile}); the hosts are verified again, and a host whose key or
 * failed checks changed since the plan is refused. A plan approves nothing (issue 13): confirm
 * fixes need {@code --yes}, {@code --approve FIX} or a yes on the terminal, as with {@code verify
 * --fix}. The plan's paths are absolute, so apply works from any directory; {@code --audit}, {@code
 * --known-hosts} and {@code --ssh-config} given here win over the plan's.
 */
@Command(
        name = "apply",
        mixinStandardHelpOptions = true,
        description =
                "Runs a plan saved by 'verify --fix --plan-out'; refused where the host, checklist,"
                        + " inventory entry, vars or fix commands changed. Confirm fixes need --yes,"
                        + " --approve or a yes on the terminal.")
final class ApplyCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PLAN", description = "The plan file.")
    Path plan;

    @CommandLine.Mixin ApprovalOptions approval = new ApprovalOptions();

    @Option(names = "--audit", paramLabel = "FILE", description = "Audit log (JSON lines).")
    Optional<Path> audit = Optional.empty();

    @CommandLine.Mixin SshFiles ssh = new SshFiles();

    @CommandLine.Mixin ReportOptions report = new ReportOptions();

    @Option(
            names = "--var",
            paramLabel = "NAME=VALUE",
            description =
                    "A secret var given with --var when the plan was made: the plan does not store"
                            + " its value.")
    Map<String, String> vars = new LinkedHashMap<>();

    @Override
    public Integer call() throws InvalidInput, InterruptedException {
        PlanFile p = PlanFile.read(plan);
        // Verify's own defaults for everything the plan does not fix (limits, fix pace, guards).
        VerifyCommand v = new VerifyCommand();
        v.spec = spec;
        v.checks = new ArrayList<>(p.files().stream().map(Path::of).toList());
        v.target.inventory = p.inventory().map(Path::of);
        v.target.hosts =
                new ArrayList<>(
                        p.hosts().stream()
                                .map(h -> p.inventory().isPresent() ? h.host() : hostArgument(h))
                                .toList());
        List<String> missing = p.secretVars().stream().filter(n -> !vars.containsKey(n)).toList();
        if (!missing.isEmpty())
            throw new InvalidInput(
                    Location.of(plan),
                    "the plan does not store the value of secret var(s) "
                            + String.join(", ", missing)
                            + " given with --var: give them again, e.g. postflight apply --var "
                            + missing.get(0)
                            + "=VALUE "
                            + plan);
        v.vars = new LinkedHashMap<>(p.vars());
        v.vars.putAll(vars);
        v.report = report;
        v.fix.fix = true;
        v.fix.approval = approval;
        v.fix.audit = audit.or(() -> p.audit().map(Path::of));
        v.ssh.files.knownHosts = ssh.knownHosts.or(() -> p.knownHosts().map(Path::of));
        v.ssh.files.sshConfig = ssh.sshConfig.or(() -> p.sshConfig().map(Path::of));
        v.applying = Optional.of(p);
        if (p.hosts().isEmpty()) {
            spec.commandLine().getOut().println("the plan has no fixes: nothing to apply");
            return 0;
        }
        return v.call();
    }

    /** A host named on verify's command line, as it was named: [user@]host[:port]. */
    private static String hostArgument(PlanFile.HostPlan h) {
        String user = h.inventoryEntry().getOrDefault("user", "");
        String port = h.inventoryEntry().getOrDefault("port", "");
        return (user.isEmpty() ? "" : user + "@") + h.host() + (port.isEmpty() ? "" : ":" + port);
    }
}
