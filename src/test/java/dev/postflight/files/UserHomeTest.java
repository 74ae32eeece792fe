package dev.postflight.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ~} is {@code $HOME}, as in the shell; Java's {@code user.home} only without it. */
class UserHomeTest {
    @Test
    void homeIsTheHomeVariableEvenWhenItDiffersFromJavasUserHome() {
        assertEquals(Path.of("/srv/ops-home"), UserHome.dir(Map.of("HOME", "/srv/ops-home")));
    }

    @Test
    void withoutHomeOrWithAnEmptyOneJavasUserHomeIsUsed() {
        Path javas = Path.of(System.getProperty("user.home"));
        assertEquals(javas, UserHome.dir(Map.of()));
        assertEquals(javas, UserHome.dir(Map.of("HOME", "")));
    }

    @Test
    void aTildePathIsUnderHomeAndOtherPathsStayAsWritten() {
        assertEquals(
                UserHome.dir().resolve(".ssh/id_ed25519"), UserHome.expand("~/.ssh/id_ed25519"));
        assertEquals(UserHome.dir(), UserHome.expand("~"));
        assertEquals(Path.of("~other/key"), UserHome.expand("~other/key"));
        assertEquals(Path.of("/etc/key"), UserHome.expand("/etc/key"));
    }
}
