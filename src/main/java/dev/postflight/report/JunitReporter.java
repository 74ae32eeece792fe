package dev.postflight.report;

import dev.postflight.check.Status;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.io.StringWriter;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The run as JUnit XML, the format Jenkins, GitLab and GitHub test-report parsers read: one {@code
 * <testsuite>} per host, one {@code <testcase>} per check. A warning passes (CI must not go red for
 * it) but says so in {@code <system-out>}; an unreachable host's cause goes to the suite's {@code
 * <system-err>}. Checks are judged from one batched probe per host, so a check has no time of its
 * own: the host's time is on its suite and each testcase says {@code time="0"}.
 */
final class JunitReporter implements Reporter {

    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

    @Override
    public String render(RunReport report) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = FACTORY.createXMLStreamWriter(out);
            new Document(w).write(report);
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write JUnit XML to a string", e);
        }
        return out + "\n";
    }

    /** One rendering; keeps the indentation depth so the file reads well in a browser. */
    private static final class Document {
        private final XMLStreamWriter w;
        private int depth;

        Document(XMLStreamWriter w) {
            this.w = w;
        }

        void write(RunReport r) throws XMLStreamException {
            w.writeStartDocument("UTF-8", "1.0");
            open("testsuites");
            attribute("name", "postflight: " + r.checklist());
            List<FixResult> fixes = r.hosts().stream().flatMap(h -> h.fixes().stream()).toList();
            attribute("tests", r.checkCount() + fixes.size());
            attribute("failures", r.count(Status.FAIL) + count(fixes, FixResult.Outcome.FAILED));
            attribute("errors", r.count(Status.ERROR));
            attribute("skipped", r.count(Status.SKIP) + count(fixes, FixResult.Outcome.NOT_RUN));
            attribute("time", seconds(r.elapsed()));
            String timestamp =
                    DateTimeFormatter.ISO_INSTANT.format(
                            r.started().truncatedTo(ChronoUnit.SECONDS));
            for (HostResult h : r.hosts()) suite(h, timestamp);
            close();
            w.writeEndDocument();
        }

        private void suite(HostResult h, String timestamp) throws XMLStreamException {
            open("testsuite");
            attribute("name", h.host());
            attribute("tests", h.checks().size() + h.fixes().size());
            attribute(
                    "failures", h.count(Status.FAIL) + count(h.fixes(), FixResult.Outcome.FAILED));
            attribute("errors", h.count(Status.ERROR));
            attribute(
                    "skipped", h.count(Status.SKIP) + count(h.fixes(), FixResult.Outcome.NOT_RUN));
            attribute("time", seconds(h.elapsed()));
            attribute("timestamp", timestamp);
            for (CheckResult c : h.checks()) testcase(h, c);
            for (FixResult f : h.fixes()) fixcase(h, f);
            if (h.unreachable().isPresent())
                leaf("system-err", "unreachable: " + h.unreachable().get());
            close();
        }

        private void testcase(HostResult h, CheckResult c) throws XMLStreamException {
            String reason = c.verdict().reason();
            List<String> out = new ArrayList<>();
            if (c.status() == Status.WARN) {
                out.add("warning: " + reason);
                out.addAll(c.verdict().details());
            }
            if (c.fix().isPresent() && c.status().compareTo(Status.WARN) >= 0)
                out.add("fix: " + c.fix().get());
            if (c.status() == Status.PASS && out.isEmpty()) {
                indent();
                w.writeEmptyElement("testcase");
                testcaseAttributes(h, c);
                return;
            }
            open("testcase");
            testcaseAttributes(h, c);
            String details = String.join("\n", c.verdict().details());
            switch (c.status()) {
                case PASS, FIXED, WARN -> {}
                case SKIP -> empty("skipped", reason);
                case FAIL -> outcome("failure", "fail", reason, details);
                case ERROR -> outcome("error", "error", reason, details);
            }
            if (!out.isEmpty()) leaf("system-out", String.join("\n", out));
            close();
        }

        /** A fix is a test case of its own: a failed fix fails the run whatever its checks say. */
        private void fixcase(HostResult h, FixResult f) throws XMLStreamException {
            open("testcase");
            attribute("classname", h.host());
            attribute("name", h.host() + "/fix " + f.fix());
            attribute("time", "0");
            switch (f.outcome()) {
                case SUCCEEDED -> leaf("system-out", f.summary());
                case NOT_RUN -> empty("skipped", f.summary());
                case FAILED ->
                        outcome(
                                "failure",
                                "fix failed",
                                f.summary(),
                                String.join("\n", f.details()));
            }
            close();
        }

        private static long count(List<FixResult> fixes, FixResult.Outcome outcome) {
            return fixes.stream().filter(f -> f.outcome() == outcome).count();
        }

        private void testcaseAttributes(HostResult h, CheckResult c) throws XMLStreamException {
            attribute("classname", h.host());
            attribute("name", h.host() + "/" + c.id());
            attribute("time", "0");
        }

        private void outcome(String element, String type, String message, String text)
                throws XMLStreamException {
            indent();
            if (text.isEmpty()) {
                w.writeEmptyElement(element);
            } else {
                w.writeStartElement(element);
            }
            attribute("message", message);
            attribute("type", type);
            if (text.isEmpty()) return;
            w.writeCharacters(xmlText(text));
            w.writeEndElement();
        }

        private void empty(String element, String message) throws XMLStreamException {
            indent();
            w.writeEmptyElement(element);
            attribute("message", message);
        }

        private void leaf(String element, String text) throws XMLStreamException {
            indent();
            w.writeStartElement(element);
            w.writeCharacters(xmlText(text));
            w.writeEndElement();
        }

        private void open(String element) throws XMLStreamException {
            indent();
            w.writeStartElement(element);
            depth++;
        }

        private void close() throws XMLStreamException {
            depth--;
            indent();
            w.writeEndElement();
        }

        private void indent() throws XMLStreamException {
            w.writeCharacters("\n" + "  ".repeat(depth));
        }

        private void attribute(String name, long value) throws XMLStreamException {
            w.writeAttribute(name, Long.toString(value));
        }

        /** Line breaks in an attribute would be read back as spaces, so write them as spaces. */
        private void attribute(String name, String value) throws XMLStreamException {
            w.writeAttribute(name, xmlText(value).replaceAll("[\r\n\t]+", " "));
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    /**
     * Text XML 1.0 can carry: a character it forbids (most C0 controls, lone surrogates, U+FFFE/F)
     * is written as its {@code \\uXXXX} escape, so the file still parses and the operator still
     * sees which byte the host sent.
     */
    static String xmlText(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints()
                .forEach(cp -> {
                    if (allowedInXml(cp)) b.appendCodePoint(cp);
                    else b.append(String.format(Locale.ROOT, "\\u%04X", cp));
                });
        return b.toString();
    }

    private static boolean allowedInXml(int cp) {
        return cp == 0x9
                || cp == 0xA
                || cp == 0xD
                || (cp >= 0x20 && cp <= 0xD7FF)
                || (cp >= 0xE000 && cp <= 0xFFFD)
                || (cp >= 0x10000 && cp <= 0x10FFFF);
    }
}
