package dev.postflight.check;

import java.nio.charset.StandardCharsets;

/** A check judged on one recorded output of its host snippet, as the probe batch hands it over. */
final class Recorded {
    private Recorded() {}

    /** {@code check}'s verdict at {@code now} when its snippet exited {@code exit} with these. */
    static <T> Verdict judge(CheckSpec<T> check, int exit, String out, String err, Now now) {
        return Observed.judge(
                check,
                Observation.ofHost(
                        new ProbeOutput(
                                exit,
                                out.getBytes(StandardCharsets.UTF_8),
                                err.getBytes(StandardCharsets.UTF_8),
                                false)),
                now);
    }
}
