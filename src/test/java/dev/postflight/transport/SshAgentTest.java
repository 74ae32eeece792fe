package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which agent socket a host's keys come from: its IdentityAgent, else SSH_AUTH_SOCK. */
class SshAgentTest {
    @TempDir Path dir;

    @Test
    void withoutIdentityAgentTheEnvironmentsSocketIsUsed() throws Exception {
        Path socket = Files.createFile(dir.resolve("agent.sock"));
        assertEquals(
                Optional.of(socket),
                SshAgent.socket(Optional.empty(), Map.of("SSH_AUTH_SOCK", socket.toString())));
        assertEquals(Optional.empty(), SshAgent.socket(Optional.empty(), Map.of()));
    }

    @Test
    void identityAgentNamesASocketTurnsTheAgentOffOrDefersToTheEnvironment() throws Exception {
        Path socket = Files.createFile(dir.resolve("agent.sock"));
        Path other = Files.createFile(dir.resolve("other.sock"));
        Map<String, String> env = Map.of("SSH_AUTH_SOCK", socket.toString());
        assertEquals(Optional.of(other), SshAgent.socket(Optional.of(other.toString()), env));
        assertEquals(Optional.empty(), SshAgent.socket(Optional.of("none"), env));
        assertEquals(Optional.of(socket), SshAgent.socket(Optional.of("SSH_AUTH_SOCK"), env));
        assertEquals(Optional.of(socket), SshAgent.socket(Optional.of("$SSH_AUTH_SOCK"), env));
    }

    @Test
    void aSocketThatIsNotThereIsNoAgent() {
        assertEquals(
                Optional.empty(),
                SshAgent.socket(
                        Optional.empty(),
                        Map.of("SSH_AUTH_SOCK", dir.resolve("gone.sock").toString())));
    }
}
