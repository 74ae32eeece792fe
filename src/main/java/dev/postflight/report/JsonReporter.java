package dev.postflight.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.postflight.check.Status;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.run.UnreachableKind;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The run as a versioned JSON document ({@value #SCHEMA}), for archives and dashboards. The shape
 * is the public contract written down in {@code docs/report-schema-v1.json} and {@code
 * docs/json-report.md}: keys come in a fixed order, an absent optional is left out rather than
 * written as {@code null}, and a change that would break a reader bumps the version.
 */
final class JsonReporter implements Reporter {

    static final String SCHEMA = "postflight.run/v1";

    private static final JsonFactory FACTORY = new JsonFactory();

    /** Two-space indent, {@code "key": value}, one array element per line, {@code \n} always. */
    private static final DefaultPrettyPrinter PRETTY =
            new DefaultPrettyPrinter(
                            Separators.createDefaultInstance()
                                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                                    .withArrayEmptySeparator("")
                                    .withObjectEmptySeparator(""))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    @Override
    public String render(RunReport report) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter(PRETTY));
            writeRun(g, report);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to a string", e);
        }
        return out + "\n";
    }

    private static void writeRun(JsonGenerator g, RunReport r) throws IOException {
        g.writeStartObject();
        g.writeStringField("schema", SCHEMA);
        g.writeStringField("run_id", r.runId());
        g.writeStringField("version", r.version());
        g.writeStringField(
                "started",
                DateTimeFormatter.ISO_INSTANT.format(r.started().truncatedTo(ChronoUnit.MILLIS)));
        g.writeNumberField("elapsed_ms", r.elapsed().toMillis());
        g.writeObjectFieldStart("checklist");
        g.writeStringField("name", r.checklist());
        g.writeArrayFieldStart("files");
        for (Path f : r.files()) g.writeString(f.toString());
        g.writeEndArray();
        g.writeStringField("sha256", r.checklistSha256());
        g.writeEndObject();
        g.writeNumberField("exit_code", r.exitCode());
        g.writeBooleanField("interrupted", r.interrupted());
        writeSummary(g, r);
        g.writeArrayFieldStart("hosts");
        for (HostResult h : r.hosts()) writeHost(g, h);
        g.writeEndArray();
        if (r.shard().isPresent()) {
            g.writeObjectFieldStart("shard");
            g.writeNumberField("index", r.shard().get().index());
            g.writeNumberField("count", r.shard().get().count());
            g.writeArrayFieldStart("selected");
            for (String name : r.shard().get().selected()) g.writeString(name);
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeSummary(JsonGenerator g, RunReport r) throws IOException {
        List<HostResult> hosts = r.hosts();
        g.writeObjectFieldStart("summary");
        g.writeNumberField("hosts", hosts.size());
        g.writeNumberField("checks", r.checkCount());
        for (Status s :
                List.of(
                        Status.PASS,
                        Status.FIXED,
                        Status.WARN,
                        Status.FAIL,
                        Status.ERROR,
                        Status.SKIP)) g.writeNumberField(s.word(), r.count(s));
        g.writeNumberField("hosts_failed", hosts.stream().filter(HostResult::failsRun).count());
        g.writeNumberField(
                "hosts_unreachable",
                hosts.stream().filter(h -> h.unreachable().isPresent()).count());
        g.writeNumberField(
                "fixes_failed",
                hosts.stream()
                        .flatMap(h -> h.fixes().stream())
                        .filter(FixResult::failsRun)
                        .count());
        g.writeEndObject();
    }

    private static void writeHost(JsonGenerator g, HostResult h) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", h.host());
        g.writeStringField("via", h.via());
        writeOptional(g, "host_key", h.hostKey());
        writeOptional(g, "unreachable", h.unreachable());
        Optional<UnreachableKind> kind =
                h.unreachableKind().filter(k -> k != UnreachableKind.UNKNOWN);
        if (kind.isPresent()) g.writeStringField("unreachable_kind", kind.get().word());
        g.writeNumberField("elapsed_ms", h.elapsed().toMillis());
        g.writeNumberField("execs", h.execs());
        g.writeStringField("status", h.worst().word());
        g.writeArrayFieldStart("checks");
        for (CheckResult c : h.checks()) writeCheck(g, c);
        g.writeEndArray();
        g.writeArrayFieldStart("fixes");
        for (FixResult f : h.fixes()) writeFix(g, f);
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeFix(JsonGenerator g, FixResult f) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", f.fix());
        g.writeArrayFieldStart("checks");
        for (String c : f.checks()) g.writeString(c);
        g.writeEndArray();
        g.writeStringField("outcome", f.outcome().word());
        g.writeStringField("summary", f.summary());
        g.writeArrayFieldStart("details");
        for (String d : f.details()) g.writeString(d);
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeCheck(JsonGenerator g, CheckResult c) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("type", c.type());
        g.writeStringField("severity", c.severity().word());
        g.writeStringField("status", c.status().word());
        g.writeStringField("reason", c.verdict().reason());
        g.writeArrayFieldStart("details");
        for (String d : c.verdict().details()) g.writeString(d);
        g.writeEndArray();
        writeOptional(g, "fix", c.fix());
        g.writeEndObject();
    }

    private static void writeOptional(JsonGenerator g, String key, Optional<String> value)
            throws IOException {
        if (value.isPresent()) g.writeStringField(key, value.get());
    }
}
