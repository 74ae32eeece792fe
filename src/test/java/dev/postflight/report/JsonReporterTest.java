package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.run.RunReport;
import dev.postflight.run.Shard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonReporterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMA = Path.of("docs/report-schema-v1.json");

    private final Reporter reporter = Reporter.forFormat("json", false);

    @Test
    void rendersEveryStatusUnreachableHostAndEscapedTextAsTheGoldenFileShows() throws IOException {
        Golden.assertMatches("report.json", reporter.render(SampleRuns.everything()));
    }

    @Test
    void everyRenderingIsValidAgainstThePublishedSchemaAndWritesNoUndeclaredKey()
            throws IOException {
        JsonNode schema = JSON.readTree(SCHEMA.toFile());
        for (RunReport run :
                List.of(
                        SampleRuns.everything(),
                        SampleRuns.passing(),
                        SampleRuns.warningOnly(),
                        SampleRuns.failing(),
                        SampleRuns.interrupted(),
                        SampleRuns.failing()
                                .withShard(new Shard(1, 4, List.of("web1", "web2", "db1"))))) {
            JsonNode doc = JSON.readTree(reporter.render(run));
            assertEquals(List.of(), SchemaSubset.problems(schema, doc, true));
        }
    }

    @Test
    void schemaCheckRejectsAMissingKeyAWrongTypeAndAnUnknownStatus() throws IOException {
        JsonNode schema = JSON.readTree(SCHEMA.toFile());
        ObjectNode doc = (ObjectNode) JSON.readTree(reporter.render(SampleRuns.everything()));
        doc.remove("run_id");
        doc.put("elapsed_ms", "4321");
        ((ObjectNode) doc.get("hosts").get(0).get("checks").get(0)).put("status", "ok");

        assertEquals(
                List.of(
                        ": missing required key \"run_id\"",
                        "/elapsed_ms: expected integer, found \"4321\"",
                        "/hosts/0/checks/0/status: \"ok\" is not one of"
                                + " [\"pass\",\"fixed\",\"skip\",\"warn\",\"fail\",\"error\"]"),
                SchemaSubset.problems(schema, doc, true));
    }

    @Test
    void exitCodeIsTheRunsOwnForPassingFailingWarningAndInterruptedRuns() throws IOException {
        for (RunReport run :
                List.of(
                        SampleRuns.passing(),
                        SampleRuns.warningOnly(),
                        SampleRuns.failing(),
                        SampleRuns.interrupted())) {
            JsonNode doc = JSON.readTree(reporter.render(run));
            assertEquals(run.exitCode(), doc.get("exit_code").asInt());
        }
        assertEquals(0, SampleRuns.passing().exitCode());
        assertEquals(0, SampleRuns.warningOnly().exitCode());
        assertEquals(1, SampleRuns.failing().exitCode());
        assertEquals(130, SampleRuns.interrupted().exitCode());
    }

    @Test
    void absentOptionalsAreLeftOutNeverNull() throws IOException {
        String text = reporter.render(SampleRuns.everything());
        assertFalse(text.contains("null"), text);
        JsonNode unreachable = JSON.readTree(text).get("hosts").get(1);
        assertFalse(unreachable.has("host_key"));
        assertEquals(
                "connection refused (203.0.113.11:22)", unreachable.get("unreachable").asText());
        assertEquals("error", unreachable.get("status").asText());
    }

    @Test
    void summaryCountsAddUpToTheChecks() throws IOException {
        JsonNode s = JSON.readTree(reporter.render(SampleRuns.everything())).get("summary");
        long byStatus = 0;
        for (String status : List.of("pass", "warn", "fail", "error", "skip"))
            byStatus += s.get(status).asLong();
        assertEquals(s.get("checks").asLong(), byStatus);
        assertEquals(8, byStatus);
        assertEquals(2, s.get("hosts_failed").asInt());
        assertEquals(1, s.get("hosts_unreachable").asInt());
        assertTrue(s.get("hosts").asInt() >= s.get("hosts_failed").asInt());
    }
}
