package dev.postflight.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packages form layers (input ← check ← checklist ← run ← cli …): no package depends on itself
 * through others. The JDK's own jdeps reads the compiled classes.
 */
class PackageCyclesTest {
    private static final Pattern EDGE =
            Pattern.compile(
                    "^\\s+(dev\\.postflight\\.[a-z]+)\\s+->\\s+(dev\\.postflight\\.[a-z]+)\\s");

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int exit =
                jdeps.run(
                        new PrintWriter(out),
                        new PrintWriter(new StringWriter()),
                        "-verbose:package",
                        "-filter:none",
                        "target/classes");
        assertEquals(0, exit, out.toString());
        Map<String, Set<String>> uses = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && !m.group(1).equals(m.group(2))) {
                uses.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        List<String> cycles = new ArrayList<>();
        for (String from : uses.keySet()) {
            for (String to : uses.get(from)) {
                if (reaches(uses, to, from, new TreeSet<>())) cycles.add(from + " -> " + to);
            }
        }
        assertEquals(List.of(), cycles, "package dependencies: " + uses);
    }

    private static boolean reaches(
            Map<String, Set<String>> uses, String from, String to, Set<String> seen) {
        if (from.equals(to)) return true;
        if (!seen.add(from)) return false;
        for (String next : uses.getOrDefault(from, Set.of())) {
            if (reaches(uses, next, to, seen)) return true;
        }
        return false;
    }
}
