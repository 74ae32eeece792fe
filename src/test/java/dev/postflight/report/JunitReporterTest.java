package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.postflight.run.RunReport;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

class JunitReporterTest {

    private final Reporter reporter = Reporter.forFormat("junit", false);

    @Test
    void rendersEveryStatusUnreachableHostAndEscapedTextAsTheGoldenFileShows() throws IOException {
        Golden.assertMatches("report.junit.xml", reporter.render(SampleRuns.everything()));
    }

    @Test
    void everyRenderingIsValidAgainstTheJunitSchemaCiServersRead() throws Exception {
        Schema schema = junitSchema();
        for (RunReport run :
                List.of(
                        SampleRuns.everything(),
                        SampleRuns.passing(),
                        SampleRuns.warningOnly(),
                        SampleRuns.failing(),
                        SampleRuns.interrupted())) {
            String xml = reporter.render(run);
            try {
                schema.newValidator().validate(new StreamSource(new StringReader(xml)));
            } catch (SAXException e) {
                throw new AssertionError("invalid JUnit XML: " + e.getMessage() + "\n" + xml, e);
            }
        }
    }

    @Test
    void schemaRejectsWhatCiParsersWouldMisreadSoItsApprovalMeansSomething() throws Exception {
        Schema schema = junitSchema();
        String outOfOrder =
                "<testsuites><testsuite name=\"h\" tests=\"1\"><testcase name=\"h/c\">"
                        + "<system-out>x</system-out><failure message=\"m\"/>"
                        + "</testcase></testsuite></testsuites>";
        assertThrows(
                SAXException.class,
                () ->
                        schema.newValidator()
                                .validate(new StreamSource(new StringReader(outOfOrder))));
    }

    @Test
    void controlCharactersXmlForbidsAreWrittenAsEscapesAndTheRestRoundTrips() throws Exception {
        Document doc = parse(reporter.render(SampleRuns.everything()));
        Element motd = testcase(doc, "web1/motd");
        Element failure = (Element) motd.getElementsByTagName("failure").item(0);

        assertEquals("stdout lacks \"<ready> & 'ok'\"", failure.getAttribute("message"));
        assertEquals(
                "stdout: \\u0001\\u0001boot\\u0001\n時刻: 2026-11-24 03:04 JST",
                failure.getTextContent());
    }

    @Test
    void countsOnSuitesMatchTheirTestcases() throws Exception {
        Document doc = parse(reporter.render(SampleRuns.everything()));
        Element all = doc.getDocumentElement();
        // 8 checks and 2 fixes: the failed fix is a failure, the one not run is skipped.
        assertEquals("10", all.getAttribute("tests"));
        assertEquals("3", all.getAttribute("failures"));
        assertEquals("3", all.getAttribute("errors"));
        assertEquals("2", all.getAttribute("skipped"));
        Element web2 = (Element) doc.getElementsByTagName("testsuite").item(1);
        assertEquals("2", web2.getAttribute("errors"));
        assertEquals(
                "unreachable: connection refused (203.0.113.11:22)",
                web2.getElementsByTagName("system-err").item(0).getTextContent());
    }

    private Schema junitSchema() throws SAXException {
        return SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(getClass().getResource("/junit.xsd"));
    }

    private static Element testcase(Document doc, String name) {
        var cases = doc.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element e = (Element) cases.item(i);
            if (e.getAttribute("name").equals(name)) return e;
        }
        throw new AssertionError("no testcase " + name);
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new InputSource(new StringReader(xml)));
    }
}
