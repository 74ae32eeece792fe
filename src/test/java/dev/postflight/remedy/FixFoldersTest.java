package dev.postflight.remedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.inventory.Host;
import dev.postflight.testing.SshTestServer;
import dev.postflight.transport.ExecResult;
import dev.postflight.transport.HostConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: the folders of fixes whose runner went away before reading their outcome (a dropped
 * connection, a killed runner) do not pile up on a host: a fix's launch keeps the newest {@value
 * FixScript#KEPT_FOLDERS} of that fix and removes older ones, never one whose worker still runs.
 */
class FixFoldersTest {
    @TempDir Path dir;
    SshTestServer server;
    HostConnection connection;
    Path state;

    @BeforeEach
    void start() throws Exception {
        server = SshTestServer.start(dir);
        connection =
                server.connector("web1", server.writeKnownHosts(dir.resolve("known_hosts")))
                        .connect(Host.at("web1", server.host()), Instant.now().plusSeconds(30));
        state = dir.resolve("home/.local/state/postflight");
    }

    @AfterEach
    void stop() throws Exception {
        if (connection != null) connection.close();
        if (server != null) server.close();
    }

    /** Launches {@code fix} as a runner that then goes away: nobody reads or removes its folder. */
    private Path launchAndLeave(String fix, String command) throws Exception {
        String runId = UUID.randomUUID().toString();
        String script =
                FixScript.launch(
                        runId,
                        fix,
                        List.of(StepCommand.of(new Step.Run(command, Optional.empty()), MINUTE)),
                        List.of(),
                        false,
                        Duration.ofSeconds(30));
        ExecResult r =
                connection.exec(
                        FixExecution.SHELL,
                        script.getBytes(StandardCharsets.UTF_8),
                        Duration.ofSeconds(30));
        String out = new String(r.stdout(), StandardCharsets.UTF_8);
        assertTrue(out.contains("started "), out + new String(r.stderr(), StandardCharsets.UTF_8));
        return state.resolve("fix-" + runId + "-" + fix);
    }

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private static void awaitDone(Path folder) throws Exception {
        Instant until = Instant.now().plusSeconds(20);
        Path s = folder.resolve("state");
        while (!(Files.exists(s) && Files.readString(s).contains("done "))) {
            assertTrue(Instant.now().isBefore(until), "fix in " + folder + " did not finish");
            Thread.sleep(50);
        }
        // folders are ordered by modification time: one run a little after the other
        Thread.sleep(20);
    }

    private List<String> folders() throws Exception {
        try (Stream<Path> s = Files.list(state)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("fix-"))
                    .sorted()
                    .toList();
        }
    }

    private static List<String> names(List<Path> folders) {
        return folders.stream().map(p -> p.getFileName().toString()).sorted().toList();
    }

    @Test
    void afterEightLeftBehindRunsOnlyTheNewestFiveOfThatFixRemain() throws Exception {
        Path other = launchAndLeave("rotate-logs", "true");
        awaitDone(other);
        List<Path> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Path f = launchAndLeave("resync-clock", "true");
            awaitDone(f);
            runs.add(f);
        }
        List<Path> expected = new ArrayList<>(runs.subList(3, 8));
        expected.add(other);
        assertEquals(names(expected), folders());
    }

    @Test
    void aFolderWhoseWorkerStillRunsIsNeverRemoved() throws Exception {
        Path running = launchAndLeave("resync-clock", "sleep 25");
        Path pid = running.resolve("pid");
        Instant until = Instant.now().plusSeconds(10);
        while (!Files.exists(pid)) {
            assertTrue(Instant.now().isBefore(until), "the worker did not start");
            Thread.sleep(50);
        }
        try {
            // the lock broken, as --break-lock does, so later runs launch while it runs
            connection.exec(
                    FixExecution.SHELL,
                    ("rm -rf " + state.resolve("lock")).getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(10));
            List<Path> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Path f = launchAndLeave("resync-clock", "true");
                awaitDone(f);
                runs.add(f);
            }
            List<Path> expected = new ArrayList<>(runs.subList(3, 8));
            expected.add(running);
            assertEquals(names(expected), folders());
            assertTrue(
                    !Files.readString(running.resolve("state")).contains("done"),
                    "the oldest fix still runs");
        } finally {
            connection.exec(
                    FixExecution.SHELL,
                    FixScript.cancel(running.toString(), false).getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(10));
        }
    }
}
