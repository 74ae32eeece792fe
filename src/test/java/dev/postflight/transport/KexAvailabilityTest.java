package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.JSch;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KexAvailabilityTest {
    @Test
    void jschsDefaultsAreSortedOutOnceAndNothingIsLeftForEachSessionToCheck() {
        KexAvailability.Settings s =
                KexAvailability.compute(JSch.getConfig("kex"), JSch.getConfig("CheckKexes"));
        List<String> offered = Arrays.asList(s.kex().split(","));
        assertTrue(offered.contains("curve25519-sha256"), s.kex());
        assertTrue(offered.contains("ecdh-sha2-nistp256"), "not checked, so kept: " + s.kex());
        // ML-KEM is in the JDK from 24 on; Bouncy Castle is not on our class path.
        assertEquals(
                Runtime.version().feature() >= 24,
                offered.contains("mlkem768x25519-sha256"),
                s.kex());
        assertEquals("", s.checkKexes());
    }

    @Test
    void anAlgorithmWeDoNotKnowIsOfferedAndLeftToJschsOwnCheck() {
        KexAvailability.Settings s =
                KexAvailability.compute(
                        "made-up-kex,curve25519-sha256", "made-up-kex,curve25519-sha256");
        assertEquals("made-up-kex,curve25519-sha256", s.kex());
        assertEquals("made-up-kex", s.checkKexes());
    }

    @Test
    void theHybridsAreJudgedByTheirParts() {
        assertEquals(Optional.of(true), KexAvailability.works("com.jcraft.jsch.DH25519"));
        // Streamlined NTRU Prime needs Bouncy Castle: not in postflight's jar, but on the test
        // class path (the tests use it to make certificates).
        assertEquals(
                Optional.of(
                        onClassPath(
                                "org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyPairGenerator")),
                KexAvailability.works("com.jcraft.jsch.DH25519SNTRUP761"));
        assertEquals(Optional.empty(), KexAvailability.works("com.example.SomethingNew"));
    }

    private static boolean onClassPath(String name) {
        try {
            Class.forName(name);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
