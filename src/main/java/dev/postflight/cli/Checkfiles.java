package dev.postflight.cli;

import dev.postflight.checklist.Checklist;
import dev.postflight.checklist.ChecklistBinder;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.input.Problems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What lint and list share: finding check files and binding them without a real host. */
final class Checkfiles {
    static final String PLACEHOLDER_HOST = "HOST";

    private Checkfiles() {}

    /** Files as named, and the *.yaml / *.yml files inside named folders, sorted. */
    static List<Path> expand(List<Path> named) throws InvalidInput {
        List<Path> out = new ArrayList<>();
        for (Path p : named) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                            .sorted()
                            .forEach(out::add);
                } catch (IOException e) {
                    throw new InvalidInput(Location.of(p), "cannot list folder: " + e.getMessage());
                }
            } else {
                out.add(p);
            }
        }
        if (out.isEmpty()) {
            throw new InvalidInput(Location.COMMAND_LINE, "no check files found in " + named);
        }
        return out;
    }

    /**
     * Binds a checklist for a host named {@code HOST}. Vars declared without a value (to be set by
     * the inventory) stand as {@code <name>} so that everything else can still be checked.
     */
    static ChecklistBinder.Bound bindForDisplay(Checklist checklist, Problems problems) {
        Map<String, String> placeholders = new LinkedHashMap<>();
        checklist.vars().values().stream()
                .filter(v -> v.value().isEmpty())
                .forEach(v -> placeholders.put(v.name(), "<" + v.name() + ">"));
        return ChecklistBinder.bind(
                checklist, placeholders, PLACEHOLDER_HOST, PLACEHOLDER_HOST, problems);
    }
}
