package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A command's judgement is a pure function of what it did. */
class CommandCheckTest {
    private static final Now NOW = Now.at(Instant.parse("2026-12-06T12:00:00Z"));

    private static CommandCheck check(String run, boolean become) {
        return new CommandCheck(
                run,
                0,
                Optional.of("ok"),
                Optional.of(Pattern.compile("^ok")),
                Optional.empty(),
                Duration.ofSeconds(10),
                become);
    }

    @Test
    void passesWithTheCommandsLastLineAndExitStatus() {
        Verdict v = check("echo ok", false).judge(new CommandCheck.Ran(0, "ok\n", ""), NOW);
        assertEquals(Verdict.pass("ok (exit 0)"), v);
    }

    @Test
    void failsNamingEveryExpectationMissedWithTheOutputAsDetails() {
        Verdict v =
                check("systemctl is-active nginx", false)
                        .judge(new CommandCheck.Ran(3, "inactive\n", "oops"), NOW);
        assertEquals(Status.FAIL, v.status());
        assertEquals(
                "systemctl is-active nginx: exit status 3, expected 0; stdout does not contain"
                        + " 'ok'; stdout does not match /^ok/",
                v.reason());
        assertEquals(List.of("stdout: inactive", "stderr: oops"), v.details());
    }

    @Test
    void aSudoThatWantsAPasswordIsAnErrorNotAFailure() {
        Verdict v =
                check("id", true)
                        .judge(new CommandCheck.Ran(1, "", "sudo: a password is required"), NOW);
        assertEquals(Status.ERROR, v.status());
    }

    @Test
    void aCommandTheHostDoesNotHaveIsAnErrorNamingIt() {
        Verdict v =
                Observed.judge(
                        check("nosuch --flag", false),
                        Observation.ofHost(
                                new ProbeOutput(
                                        127,
                                        new byte[0],
                                        "sh: nosuch: not found".getBytes(),
                                        false)),
                        NOW);
        assertEquals(Verdict.error("nosuch --flag: sh: nosuch: not found"), v);
    }
}
