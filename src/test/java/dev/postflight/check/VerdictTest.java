package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.transport.TlsProber;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reasons are one line in every report; whatever else a message said is kept in the details. */
class VerdictTest {
    @Test
    void aMultiLineReasonKeepsItsFirstLineAndMovesTheRestToTheFrontOfTheDetails() {
        Verdict v =
                new Verdict(
                        Status.FAIL,
                        "git.site.test: TLS: certificate not trusted\n"
                                + "  PKIX path building failed\r\n"
                                + "\n"
                                + "  caused by: unable to find valid certification path\n",
                        List.of("chain: CN=git.site.test"));

        assertEquals("git.site.test: TLS: certificate not trusted", v.reason());
        assertEquals(
                List.of(
                        "PKIX path building failed",
                        "caused by: unable to find valid certification path",
                        "chain: CN=git.site.test"),
                v.details());
    }

    @Test
    void detailsAddedLaterComeAfterWhatTheReasonsOtherLinesSaid() {
        Verdict v =
                Verdict.error("cannot use ca_file: bad PEM\nline 3: not base64")
                        .withDetails(List.of("ca_file: /etc/ssl/site-ca.pem"));

        assertEquals("cannot use ca_file: bad PEM", v.reason());
        assertEquals(List.of("line 3: not base64", "ca_file: /etc/ssl/site-ca.pem"), v.details());
    }

    @Test
    void aOneLineReasonIsLeftAlone() {
        Verdict v = Verdict.error("host unreachable: connection refused (127.0.0.1:22)");

        assertEquals("host unreachable: connection refused (127.0.0.1:22)", v.reason());
        assertEquals(List.of(), v.details());
    }

    @Test
    void aTlsFailureWithAMultiLineExceptionTextIsAOneLineReasonWithTheRestInDetails() {
        TlsCheck spec =
                new TlsCheck(
                        Optional.empty(),
                        443,
                        Optional.empty(),
                        Optional.empty(),
                        21,
                        7,
                        Optional.empty(),
                        false);
        TlsCheck.Probed probed =
                new TlsCheck.Probed(
                        "git.site.test",
                        "127.0.0.1:443",
                        new TlsProber.Outcome.Failure(
                                "TLS handshake failed: Received fatal alert: handshake_failure\n"
                                        + "\tat sun.security.ssl.Alert.createSSLException\n"));

        Verdict v = spec.judge(probed, Now.at(Instant.parse("2026-12-06T12:00:00Z")));

        assertEquals(
                "git.site.test: TLS handshake failed: Received fatal alert: handshake_failure",
                v.reason());
        assertEquals(List.of("at sun.security.ssl.Alert.createSSLException"), v.details());
    }
}
