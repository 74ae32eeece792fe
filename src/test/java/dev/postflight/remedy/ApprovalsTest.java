package dev.postflight.remedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.input.Location;
import java.io.BufferedReader;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who approves a fix and how; and that secrets never reach the audit log. */
class ApprovalsTest {
    @TempDir Path dir;

    private static Plan.PlannedFix fix(Fix.Approval level) {
        Fix f =
                new Fix(
                        "resync-clock",
                        "ntpd stopped",
                        level,
                        false,
                        Duration.ofMinutes(1),
                        List.of(new Step.Run("ntpdate -b ntp", Optional.empty())),
                        List.of(),
                        Duration.ofHours(1),
                        Duration.ZERO,
                        0,
                        Location.of(Path.of("c.yaml")));
        return new Plan.PlannedFix(
                f,
                List.of("clock-offset"),
                List.of(StepCommand.of(f.steps().get(0), f.timeout())),
                List.of());
    }

    @Test
    void aYesOnTheTerminalApprovesAndSaysSo() throws Exception {
        StringWriter asked = new StringWriter();
        Approvals a =
                new Approvals(
                        "ops@runner",
                        false,
                        Set.of(),
                        Optional.of(
                                new Approvals.Terminal(
                                        new PrintWriter(asked),
                                        new BufferedReader(new StringReader("y\n")))));
        Approvals.Approval got = a.decide("web1", fix(Fix.Approval.CONFIRM));
        assertEquals(Approvals.Decision.RUN, got.decision());
        assertEquals("answered yes on the terminal", got.how());
        assertTrue(
                asked.toString()
                        .startsWith(
                                "Run fix resync-clock on web1 (for clock-offset)? — ntpd stopped"),
                asked.toString());
        assertTrue(asked.toString().contains("[y/N]"), asked.toString());
    }

    @Test
    void anyOtherAnswerOrNoAnswerInTimeIsNo() throws Exception {
        Approvals no =
                new Approvals(
                        "ops",
                        false,
                        Set.of(),
                        Optional.of(
                                new Approvals.Terminal(
                                        new PrintWriter(new StringWriter()),
                                        new BufferedReader(new StringReader("\n")))));
        assertEquals(
                Approvals.Decision.DECLINED,
                no.decide("web1", fix(Fix.Approval.CONFIRM)).decision());
        try (PipedWriter never = new PipedWriter();
                PipedReader silent = new PipedReader(never)) {
            Approvals timeout =
                    new Approvals(
                            "ops",
                            false,
                            Set.of(),
                            Optional.of(
                                    new Approvals.Terminal(
                                            new PrintWriter(new StringWriter()),
                                            new BufferedReader(silent))),
                            Duration.ofMillis(200));
            Approvals.Approval got = timeout.decide("web1", fix(Fix.Approval.CONFIRM));
            assertEquals(Approvals.Decision.DECLINED, got.decision());
            assertEquals("no answer on the terminal within 0s", got.how());
        }
    }

    @Test
    void autoRunsNeverIsAManualActionAndFlagsApproveConfirm() throws Exception {
        Approvals flags = new Approvals("ops", false, Set.of("resync-clock"), Optional.empty());
        assertEquals(
                Approvals.Decision.RUN, flags.decide("web1", fix(Fix.Approval.AUTO)).decision());
        assertEquals(
                Approvals.Decision.MANUAL,
                flags.decide("web1", fix(Fix.Approval.NEVER)).decision());
        assertEquals(
                "--approve resync-clock", flags.decide("web1", fix(Fix.Approval.CONFIRM)).how());
        Approvals none = new Approvals("ops", false, Set.of(), Optional.empty());
        assertEquals(
                Approvals.Decision.NEEDS_APPROVAL,
                none.decide("web1", fix(Fix.Approval.CONFIRM)).decision());
    }

    @Test
    void secretValuesNeverReachTheAuditLog() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = new AuditLog(file, "run1", List.of("s3cr3t-token"));
        log.write(
                "about-to-run",
                java.util.Map.of(
                        "command",
                        "curl -H 'Authorization: s3cr3t-token' https://x",
                        "commands",
                        List.of("echo s3cr3t-token")));
        String written = Files.readString(file);
        assertTrue(!written.contains("s3cr3t-token"), written);
        assertTrue(written.contains("Authorization: <redacted>"), written);
        assertTrue(written.contains("\"run_id\":\"run1\""), written);
    }

    @Test
    void aSecretWithAQuoteOrANewlineIsRedactedInACommandsAssignmentLine() throws Exception {
        String secret = "it's\nsecret";
        String command =
                dev.postflight.input.Template.expand(
                        "curl -H \"Authorization: {{ t }}\" https://x",
                        java.util.Map.of("t", Optional.of(secret)),
                        dev.postflight.input.Template.Quoting.SHELL,
                        new dev.postflight.input.Location(Path.of("c.yaml"), 1, 1),
                        new dev.postflight.input.Problems());
        Path file = dir.resolve("audit.jsonl");
        new AuditLog(file, "run1", List.of(secret))
                .write("about-to-run", java.util.Map.of("commands", List.of(command)));
        String written = Files.readString(file);
        assertTrue(!written.contains("secret"), written);
        assertTrue(written.contains("pf_v1='<redacted>'"), written);
    }
}
