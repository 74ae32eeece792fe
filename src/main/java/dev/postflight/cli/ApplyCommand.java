package dev.postflight.cli;

import dev.postflight.checklist.InvalidInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postflight apply PLAN.json}: runs a saved plan. The hosts are verified again first; a host
 * whose key or failed checks changed since the plan, or a changed checklist, is refused. Running
 * apply is the approval of the plan's fixes.
 */
@Command(
        name = "apply",
        mixinStandardHelpOptions = true,
        description =
                "Runs a plan saved by 'verify --fix --plan-out'; refused where the host or checklist changed.")
final class ApplyCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PLAN", description = "The plan file.")
    Path plan;

    @Option(names = "--audit", paramLabel = "FILE", description = "Audit log (JSON lines).")
    Optional<Path> audit = Optional.empty();

    @Option(names = "--known-hosts", paramLabel = "FILE", description = "known_hosts file.")
    Optional<Path> knownHosts = Optional.empty();

    @Option(names = "--ssh-config", paramLabel = "FILE", description = "OpenSSH client config.")
    Optional<Path> sshConfig = Optional.empty();

    @Option(names = "--format", defaultValue = "human", description = "Report format on stdout.")
    String format;

    @Override
    public Integer call() throws InvalidInput, InterruptedException {
        PlanFile p = PlanFile.read(plan);
        VerifyCommand v = new VerifyCommand();
        v.spec = spec;
        v.checks = new ArrayList<>(p.files().stream().map(Path::of).toList());
        v.inventory = p.inventory().map(Path::of);
        v.hosts = new ArrayList<>(p.hosts().stream().map(PlanFile.HostPlan::host).toList());
        v.vars = new java.util.LinkedHashMap<>(p.vars());
        v.format = format;
        v.concurrency = 64;
        v.timeout = "60s";
        v.fix = true;
        v.fixConcurrency = 1;
        v.maxFixFailures = 1;
        v.fleetGuard = 0.5;
        v.audit = audit;
        v.knownHosts = knownHosts;
        v.sshConfig = sshConfig;
        v.applying = Optional.of(p);
        if (p.hosts().isEmpty()) {
            spec.commandLine().getOut().println("the plan has no fixes: nothing to apply");
            return 0;
        }
        return v.call();
    }
}
