package dev.postflight.transport;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchRevokedHostKeyException;
import com.jcraft.jsch.Logger;
import com.jcraft.jsch.Session;
import dev.postflight.files.UserHome;
import dev.postflight.input.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * Opens one SSH session per host with JSch, the way OpenSSH would (ssh config, known_hosts, jump
 * hosts, agent and key files), and turns every way of failing into a {@link HostUnreachable} whose
 * cause and message tell the operator what to do next. Host keys are checked strictly: an unknown
 * key is added only with {@code acceptNewHostKeys}, a changed key never.
 */
public final class SshConnector {
    private static final int KEEPALIVE_MILLIS = 5000;

    private static final Logger SILENT =
            new Logger() {
                @Override
                public boolean isEnabled(int level) {
                    return false;
                }

                @Override
                public void log(int level, String message) {}
            };

    private final SshOptions options;
    private final SshClientConfig config;
    private final KnownHostsFile knownHosts;
    private final HostKeyFiles hostKeyFiles;
    private final List<String> configWarnings;
    private final Identities identities;

    /**
     * Reads the SSH config and known_hosts once for the whole run.
     *
     * @throws IOException when either file exists but cannot be read
     */
    public SshConnector(SshOptions options) throws IOException {
        this(options, System.getenv());
    }

    /** As above, with the ssh-agent found through {@code env} ({@code SSH_AUTH_SOCK}). */
    SshConnector(SshOptions options, Map<String, String> env) throws IOException {
        this.options = options;
        this.config = SshClientConfig.load(options.sshConfig());
        this.knownHosts = KnownHostsFile.load(options.knownHosts());
        this.hostKeyFiles =
                new HostKeyFiles(
                        knownHosts,
                        !options.knownHosts().equals(SshOptions.defaults().knownHosts()));
        this.configWarnings = config.unsupported();
        this.identities =
                new Identities(
                        options.useAgent(),
                        env,
                        SshClientConfig.DEFAULT_IDENTITIES.stream()
                                .map(name -> UserHome.dir().resolve(".ssh").resolve(name))
                                .collect(Collectors.toSet()));
    }

    /**
     * {@code FILE:LINE: KEYWORD is not supported…}, once for each line of the SSH config (and what
     * it includes) that postflight does not honour: to be shown once per run.
     */
    public List<String> configWarnings() {
        return configWarnings;
    }

    /**
     * Before any host is contacted: makes the passphrase-protected key files of {@code targets}
     * usable, through ssh-agent or with a passphrase {@code prompt} asks once per file.
     *
     * @throws LockedKey when a key named for a host cannot be used (the message says how to fix it)
     */
    public void unlockKeys(List<SshTarget> targets, PassphrasePrompt prompt) throws LockedKey {
        for (SshTarget target : targets) {
            ResolvedTarget resolved;
            try {
                resolved = config.resolve(target);
            } catch (IllegalArgumentException e) {
                continue; // reported for that host when it is connected to
            }
            for (Optional<ResolvedTarget> hop = Optional.of(resolved);
                    hop.isPresent();
                    hop = hop.get().jump()) {
                identities.unlock(hop.get(), identityAgent(hop.get()), prompt);
            }
        }
    }

    /** The host's {@code IdentityAgent} from the SSH config ({@code none}: no agent). */
    private static Optional<String> identityAgent(ResolvedTarget target) {
        return target.options().identityAgent();
    }

    /**
     * Handshakes at once through one jump host: below OpenSSH's {@code MaxStartups} default
     * (10:30:100), past which sshd drops new unauthenticated connections at random, so a large
     * fleet behind one bastion does not read as hosts that are unreachable.
     */
    public static final int JUMP_HANDSHAKES = 8;

    private final ConcurrentHashMap<String, Semaphore> jumpHandshakes = new ConcurrentHashMap<>();

    /**
     * Waits for a handshake slot at the jump host the runner connects to first for {@code target}
     * (none without a jump host, or when its settings cannot be resolved: {@link #connect} reports
     * that). The returned action frees the slot; call it once {@link #connect} returned.
     */
    public Runnable turn(SshTarget target) throws InterruptedException {
        Optional<ResolvedTarget> hop;
        try {
            hop = config.resolve(target).jump();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            return () -> {};
        }
        if (hop.isEmpty()) return () -> {};
        while (hop.get().jump().isPresent()) hop = hop.get().jump();
        Semaphore slots =
                jumpHandshakes.computeIfAbsent(
                        hop.get().endpoint(), k -> new Semaphore(JUMP_HANDSHAKES, true));
        slots.acquire();
        return slots::release;
    }

