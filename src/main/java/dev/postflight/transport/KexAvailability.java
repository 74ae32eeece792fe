package dev.postflight.transport;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KEM;
import com.jcraft.jsch.XDH;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which of JSch's key exchanges this JVM can do, found once per run.
 *
 * <p>JSch finds out on every connect: for each algorithm named in its {@code CheckKexes} setting
 * (ML-KEM and Curve25519 hybrids, Curve25519, Curve448) it builds the key exchange and generates
 * its key pairs, then throws them away — three key pairs per host with the default settings, about
 * a tenth of postflight's CPU on a 50-host run. The answer depends only on the JVM (ML-KEM needs
 * JDK 24+, or Bouncy Castle, which we do not ship), so it is computed here once, with the same
 * implementation classes JSch would use, and each session gets the filtered list with its own check
 * switched off. An algorithm whose implementation this class does not recognise stays in JSch's
 * per-session check.
 */
final class KexAvailability {
    /** The session settings: the key exchanges to offer, and the ones JSch must still check. */
    record Settings(String kex, String checkKexes) {}

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile Settings settings;

    private KexAvailability() {}

    /**
     * The settings, computed by the first caller while the others wait (a lock, not {@code
     * synchronized}, so waiting virtual threads do not pin their carriers on JDK 21).
     */
    static Settings settings() {
        Settings s = settings;
        if (s != null) return s;
        LOCK.lock();
        try {
            if (settings == null) {
                settings = compute(JSch.getConfig("kex"), JSch.getConfig("CheckKexes"));
            }
            return settings;
        } finally {
            LOCK.unlock();
        }
    }

    static Settings compute(String kex, String checkKexes) {
        List<String> toCheck =
                checkKexes == null || checkKexes.isBlank()
                        ? List.of()
                        : Arrays.asList(checkKexes.split(","));
        List<String> offered = new ArrayList<>();
        List<String> stillChecked = new ArrayList<>();
        for (String k : kex.split(",")) {
            if (!toCheck.contains(k)) {
                offered.add(k);
                continue;
            }
            Optional<Boolean> works = works(JSch.getConfig(k));
            if (works.isEmpty()) {
                offered.add(k);
                stillChecked.add(k);
            } else if (works.get()) {
                offered.add(k);
            }
        }
        // Never offer nothing: JSch then says "There are not any available kexes" itself.
        String list = offered.isEmpty() ? kex : String.join(",", offered);
        return new Settings(list, String.join(",", stillChecked));
    }

    /**
     * Whether the key exchange implemented by {@code className} works here, trying the parts it is
     * made of the way JSch's own check does; empty when the class is not one we know.
     */
    static Optional<Boolean> works(String className) {
        if (className == null) return Optional.empty();
        String c = className.substring(className.lastIndexOf('.') + 1);
        boolean known = false;
        boolean ok = true;
        if (c.contains("MLKEM768")) {
            known = true;
            ok &= kem("mlkem768");
        } else if (c.contains("MLKEM1024")) {
            known = true;
            ok &= kem("mlkem1024");
        } else if (c.contains("SNTRUP761")) {
            known = true;
            ok &= kem("sntrup761");
        }
        if (c.startsWith("DHEC")) {
            // An ECDH (NIST curve) hybrid: the curve part is in every JDK; the KEM decides.
            return known ? Optional.of(ok) : Optional.empty();
        }
        if (c.startsWith("DH25519")) {
            known = true;
            ok &= xdh("X25519", 32);
        } else if (c.startsWith("DH448")) {
            known = true;
            ok &= xdh("X448", 56);
        }
        return known ? Optional.of(ok) : Optional.empty();
    }

    private static boolean kem(String name) {
        try {
            KEM kem =
                    Class.forName(JSch.getConfig(name))
                            .asSubclass(KEM.class)
                            .getDeclaredConstructor()
                            .newInstance();
            kem.init();
            return true;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    private static boolean xdh(String curve, int keyLength) {
        try {
            XDH xdh =
                    Class.forName(JSch.getConfig("xdh"))
                            .asSubclass(XDH.class)
                            .getDeclaredConstructor()
                            .newInstance();
            xdh.init(curve, keyLength);
            return true;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }
}
