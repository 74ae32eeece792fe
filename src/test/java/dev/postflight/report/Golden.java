package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares a rendering with its golden file in {@code src/test/resources/golden/}. Golden files are
 * what users see: when a change to a reporter is intended, regenerate them with
 *
 * <pre>./mvnw -B -q verify -Dgolden.update=true</pre>
 *
 * and review the diff like code before committing it. On a mismatch the actual rendering is written
 * to {@code target/golden-actual/} so it can be diffed against the golden file.
 */
final class Golden {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private static final Path ACTUAL = Path.of("target/golden-actual");

    private Golden() {}

    static void assertMatches(String fileName, String actual) throws IOException {
        Path golden = GOLDEN.resolve(fileName);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            return;
        }
        String expected =
                Files.exists(golden) ? Files.readString(golden, StandardCharsets.UTF_8) : null;
        if (actual.equals(expected)) return;
        Files.createDirectories(ACTUAL);
        Path written = ACTUAL.resolve(fileName);
        Files.writeString(written, actual, StandardCharsets.UTF_8);
        fail(
                (expected == null
                                ? "golden file " + golden + " does not exist"
                                : "rendering differs from "
                                        + golden
                                        + firstDifference(expected, actual))
                        + "\nactual output written to "
                        + written
                        + "\ncompare: diff "
                        + golden
                        + " "
                        + written
                        + "\nif the change is intended: ./mvnw -B -q verify -Dgolden.update=true"
                        + " and review the golden diff");
    }

    private static String firstDifference(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : "<end of file>";
            String al = i < a.length ? a[i] : "<end of file>";
            if (!el.equals(al))
                return " at line " + (i + 1) + "\n  expected: " + el + "\n  actual:   " + al;
        }
        return "";
    }
}
