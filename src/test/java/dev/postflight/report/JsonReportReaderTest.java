package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.run.RunReport;
import dev.postflight.run.Shard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code postflight merge} reads: a JSON report, back into the run it describes. */
class JsonReportReaderTest {
    @TempDir Path dir;

    private final Reporter json = Reporter.forFormat("json", false);

    @Test
    void aReadReportRendersExactlyAsTheRunItWasWrittenFromInEveryFormat() throws Exception {
        for (RunReport run :
                List.of(
                        SampleRuns.everything(),
                        SampleRuns.passing(),
                        SampleRuns.warningOnly(),
                        SampleRuns.failing(),
                        SampleRuns.interrupted(),
                        SampleRuns.failing().withShard(new Shard(0, 2, List.of("a", "b"))))) {
            Path file = dir.resolve("run.json");
            Files.writeString(file, json.render(run));
            RunReport read = JsonReportReader.load(file).report();
            for (String format : Reporter.FORMATS) {
                Reporter r = Reporter.forFormat(format, false);
                assertEquals(r.render(run), r.render(read), format);
            }
            assertEquals(run.exitCode(), read.exitCode());
        }
    }

    @Test
    void aReportWithAKeyMissingIsRefusedNamingTheKey() throws Exception {
        Path file = dir.resolve("broken.json");
        Files.writeString(
                file,
                json.render(SampleRuns.failing()).replaceFirst("\"severity\": \"critical\",", ""));
        try {
            JsonReportReader.load(file).report();
            throw new AssertionError("read a report without a severity");
        } catch (dev.postflight.input.InvalidInput e) {
            assertEquals(
                    file
                            + ":1:1: not a postflight report: hosts[0].checks[0].severity: not a"
                            + " string",
                    e.getMessage());
        }
    }
}
