package dev.postflight.run;

import dev.postflight.inventory.Host;

/**
 * Verification events, with no-op defaults (after OkHttp's EventListener): the progress line and
 * tests listen to them (the fix phase has its own, {@code remedy.FixListener}, which the audit log
 * listens to). Called from the hosts' virtual threads.
 */
public interface RunListener {
    RunListener NONE = new RunListener() {};

    default void hostStarted(Host host) {}

    default void hostConnected(Host host, String via) {}

    default void hostUnreachable(Host host, String cause) {}

    default void batchSent(Host host, int probes) {}

    default void hostFinished(HostResult result) {}
}
