package dev.postflight.cli;

import dev.postflight.inventory.Host;
import dev.postflight.inventory.Inventory;
import dev.postflight.inventory.MaintenanceWindow;
import dev.postflight.report.RunContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the HTML report's header says about a verify run besides its results: the operator and
 * machine that ran it, {@code --since}, and the maintenance windows that selected its hosts with
 * {@code --windows-ended-within}.
 */
final class ReportContext {
    private ReportContext() {}

    static RunContext of(
            Optional<Instant> since,
            Optional<Map<String, Instant>> windowStarts,
            Inventory inventory,
            List<Host> selected) {
        String runner = System.getProperty("user.name") + "@" + Fleet.localHost().name();
        List<RunContext.Window> windows = new ArrayList<>();
        if (windowStarts.isPresent()) {
            Map<String, Instant> starts = windowStarts.get();
            for (MaintenanceWindow w : inventory.windows()) {
                List<String> hosts =
                        selected.stream()
                                .map(Host::name)
                                .filter(h -> w.hosts().contains(h))
                                .filter(h -> w.start().equals(starts.get(h)))
                                .toList();
                if (!hosts.isEmpty())
                    windows.add(new RunContext.Window(w.name(), w.start(), w.end(), hosts));
            }
        }
        return new RunContext(Optional.of(runner), since, windows);
    }
}
