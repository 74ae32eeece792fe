package dev.postflight.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretsRedactionTest {
    static final Secrets SECRETS = Secrets.of(List.of("s3cr'et-pw", "two\nlines"));

    @Test
    void redactsTheRawValue() {
        assertEquals("token <redacted> end", SECRETS.redact("token s3cr'et-pw end"));
    }

    @Test
    void redactsTheShellQuotedFormThatEscapedTheAuditLog() {
        assertEquals(
                "echo '<redacted>'", SECRETS.redact("echo " + Template.shellQuote("s3cr'et-pw")));
    }

    @Test
    void redactsTheAssignmentLineFormAndTheFormQuotedOnceMoreForSudo() {
        String assigned = "pf_v1='" + Template.asAssigned("two\nlines") + "'";
        assertEquals("pf_v1='<redacted>'", SECRETS.redact(assigned));
        String command = "pf_v1='" + Template.asAssigned("s3cr'et-pw") + "'\necho \"${pf_v1}\"";
        assertEquals(
                "sudo -n sh -c 'pf_v1='\\''<redacted>'\\''\necho \"${pf_v1}\"'",
                SECRETS.redact("sudo -n sh -c " + Template.shellQuote(command)));
    }

    @Test
    void aRedactingWriterRedactsEveryPrintedLine() {
        StringWriter text = new StringWriter();
        PrintWriter out = SECRETS.redacting(new PrintWriter(text));
        out.println("step 1: echo s3cr'et-pw");
        out.print("then two\nlines");
        out.flush();
        assertEquals("step 1: echo <redacted>\nthen <redacted>", text.toString());
    }

    @Test
    void noSecretsChangeNothing() {
        assertEquals("a 'b' c", Secrets.NONE.redact("a 'b' c"));
        assertEquals("a 'b' c", Secrets.of(List.of("")).redact("a 'b' c"));
    }
}
