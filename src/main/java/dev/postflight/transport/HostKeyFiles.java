package dev.postflight.transport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The known_hosts file each host's key is checked against and new keys are added to: the run's
 * ({@code --known-hosts}, else {@code ~/.ssh/known_hosts}), or the first {@code UserKnownHostsFile}
 * the SSH config names for the host when {@code --known-hosts} was not given. Each file is read
 * once per run and shared by the hosts that use it.
 */
final class HostKeyFiles {

    private final KnownHostsFile run;
    private final boolean runFileGiven;
    private final Map<Path, KnownHostsFile> others = new ConcurrentHashMap<>();

    HostKeyFiles(KnownHostsFile run, boolean runFileGiven) {
        this.run = run;
        this.runFileGiven = runFileGiven;
    }

    KnownHostsFile of(ResolvedTarget target) throws IOException {
        if (runFileGiven || target.options().knownHosts().isEmpty()) return run;
        Path file = target.options().knownHosts().get();
        if (file.equals(run.path())) return run;
        KnownHostsFile known = others.get(file);
        if (known == null) {
            known = KnownHostsFile.load(file);
            KnownHostsFile raced = others.putIfAbsent(file, known);
            if (raced != null) known = raced;
        }
        return known;
    }

    /** {@code accept-new} from the flag, or from the config's StrictHostKeyChecking. */
    static boolean acceptNew(boolean flag, ResolvedTarget target) {
        String strict = target.options().strictHostKeyChecking();
        return flag || strict.equals("accept-new") || strict.equals("false");
    }
}
