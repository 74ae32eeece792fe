package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.run.Shard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code postflight merge} refuses what would hide a host or count one twice, naming the files, and
 * renders the merged run in every format. The reports come from real runs over SSH (MINA SSHD).
 */
class MergeCommandTest {
    @TempDir static Path dir;
    static TestFleet fleet;
    static Path all;
    static Path shard0;
    static Path shard1;
    static Path otherChecklist;

    @BeforeAll
    static void runs() throws Exception {
        fleet = TestFleet.start(dir, 4);
        all = verify("all.json");
        shard0 = verify("shard-0.json", "--shard", "0/2");
        shard1 = verify("shard-1.json", "--shard", "1/2");
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, "checks:\n  - { id: shell, command: { run: \"echo ok\" } }\n");
        otherChecklist = dir.resolve("other.json");
        Cli r =
                Cli.run(
                        "verify",
                        "-i",
                        fleet.inventory().toString(),
                        "-c",
                        other.toString(),
                        "--known-hosts",
                        fleet.knownHosts().toString(),
                        "--ssh-config",
                        dir.resolve("none").toString(),
                        "--shard",
                        "1/2",
                        "--report",
                        "json=" + otherChecklist);
        assertTrue(Files.exists(otherChecklist), r.out() + r.err());
    }

    @AfterAll
    static void stop() throws Exception {
        fleet.close();
    }

    static Path verify(String report, String... extra) {
        Path json = dir.resolve(report);
        List<String> args = new java.util.ArrayList<>(List.of(extra));
        args.addAll(List.of("--report", "json=" + json));
        Cli r = Cli.run(fleet.verify(args.toArray(String[]::new)).toArray(String[]::new));
        assertTrue(Files.exists(json), r.out() + r.err());
        return json;
    }

    static Cli merge(Object... files) {
        List<String> args = new java.util.ArrayList<>(List.of("merge", "--no-color"));
        for (Object f : files) args.add(f.toString());
        return Cli.run(args.toArray(String[]::new));
    }

    static void refused(Cli r, String... errors) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals(String.join("\n", errors) + "\n", r.err());
    }

    @Test
    void aFileThatIsNotAPostflightReportIsRefusedByName() throws Exception {
        Path notes = dir.resolve("notes.json");
        Files.writeString(notes, "{\"hosts\": []}\n");
        refused(
                merge(shard0, notes),
                notes
                        + ":1:1: not a postflight report (written by 'postflight verify --report"
                        + " json=FILE'): no \"schema\": \"postflight.run/v1\"");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello\n");
        Cli r = merge(text);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith(text + ":1:1: not a postflight report: not JSON ("), r.err());
        Path absent = dir.resolve("absent.json");
        r = merge(absent);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith(absent + ":1:1: cannot read: "), r.err());
    }

    @Test
    void reportsOfDifferentSchemaVersionsAreRefused() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode v2 = (ObjectNode) json.readTree(shard1.toFile());
        v2.put("schema", "postflight.run/v2");
        Path newer = dir.resolve("newer.json");
        json.writeValue(newer.toFile(), v2);
        refused(
                merge(shard0, newer),
                newer
                        + ":1:1: schema postflight.run/v2 differs from "
                        + shard0
                        + "'s postflight.run/v1: reports of different schema versions cannot be"
                        + " merged");
    }

    @Test
    void reportsOfDifferentChecklistsAreRefused() throws Exception {
        String sha0 = new ObjectMapper().readTree(shard0.toFile()).at("/checklist/sha256").asText();
        String sha1 =
                new ObjectMapper()
                        .readTree(otherChecklist.toFile())
                        .at("/checklist/sha256")
                        .asText();
        refused(
                merge(shard0, otherChecklist),
                otherChecklist
                        + ":1:1: checklist 'other' (sha256 "
                        + sha1
                        + ") differs from "
                        + shard0
                        + "'s 'fleet' (sha256 "
                        + sha0
                        + "): merge reports of one checklist");
    }

    @Test
    void aHostInTwoReportsIsRefusedNamingTheHostAndBothFiles() {
        List<String> inShard0 =
                TestFleet.names(4).stream().filter(n -> Shard.of(n, 2) == 0).toList();
        refused(
                merge(all, shard0),
                inShard0.stream()
                        .map(h ->
                                shard0
                                        + ":1:1: host "
                                        + h
                                        + " is in "
                                        + all
                                        + " too: a host may be in one report only")
                        .toArray(String[]::new));
    }

    @Test
    void aMissingShardIsRefusedNamingItsHosts() {
        List<String> inShard1 =
                TestFleet.names(4).stream().filter(n -> Shard.of(n, 2) == 1).toList();
        refused(
                merge(shard0),
                shard0
                        + ":1:1: shard 1/2 of this selection is in no report given (its hosts "
                        + String.join(", ", inShard1)
                        + " are missing; merged: "
                        + shard0
                        + ")");
    }

    @Test
    void theMergeRendersEveryFormatWithTheFleetsExitCode() throws Exception {
        for (String format : dev.postflight.report.Reporter.FORMATS) {
            Cli r = merge(shard0, shard1, "--format", format);
            assertEquals(format.equals("nagios") ? 2 : 1, r.exit(), format + ": " + r.err());
            assertEquals("", r.err());
        }
        Cli r = merge(shard1, shard0, "--format", "tap");
        assertTrue(r.out().contains("h04"), r.out());
        Path xml = dir.resolve("fleet.xml");
        merge(shard0, shard1, "--report", "junit=" + xml);
        assertTrue(
                Files.readString(xml).contains("<testsuite name=\"h04\""), Files.readString(xml));
    }

    @Test
    void anUnknownFormatIsRefusedBeforeAnyReportIsRead() {
        refused(
                merge(dir.resolve("absent.json"), "--format", "yaml"),
                "postflight: unknown report format 'yaml' (one of human, json, junit, tap,"
                        + " nagios, prometheus, markdown, html)");
    }
}
