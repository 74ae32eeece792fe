package dev.postflight.run;

import static dev.postflight.testing.LocalRun.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.check.Status;
import dev.postflight.testing.LocalRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeBatchTest {
    @TempDir Path dir;

    @Test
    void framesEachProbesExitCodeStdoutAndStderrEvenWithBinaryOutput() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: ok
                            command: { run: "echo hello; echo oops >&2", stdout_contains: hello }
                          - id: binary
                            command: { run: "printf '\\\\000\\\\377\\\\n@@PF fake 0 0 0 0\\\\n'; exit 3", exit_status: 3 }
                          - id: fails
                            command: { run: "exit 4" }
                        """);
        assertEquals(1, r.execs());
        assertEquals(Status.PASS, check(r, "ok").status(), check(r, "ok").verdict().reason());
        assertEquals(
                Status.PASS, check(r, "binary").status(), check(r, "binary").verdict().reason());
        assertEquals(Status.FAIL, check(r, "fails").status());
        assertEquals("exit 4: exit status 4, expected 0", check(r, "fails").verdict().reason());
    }

    @Test
    void aProbeThatLeavesAWriterBehindCannotShiftTheFramesOfTheProbesAfterIt() throws Exception {
        // Writers keep appending lines that read as "the file is absent" while the batch measures
        // and prints the outputs: the file check must still see its own probe's bytes. (Before
        // the fix the file grew between wc and cat and shifted the file check's frame.)
        Path present = Files.writeString(dir.resolve("backdoor"), "x");
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: health
                            command:
                              run: "for w in 1 2 3; do (i=0; while [ $i -lt 200000 ]; do echo exists=false; i=$((i+1)); done) & done; echo ok"
                              stdout_contains: ok
                          - id: no-backdoor
                            file: { path: %s, exists: false }
                        """
                                .formatted(present));
        assertEquals(
                Status.PASS, check(r, "health").status(), check(r, "health").verdict().reason());
        CheckResult file = check(r, "no-backdoor");
        assertEquals(Status.FAIL, file.status(), file.verdict().reason());
    }

    @Test
    void aProbeThatHangsIsAnErrorAfterItsTimeoutAndDoesNotDelayTheOthers() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: hangs
                            command: { run: "sleep 30", timeout: 1s }
                          - id: quick
                            command: { run: "true" }
                        """);
        assertEquals(Status.ERROR, check(r, "hangs").status());
        assertTrue(
                check(r, "hangs").verdict().reason().contains("timed out"),
                check(r, "hangs").verdict().reason());
        assertEquals(Status.PASS, check(r, "quick").status());
        assertTrue(r.elapsed().toSeconds() < 10, "took " + r.elapsed());
    }

    @Test
    void aMissingToolIsAnErrorNeverAPass() throws Exception {
        HostResult r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - id: missing
                            command: { run: "no-such-tool-postflight --version", exit_status: 127 }
                        """);
        assertEquals(Status.ERROR, check(r, "missing").status());
        assertTrue(
                check(r, "missing").verdict().reason().contains("not found"),
                check(r, "missing").verdict().reason());
    }

    @Test
    void aProbeThatIsOneProgramWithPlainWordsRunsAsThatProgramAndAnythingElseAsWritten() {
        assertEquals("exec uname -s", ProbeBatch.asRun("uname -s"));
        assertEquals("exec /usr/bin/id -u", ProbeBatch.asRun("/usr/bin/id -u"));
        assertEquals("exec cat /proc/loadavg", ProbeBatch.asRun("cat /proc/loadavg"));
        for (String asWritten :
                new String[] {
                    "echo ok",
                    "true",
                    "[ -d /tmp ]",
                    "test -d /tmp",
                    "cat $HOME/x",
                    "A=1 env",
                    "ls | wc -l",
                    "ls; ls",
                    "ls >/dev/null",
                    "grep 'a b' f",
                    "ls /tmp/*",
                    "cd /tmp",
                    "exit 3",
                    "kill -0 1",
                    ". ./env.sh",
                    "uname -s\nid"
                }) {
            assertEquals(asWritten, ProbeBatch.asRun(asWritten));
        }
    }

    @Test
    void aProgramRunAsItselfGivesTheSameVerdictsAsBefore() throws Exception {
        var r =
                LocalRun.run(
                        dir,
                        """
                        checks:
                          - { id: uname, command: { run: "uname -s", stdout_contains: Linux } }
                          - { id: fails, command: { run: "false" } }
                          - { id: status, command: { run: "ls /nonexistent/postflight", exit_status: 2 } }
                          - { id: missing, command: { run: "no-such-program-pf -x" } }
                        """);
        assertEquals(Status.PASS, check(r, "uname").status(), check(r, "uname").verdict().reason());
        assertEquals(Status.FAIL, check(r, "fails").status());
        assertEquals(
                Status.PASS, check(r, "status").status(), check(r, "status").verdict().reason());
        assertEquals(Status.ERROR, check(r, "missing").status());
        assertTrue(
                check(r, "missing").verdict().reason().contains("not found"),
                check(r, "missing").verdict().reason());
    }
}
