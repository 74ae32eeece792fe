package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.Severity;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.FixResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Text a host (or a check file or an inventory) chose never becomes markup in the HTML report.
 * Generates texts from {@code <}, {@code &}, quotes, {@code </script>}, comment and CDATA openers,
 * event handlers, remote addresses, control and bidirectional characters and random Unicode, puts
 * them in every text field of a run (host names, via, host keys, unreachable causes, check ids,
 * types, reasons, details, fix names, summaries and details, checklist, run id, version, runner,
 * window names), and parses the page as a browser does (jsoup's HTML5 parser).
 */
class HtmlEscapingPropertyTest {

    private static final int TEXTS = 20;

    /** Every element the report creates; anything else came from a host. */
    private static final Set<String> REPORT_TAGS =
            Set.of(
                    "#root",
                    "html",
                    "head",
                    "meta",
                    "title",
                    "style",
                    "script",
                    "body",
                    "header",
                    "h1",
                    "h2",
                    "h3",
                    "h4",
                    "span",
                    "dl",
                    "dt",
                    "dd",
                    "code",
                    "time",
                    "ul",
                    "ol",
                    "li",
                    "b",
                    "main",
                    "section",
                    "a",
                    "button",
                    "div",
                    "fieldset",
                    "legend",
                    "label",
                    "input",
                    "p",
                    "table",
                    "thead",
                    "tbody",
                    "tr",
                    "th",
                    "td",
                    "details",
                    "summary",
                    "small",
                    "br",
                    "footer");

    @Provide
    Arbitrary<List<String>> hostileTexts() {
        return hostile(false).list().ofSize(TEXTS);
    }

    @Provide
    Arbitrary<List<String>> hostileTextsWithSpaces() {
        return hostile(true).list().ofSize(TEXTS);
    }

    /**
     * Texts made of markup fragments, printable ASCII and random Unicode; {@code spaces} adds line
     * breaks, tabs and spaces (which change how a reason is split into lines).
     */
    private static Arbitrary<String> hostile(boolean spaces) {
        Arbitrary<String> fragments =
                Arbitraries.of(
                        "</script>",
                        "<script>document.title='pwned'</script>",
                        "<img/src=x/onerror=alert(1)>",
                        "<svg/onload=alert(1)>",
                        "<a/href=https://evil.example/x>",
                        "https://evil.example/x.js",
                        "http://203.0.113.9/",
                        "javascript:alert(1)",
                        "&amp;",
                        "&lt;",
                        "&#x3C;",
                        "&",
                        "<",
                        ">",
                        "\"",
                        "'",
                        "`",
                        "=",
                        "<!--",
                        "-->",
                        "<![CDATA[",
                        "]]>",
                        "</textarea>",
                        "</title>",
                        "</style>",
                        "<style>",
                        "</td></tr></table>",
                        "\u202e",
                        "\u0000",
                        "\u001b[31m",
                        "\u0085");
        Arbitrary<String> ascii = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(6);
        Arbitrary<String> unicode = Arbitraries.strings().all().ofMaxLength(4);
        Arbitrary<String> space = Arbitraries.of(" ", "\n", "\r\n", "\t", " x \n y");
        Arbitrary<String> part =
                spaces
                        ? Arbitraries.oneOf(fragments, ascii, unicode, space)
                        : Arbitraries.oneOf(fragments, ascii, unicode.map(s -> noSpace(s)));
        return part.list().ofMaxSize(8).map(l -> String.join("", l));
    }

    private static String noSpace(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints()
                .filter(cp -> !Character.isWhitespace(cp) && cp != '\n' && cp != '\r')
                .forEach(b::appendCodePoint);
        return b.toString();
    }

    /**
     * The page of a run whose every text is hostile has exactly the elements and attributes of the
     * page of the same run with harmless texts (each character spelled out as {@code x3cy}), in the
     * same order: nothing a host wrote became an element, an attribute or a script.
     */
    @Property(tries = 200)
    void hostileTextAddsNoElementOrAttributeToThePage(@ForAll("hostileTexts") List<String> texts) {
        Document hostile = Jsoup.parse(render(texts));
        Document harmless = Jsoup.parse(render(texts.stream().map(t -> spelled(t)).toList()));
        assertEquals(skeleton(harmless), skeleton(hostile));
        assertEquals(2, hostile.select("script").size());
        String name = HtmlReporter.visible(texts.get(0));
        assertTrue(
                hostile.select("section.host h3").stream()
                        .anyMatch(h3 -> h3.ownText().strip().equals(name)),
                "the host name reads as it was given");
        Element row =
                hostile.select("#heatmap tbody tr[data-status=fail]").stream()
                        .filter(tr -> tr.attr("data-host").equals(name))
                        .findFirst()
                        .orElseThrow();
        assertTrue(
                row.select("td")
                        .eachAttr("title")
                        .contains(
                                name
                                        + " · "
                                        + HtmlReporter.visible(texts.get(3))
                                        + ": FAIL — "
                                        + HtmlReporter.visible(shortened(texts.get(5)))),
                row.outerHtml());
    }

    /** With line breaks and spaces too, every element is one the report makes. */
    @Property(tries = 200)
    void withLineBreaksAndSpacesEveryElementIsOneTheReportMakes(
            @ForAll("hostileTextsWithSpaces") List<String> texts) {
        Document doc = Jsoup.parse(render(texts));
        for (Element e : doc.getAllElements()) {
            assertTrue(REPORT_TAGS.contains(e.tagName()), e.tagName() + ": " + e.outerHtml());
            for (Attribute a : e.attributes())
                assertTrue(!a.getKey().startsWith("on") && !a.getKey().equals("src"), a.html());
            if (e.hasAttr("href")) assertTrue(e.attr("href").matches("#h-[0-9]+"), e.outerHtml());
        }
        assertEquals(2, doc.select("script").size());
    }

    private static String shortened(String s) {
        return s.codePointCount(0, s.length()) <= 300
                ? s
                : s.substring(0, s.offsetByCodePoints(0, 300)) + "…";
    }

    /** Each UTF-16 unit as x{hex}y: no markup, and equal, empty and suffix texts stay so. */
    private static String spelled(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append('x').append(Integer.toHexString(c)).append('y');
        return b.toString();
    }

    /** Each element in document order: its tag and its attributes (values of structural ones). */
    private static List<String> skeleton(Document doc) {
        List<String> out = new ArrayList<>();
        for (Element e : doc.getAllElements()) {
            TreeMap<String, String> attrs = new TreeMap<>();
            for (Attribute a : e.attributes()) {
                boolean structural =
                        Set.of(
                                        "class",
                                        "id",
                                        "href",
                                        "type",
                                        "name",
                                        "value",
                                        "data-status",
                                        "data-outcome",
                                        "data-index",
                                        "hidden",
                                        "lang")
                                .contains(a.getKey());
                attrs.put(a.getKey(), structural ? a.getValue() : "");
            }
            out.add(e.tagName() + attrs);
        }
        return out;
    }

    /** A run of three hosts and a window whose every text is one of {@code t}. */
    private static String render(List<String> t) {
        UnaryOperator<String> unreachable = u -> "host unreachable: " + u;
        HostResult failing =
                new HostResult(
                        t.get(0),
                        t.get(1),
                        Optional.of(t.get(2)),
                        Optional.empty(),
                        List.of(
                                new CheckResult(
                                        t.get(3),
                                        t.get(4),
                                        Severity.CRITICAL,
                                        Verdict.fail(t.get(5))
                                                .withDetails(List.of(t.get(6), t.get(7))),
                                        Optional.of(t.get(8))),
                                new CheckResult(
                                        t.get(9),
                                        t.get(4),
                                        Severity.WARNING,
                                        Verdict.warn(t.get(10)),
                                        Optional.empty())),
                        Duration.ofMillis(1834),
                        1,
                        List.of(
                                new FixResult(
                                        t.get(8),
                                        List.of(t.get(3)),
                                        FixResult.Outcome.FAILED,
                                        t.get(11),
                                        List.of(t.get(12)))));
        HostResult down =
                new HostResult(
                        t.get(13),
                        "",
                        Optional.empty(),
                        Optional.of(t.get(14)),
                        List.of(
                                new CheckResult(
                                        t.get(3),
                                        t.get(4),
                                        Severity.CRITICAL,
                                        Verdict.error(unreachable.apply(t.get(14))),
                                        Optional.empty())),
                        Duration.ZERO,
                        0);
        HostResult passing =
                new HostResult(
                        t.get(15),
                        t.get(1),
                        Optional.empty(),
                        Optional.empty(),
                        List.of(
                                new CheckResult(
                                        t.get(9),
                                        t.get(4),
                                        Severity.CRITICAL,
                                        Verdict.pass(t.get(16)),
                                        Optional.empty())),
                        Duration.ofMillis(20),
                        1);
        RunReport run =
                new RunReport(
                        t.get(17),
                        t.get(18),
                        Instant.parse("2026-11-23T18:04:15Z"),
                        Duration.ofSeconds(2),
                        t.get(19),
                        List.of(Path.of("checks/web.yaml")),
                        t.get(2),
                        List.of(failing, down, passing),
                        false);
        RunContext context =
                new RunContext(
                        Optional.of(t.get(16)),
                        Optional.of(Instant.parse("2026-11-23T17:00:00Z")),
                        List.of(
                                new RunContext.Window(
                                        Optional.of(t.get(10)),
                                        Instant.parse("2026-11-23T17:00:00Z"),
                                        Instant.parse("2026-11-23T18:00:00Z"),
                                        List.of(t.get(0), t.get(13)))));
        return Reporter.forFormat("html", false, context).render(run);
    }
}