    /**
     * Connects and authenticates to {@code target} (through its jump hosts, if any), giving up at
     * {@code deadline}.
     */
    public HostConnection connect(SshTarget target, Instant deadline)
            throws HostUnreachable, InterruptedException {
        ResolvedTarget resolved;
        try {
            resolved = config.resolve(target);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new HostUnreachable(HostUnreachable.Cause.SSH_ERROR, e.getMessage(), e);
        }
        try {
            return open(resolved, deadline);
        } catch (HostUnreachable e) {
            throw e.tried(resolved.describe());
        }
    }

    private SshConnection open(ResolvedTarget target, Instant deadline)
            throws HostUnreachable, InterruptedException {
        Optional<SshConnection> jump = Optional.empty();
        if (target.jump().isPresent()) {
            ResolvedTarget hop = target.jump().get();
            try {
                jump = Optional.of(open(hop, deadline));
            } catch (HostUnreachable e) {
                throw new HostUnreachable(
                        HostUnreachable.Cause.JUMP_FAILED,
                        "jump host " + hop.alias() + ": " + e.getMessage(),
                        e);
            }
        }
        try {
            return handshake(target, jump, deadline);
        } catch (HostUnreachable | InterruptedException | RuntimeException e) {
            jump.ifPresent(SshConnection::close);
            throw e;
        }
    }

