package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The registry is the one list of check types: the README's reference must follow it. */
class CheckTypeTest {
    private static final Pattern HEADING = Pattern.compile("(?m)^#### `([a-z_]+)` \\(");

    @Test
    void theReadmeDocumentsEveryRegisteredTypeInRegistryOrderAndNoOther() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int from = readme.indexOf("### Check types");
        int to = readme.indexOf("\n## ", from);
        Matcher m = HEADING.matcher(readme.substring(from, to));
        List<String> documented = m.results().map(r -> r.group(1)).toList();
        assertEquals(CheckType.NAMES, documented);
    }

    @Test
    void everyTypeKeyLeadsBackToItsEntry() {
        for (CheckType t : CheckType.values()) {
            assertEquals(t, CheckType.of(t.key()).orElseThrow());
        }
    }
}
