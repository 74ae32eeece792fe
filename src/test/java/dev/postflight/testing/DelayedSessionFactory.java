package dev.postflight.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.util.Readable;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.ServerFactoryManager;
import org.apache.sshd.server.session.SessionFactory;

/**
 * A MINA SSHD session factory that puts a WAN's round trip into every simulated host (issue 18's
 * scale test): every event the server's TCP side sees (the accepted connection, each read, the
 * close) reaches the SSH session one round trip after it happened, in order. Every exchange the
 * client waits for (the TCP handshake, the banners, each step of the key exchange and of the
 * authentication, the channel's open and exec) crosses the server's inbound side once, so each
 * costs {@code roundTrip} as on a WAN; the server's replies leave at once (its half of the trip is
 * folded into the inbound delay). No thread sleeps: events wait in a per-connection queue drained
 * by a small scheduler, so thousands of connections wait at once.
 */
final class DelayedSessionFactory extends SessionFactory {

    private final long delayNanos;
    private final ScheduledExecutorService scheduler;
    private final Map<IoSession, Lane> lanes = new ConcurrentHashMap<>();

    DelayedSessionFactory(ServerFactoryManager server, Duration roundTrip) {
        super(server);
        this.delayNanos = roundTrip.toNanos();
        ScheduledThreadPoolExecutor s =
                new ScheduledThreadPoolExecutor(
                        Math.max(2, Runtime.getRuntime().availableProcessors()),
                        r -> {
                            Thread t = new Thread(r, "wan-delay");
                            t.setDaemon(true);
                            return t;
                        });
        s.setRemoveOnCancelPolicy(true);
        this.scheduler = s;
    }

    @FunctionalInterface
    private interface Event {
        void deliver() throws Exception;
    }

    private record Pending(long due, Event event) {}

    /** One connection's events, delivered one at a time in arrival order once they are due. */
    private final class Lane {
        private final IoSession io;
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private boolean scheduled;

        Lane(IoSession io) {
            this.io = io;
        }

        synchronized void add(Event e) {
            queue.add(new Pending(System.nanoTime() + delayNanos, e));
            if (!scheduled) {
                scheduled = true;
                scheduler.schedule(this::drain, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        private void drain() {
            while (true) {
                Pending next;
                synchronized (this) {
                    next = queue.peek();
                    if (next == null) {
                        scheduled = false;
                        return;
                    }
                    long wait = next.due() - System.nanoTime();
                    if (wait > 0) {
                        scheduler.schedule(this::drain, wait, TimeUnit.NANOSECONDS);
                        return;
                    }
                    queue.poll();
                }
                try {
                    next.event().deliver();
                } catch (Exception e) {
                    try {
                        DelayedSessionFactory.super.exceptionCaught(io, e);
                    } catch (Exception ignored) {
                        io.close(true);
                    }
                }
            }
        }
    }

    private Lane lane(IoSession io) {
        return lanes.computeIfAbsent(io, Lane::new);
    }

    @Override
    public void sessionCreated(IoSession io) {
        lane(io).add(() -> super.sessionCreated(io));
    }

    @Override
    public void messageReceived(IoSession io, Readable message) {
        // The buffer is only valid during this call: keep a copy for later.
        byte[] bytes = new byte[message.available()];
        message.getRawBytes(bytes, 0, bytes.length);
        lane(io).add(() -> super.messageReceived(io, new ByteArrayBuffer(bytes)));
    }

    @Override
    public void exceptionCaught(IoSession io, Throwable t) {
        lane(io).add(() -> super.exceptionCaught(io, t));
    }

    @Override
    public void sessionClosed(IoSession io) {
        lane(io).add(() -> {
            lanes.remove(io);
            super.sessionClosed(io);
        });
    }
}
