package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.Shard;
import dev.postflight.run.UnreachableKind;
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
    void theKindOfEachUnreachableHostIsReadBackAndGroupsAsBefore() throws Exception {
        RunReport run = FleetRuns.outage(60);
        Path file = dir.resolve("outage.json");
        Files.writeString(file, json.render(run));
        RunReport read = JsonReportReader.load(file).report();
        assertEquals(run.hosts(), read.hosts());
        for (String format : Reporter.FORMATS) {
            Reporter r = Reporter.forFormat(format, false);
            assertEquals(r.render(run), r.render(read), format);
        }
    }

    @Test
    void aReportWrittenBeforeKindsGroupsItsUnreachableHostsByTheirExactTextAndStaysWithoutKinds()
            throws Exception {
        Path file = dir.resolve("old.json");
        Files.writeString(
                file,
                json.render(FleetRuns.outage(60))
                        .replaceAll("\n *\"unreachable_kind\": \"[a-z_]+\",", ""));
        RunReport read = JsonReportReader.load(file).report();
        for (HostResult h : read.hosts())
            assertEquals(
                    h.unreachable().map(u -> UnreachableKind.UNKNOWN),
                    h.unreachableKind(),
                    h.host());
        String text = new HumanReporter(false).render(read);
        assertTrue(
                text.contains(
                        "\nUNREACHABLE jump host bastion2: connection refused (10.0.9.1:22): 2 hosts:"
                                + " web006, web056\n"),
                text);
        assertTrue(text.contains("\nweb002 (ssh ops@10.0.0.2:22)  unreachable · 0ms\n"), text);
        assertTrue(text.contains("\nBy reason: unreachable 33 hosts\n"), text);
        assertFalse(json.render(read).contains("unreachable_kind"));
    }

    @Test
    void anUnreachableKindNoPostflightWritesIsRefusedNamingTheHost() throws Exception {
        Path file = dir.resolve("odd.json");
        Files.writeString(
                file,
                json.render(SampleRuns.everything())
                        .replace(
                                "\"unreachable_kind\": \"refused\"",
                                "\"unreachable_kind\": \"gone\""));
        try {
            JsonReportReader.load(file).report();
            throw new AssertionError("read an unknown unreachable_kind");
        } catch (dev.postflight.input.InvalidInput e) {
            assertEquals(
                    file + ":1:1: not a postflight report: hosts[1].unreachable_kind: 'gone'",
                    e.getMessage());
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