    private SshConnection handshake(
            ResolvedTarget target, Optional<SshConnection> jump, Instant deadline)
            throws HostUnreachable, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before connecting to " + target.alias());
        }
        Duration remaining = Duration.between(Instant.now(), deadline);
        if (remaining.isNegative() || remaining.isZero()) {
            throw new HostUnreachable(
                    HostUnreachable.Cause.TIMED_OUT,
                    "deadline passed before connecting to " + target.endpoint());
        }
        Duration step =
                remaining.compareTo(options.connectTimeout()) < 0
                        ? remaining
                        : options.connectTimeout();
        Optional<Duration> configured = target.options().connectTimeout().filter(t -> !t.isZero());
        if (configured.isPresent() && configured.get().compareTo(step) < 0) step = configured.get();

        JSch jsch = new JSch();
        jsch.setInstanceLogger(SILENT);
        List<String> offered = new ArrayList<>();
        Session session;
        try {
            session = jsch.getSession(target.user(), target.address(), target.port());
        } catch (JSchException e) {
            throw new HostUnreachable(HostUnreachable.Cause.SSH_ERROR, e.getMessage(), e);
        }
        session.setIdentityRepository(
                identities.forSession(
                        jsch,
                        target,
                        identityAgent(target),
                        target.options().certificates(),
                        offered));
        HostKeyCheck check;
        try {
            check =
                    new HostKeyCheck(
                            hostKeyFiles.of(target),
                            HostKeyFiles.acceptNew(options.acceptNewHostKeys(), target));
        } catch (IOException e) {
            throw new HostUnreachable(HostUnreachable.Cause.SSH_ERROR, e.getMessage(), e);
        }
        Duration limit = step;
        Transport transport =
                jump.<Transport>map(j -> new TunnelTransport(j.session(), j.alias(), limit))
                        .or(() ->
                                target.options()
                                        .proxyCommand()
                                        .map(c -> new CommandTransport(c, limit)))
                        .orElseGet(() -> new TcpTransport(limit));
        target.options().hostKeyAlias().ifPresent(session::setHostKeyAlias);
        session.setHostKeyRepository(check);
        session.setProxy(transport);
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("HashKnownHosts", "no");
        session.setConfig("PreferredAuthentications", "publickey");
        KexAvailability.Settings kex = KexAvailability.settings();
        session.setConfig("kex", kex.kex());
        session.setConfig("CheckKexes", kex.checkKexes());
        session.setThreadFactory(Thread.ofVirtual().name("ssh-" + target.alias()).factory());

        try (Alarm alarm = Alarm.at(deadline, transport::close)) {
            try {
                session.connect(Math.toIntExact(Math.max(1, step.toMillis())));
            } catch (JSchException | RuntimeException e) {
                transport.watch().ifPresent(BannerWatch::stopWatching);
                session.disconnect();
                transport.close();
                if (Thread.interrupted()) {
                    throw new InterruptedException(
                            "interrupted while connecting to " + target.alias());
                }
                throw classify(e, target, check, transport, alarm.rang(), deadline, step, offered);
            }
        }
        transport.watch().ifPresent(BannerWatch::stopWatching);
        // Keepalives: a connection cut without a reset (a link down in the middle of a fix) is
        // noticed within about 20 s instead of when TCP gives up minutes later.
        try {
            Duration alive = target.options().serverAliveInterval();
            session.setServerAliveInterval(
                    alive.isZero() ? KEEPALIVE_MILLIS : Math.toIntExact(alive.toMillis()));
            session.setServerAliveCountMax(3);
        } catch (JSchException e) {
            // Only thrown for a socket that is already closed; the next command will say so.
        }
        String fingerprint = check.offeredFingerprint().orElse("unknown");
        return new SshConnection(
                target, session, transport, fingerprint, jump, options.maxOutput());
    }

    private HostUnreachable classify(
            Exception e,
            ResolvedTarget target,
            HostKeyCheck check,
            Transport transport,
            boolean deadlinePassed,
            Instant deadline,
            Duration step,
            List<String> offered) {
        Optional<HostUnreachable> hostKey = check.refusal(target.alias());
        if (hostKey.isPresent()) {
            return hostKey.get();
        }
        if (causedBy(e, JSchRevokedHostKeyException.class)) {
            return check.revoked(target.alias(), "its certificate: " + e.getMessage());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HostUnreachable own) {
                return own;
            }
            if (t instanceof UncheckedIOException io) {
                return new HostUnreachable(
                        HostUnreachable.Cause.SSH_ERROR,
                        "cannot add the host key of "
                                + target.alias()
                                + " to "
                                + check.getKnownHostsRepositoryID()
                                + ": "
                                + io.getCause().getMessage(),
                        e);
            }
        }
        Optional<BannerWatch> watch = transport.watch();
        boolean readTimedOut = causedBy(e, SocketTimeoutException.class);
        if (watch.isPresent() && !watch.get().bannerArrived()) {
            if (watch.get().stalled() || readTimedOut || deadlinePassed) {
                // How long the host was silent: until the deadline when that came first, else
                // the banner limit; both are fixed, so the same host always gets the same words.
                Instant end = watch.get().opened().plus(step);
                if (deadlinePassed && deadline.isBefore(end)) end = deadline;
                return new HostUnreachable(
                        HostUnreachable.Cause.BANNER_STALLED,
                        "TCP connected but no SSH banner after "
                                + Durations.tenths(Duration.between(watch.get().opened(), end))
                                + " (tarpit or overloaded sshd) from "
                                + target.endpoint(),
                        e);
            }
            if (transport instanceof CommandTransport command) {
                return new HostUnreachable(
                        HostUnreachable.Cause.SSH_ERROR, command.endedBeforeBanner(), e);
            }
            return new HostUnreachable(
                    HostUnreachable.Cause.SSH_ERROR,
                    "connection to "
                            + target.endpoint()
                            + " closed before an SSH banner (sshd at MaxStartups, TCP wrappers,"
                            + " or not an SSH server)",
                    e);
        }
        if (deadlinePassed) {
            return new HostUnreachable(
                    HostUnreachable.Cause.TIMED_OUT,
                    "SSH key exchange and authentication with "
                            + target.endpoint()
                            + " did not finish after "
                            + Durations.tenths(
                                    Duration.between(
                                            watch.map(BannerWatch::opened).orElse(deadline),
                                            deadline))
                            + " (deadline reached)",
                    e);
        }
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Auth fail") || message.startsWith("Auth cancel")) {
            String accepted =
                    message.contains("'")
                            ? message.substring(
                                    message.indexOf('\'') + 1, message.lastIndexOf('\''))
                            : "unknown";
            return new HostUnreachable(
                    HostUnreachable.Cause.AUTH_FAILED,
                    "authentication failed for "
                            + target.user()
                            + "@"
                            + target.alias()
                            + " (tried publickey: "
                            + (offered.isEmpty() ? "no keys found" : String.join(", ", offered))
                            + "; server accepts: "
                            + accepted
                            + ")",
                    e);
        }
        if (readTimedOut) {
            return new HostUnreachable(
                    HostUnreachable.Cause.TIMED_OUT,
                    "no reply from "
                            + target.endpoint()
                            + " for "
                            + Durations.limit(step)
                            + " during the SSH handshake",
                    e);
        }
        return new HostUnreachable(
                HostUnreachable.Cause.SSH_ERROR,
                "SSH handshake with " + target.endpoint() + " failed: " + message,
                e);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
