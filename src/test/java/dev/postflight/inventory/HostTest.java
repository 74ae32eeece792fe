package dev.postflight.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Hosts named on the command line as {@code [user@]host[:port]}, IPv6 literals included. */
class HostTest {
    @Test
    void anIpv6AddressInBracketsTakesAUserAndAPort() {
        Host h = Host.parse("ops@[::1]:2222");
        assertEquals("::1", h.name());
        assertEquals(Optional.of("ops"), h.user());
        assertEquals(OptionalInt.of(2222), h.port());
    }

    @Test
    void anIpv6AddressWithoutAPortIsTheWholeAddress() {
        assertEquals("::1", Host.parse("[::1]").name());
        assertEquals(OptionalInt.empty(), Host.parse("[::1]").port());
        assertEquals("fe80::1:22", Host.parse("fe80::1:22").name());
        assertEquals(OptionalInt.empty(), Host.parse("fe80::1:22").port());
    }

    @Test
    void aPortThatIsNotANumberIsRefusedNotLookedUpAsAName() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Host.parse("web1:notaport"));
        assertEquals("'notaport' is not a port (1-65535)", e.getMessage());
        assertEquals(
                "'0' is not a port (1-65535)",
                assertThrows(IllegalArgumentException.class, () -> Host.parse("[::1]:0"))
                        .getMessage());
    }
}
