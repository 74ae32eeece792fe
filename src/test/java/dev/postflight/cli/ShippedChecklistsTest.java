package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The checklists in checks/ are what users start from: each must load, lint and run. */
class ShippedChecklistsTest {

    @Test
    void everyShippedChecklistIsDocumentedInItsHeader() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("checks"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                String text = Files.readString(f);
                assertTrue(text.startsWith("# "), f + " has no header comment");
                assertTrue(text.contains("checklist: "), f + " has no checklist name");
            }
        }
    }

    @Test
    void localYamlRunsOnThisMachineWithoutErrors() {
        Cli r = Cli.run("verify", "--local", "-c", "checks/local.yaml", "--no-color");
        assertTrue(r.exit() == 0 || r.exit() == 1, r.out() + r.err());
        assertTrue(r.out().contains("Summary: 1 host · 6 checks"), r.out());
        assertTrue(
                !r.out().contains("ERROR"),
                "a shipped check could not be judged here:\n" + r.out());
    }

    @Test
    void webUnreachableRunsLocallyAndReportsPortsPrecisely() {
        Cli r = Cli.run("verify", "--local", "-c", "checks/web-unreachable.yaml", "--no-color");
        assertEquals(1, r.exit(), r.out() + r.err());
        // Nothing serves the web on this machine: the verdict must say what is missing, precisely.
        assertTrue(
                r.out()
                        .matches(
                                "(?s).*FAIL +http-listening +tcp/80: nothing listening \\(ss\\); not reachable from the runner: connection refused \\(127\\.0\\.0\\.1:80\\).*"),
                r.out());
        assertTrue(
                r.out()
                        .matches(
                                "(?s).*skip +php-fpm-listening +when: \\{\\{ has_php }} is false.*"),
                r.out());
    }

    @Test
    void checklistsThatNeedInventoryVarsSayWhichWhenTheyAreMissing() {
        Cli r = Cli.run("verify", "--local", "-c", "checks/redeployed-host.yaml");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("var 'site_name' has no value"), r.err());
    }
}
