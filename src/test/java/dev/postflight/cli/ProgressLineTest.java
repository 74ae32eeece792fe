package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postflight.check.Severity;
import dev.postflight.check.Verdict;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private static HostResult failed(String name) {
        return new HostResult(
                name,
                "ssh ops@" + name + ":22",
                Optional.empty(),
                Optional.empty(),
                List.of(
                        new CheckResult(
                                "site",
                                "http",
                                Severity.CRITICAL,
                                Verdict.fail("503"),
                                Optional.empty())),
                Duration.ofMillis(10),
                1);
    }

    @Test
    void hostsVerifiedAgainAfterAFixNeitherCountTwiceNorPrintAfterTheLineIsCleared() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ProgressLine line = new ProgressLine(1, err, 0);

        line.hostFinished(failed("web1"));
        line.clear();
        line.hostFinished(failed("web1")); // --fix verifies web1 again

        assertEquals(
                "\r\u001b[K1/1 hosts done, 1 with problems\r\u001b[K",
                bytes.toString(StandardCharsets.UTF_8));
    }
}
