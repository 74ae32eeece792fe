package dev.postflight.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.postflight.checklist.ChecklistLoader;
import dev.postflight.testing.LocalRun;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file that cannot be used says why in one line, in the user's words, not Jackson's. */
class YamlFilesTest {
    @TempDir Path dir;

    private String error(Path file) {
        InvalidInput e =
                assertThrows(InvalidInput.class, () -> ChecklistLoader.load(List.of(file)));
        return e.getMessage().replace(dir.toString() + "/", "");
    }

    @Test
    void aBinaryFileIsReportedAsNotText() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.write(f, new byte[] {'c', 'h', (byte) 0xff, (byte) 0xfe, 0, 1});
        assertEquals("postflight: cannot read c.yaml: not UTF-8 text (a binary file?)", error(f));
    }

    @Test
    void aFolderIsReportedAsAFolder() throws Exception {
        Path f = Files.createDirectory(dir.resolve("checks.yaml"));
        assertEquals("postflight: cannot read checks.yaml: it is a folder", error(f));
    }

    // Tests run as root here, for whom no file is unreadable: the exception the JDK throws for
    // EACCES is built by hand.
    @Test
    void permissionDeniedIsSaidInWords() {
        assertEquals(
                "permission denied",
                YamlFiles.cause(new AccessDeniedException(dir.resolve("c.yaml").toString())));
    }

    @Test
    void aYamlAliasIsRefusedWhereItIsUsedInsteadOfReadAsItsName() {
        Path f =
                LocalRun.write(
                        dir,
                        "c.yaml",
                        "checks:\n  - &first { id: a, command: { run: \"true\" } }\n  - *first\n");
        assertEquals(
                "c.yaml:3:5: YAML aliases (*first) are not supported: write the value out",
                error(f));
    }

    @Test
    void nestingTooDeepIsOneLineWithoutJacksonInternals() {
        Path f =
                LocalRun.write(
                        dir, "c.yaml", "checks: " + "[".repeat(1200) + "]".repeat(1200) + "\n");
        assertEquals("c.yaml:1:1009: YAML nested deeper than 1000 levels", error(f));
    }
}
