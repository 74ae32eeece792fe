package dev.postflight.testing;

import dev.postflight.inventory.Host;
import dev.postflight.run.Connector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Seed 003's host for fix tests: a real SSH server (MINA) whose commands run in a private mount
 * namespace where a SysV init script for a fake {@code ntpd} is bind-mounted over /etc/init.d, and
 * an {@code ntpdate} on PATH that, like the real one, refuses with "the NTP socket is in use,
 * exiting" while ntpd runs. The shims never touch the clock: a successful ntpdate only writes a
 * marker file. The "daemon" is a {@code sleep} whose pid is kept, stopped by that pid in {@link
 * #close()}. Needs root and unshare(1) ({@link #available()}).
 */
public final class NtpdShimHost implements AutoCloseable {
    private final Path dir;
    private final SshTestServer server;
    private final Path knownHosts;

    private NtpdShimHost(Path dir, SshTestServer server, Path knownHosts) {
        this.dir = dir;
        this.server = server;
        this.knownHosts = knownHosts;
    }

    public static boolean available() {
        return "root".equals(System.getProperty("user.name"))
                && Files.isExecutable(Path.of("/usr/bin/unshare"));
    }

    public static NtpdShimHost start(Path dir) throws IOException {
        return start(dir, Optional.empty());
    }

    /**
     * With {@code skew} (libfaketime syntax, e.g. "-3h"), the host's clock is really off, through a
     * libfaketime offset file; the ntpdate shim "syncs" by rewriting that file to +0, which changes
     * that host's faked clock only — never this machine's.
     */
    public static NtpdShimHost start(Path dir, Optional<String> skew) throws IOException {
        Path initd = Files.createDirectories(dir.resolve("init.d"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path home = Files.createDirectories(dir.resolve("home"));
        executable(
                initd.resolve("ntpd"),
                """
                #!/bin/sh
                # Test shim: SysV init script of a fake ntpd.
                PIDFILE=%1$s/ntpd.pid
                running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
                case $1 in
                  start) if running; then echo "ntpd already running"; exit 0; fi
                         [ -f %1$s/ntpd.broken ] && { echo "Starting ntpd: [FAILED]"; exit 1; }
                         setsid %1$s/bin/ntpd 600 </dev/null >/dev/null 2>&1 & echo $! >"$PIDFILE"
                         echo "Starting ntpd: [  OK  ]" ;;
                  stop)  if running; then kill "$(cat "$PIDFILE")"; rm -f "$PIDFILE"; echo "Shutting down ntpd: [  OK  ]"
                         else echo "Shutting down ntpd: [FAILED]"; exit 1; fi ;;
                  restart) "$0" stop; "$0" start ;;
                  status) if running; then echo "ntpd is running"; else echo "ntpd is stopped"; exit 3; fi ;;
                esac
                """
                        .formatted(dir));
        // The daemon: a copy of sleep named ntpd, so that ps shows an ntpd (a time daemon check
        // finds it running); ntpq prints what the test put in ntpq.out.
        Files.copy(Path.of("/bin/sleep"), bin.resolve("ntpd"));
        executable(
                bin.resolve("ntpq"),
                """
                #!/bin/sh
                # Test shim: ntpq -pn of the fake ntpd, from ntpq.out.
                [ -f %1$s/ntpd.pid ] && kill -0 "$(cat %1$s/ntpd.pid)" 2>/dev/null || {
                  echo "ntpq: read: Connection refused" >&2; exit 1; }
                cat %1$s/ntpq.out 2>/dev/null
                """
                        .formatted(dir));
        executable(
                bin.resolve("ntpdate"),
                """
                #!/bin/sh
                # Test shim: ntpdate refuses while ntpd holds "UDP 123" (its pid file), else logs a sync.
                if [ -f %1$s/ntpd.pid ] && kill -0 "$(cat %1$s/ntpd.pid)" 2>/dev/null; then
                  echo "23 Nov 03:12:01 ntpdate[4242]: the NTP socket is in use, exiting" >&2; exit 1
                fi
                [ -f %1$s/ntpdate.fail ] && { echo "ntpdate[4242]: no server suitable for synchronization found" >&2; exit 1; }
                echo "$*" >>%1$s/synced
                [ -f %1$s/faketime ] && echo "+0" >%1$s/faketime
                echo "23 Nov 03:12:05 ntpdate[4243]: step time server $* offset 10799.9 sec"
                """
                        .formatted(dir));
        String setup =
                "mount --bind "
                        + initd
                        + " /etc/init.d || exit 99; "
                        + "if [ -d /run/systemd ]; then mount -t tmpfs tmpfs /run/systemd || exit 99; fi; ";
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", home.toString());
        if (skew.isPresent()) {
            Files.writeString(dir.resolve("faketime"), skew.get() + "\n");
            env.put("LD_PRELOAD", FakeTimeHost.library().orElseThrow().toString());
            env.put("FAKETIME_TIMESTAMP_FILE", dir.resolve("faketime").toString());
            env.put("FAKETIME_NO_CACHE", "1");
            env.put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        }
        SshTestServer s =
                SshTestServer.start(
                        Files.createDirectories(dir.resolve("ssh")),
                        env,
                        false,
                        SshTestServer.privateMountShell(setup));
        return new NtpdShimHost(dir, s, s.writeKnownHosts(dir.resolve("known_hosts")));
    }

    private static void executable(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    public SshTestServer server() {
        return server;
    }

    public Path dir() {
        return dir;
    }

    public Path home() {
        return dir.resolve("home");
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public boolean ntpdRunning() throws IOException {
        Path pid = dir.resolve("ntpd.pid");
        if (!Files.exists(pid)) return false;
        return ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
                .map(ProcessHandle::isAlive)
                .orElse(false);
    }

    /** Starts the fake ntpd directly, as if it were running before the window. */
    public void startNtpd() throws Exception {
        Process p = new ProcessBuilder(dir.resolve("init.d/ntpd").toString(), "start").start();
        p.waitFor();
    }

    /** Makes the next ntpdate fail (no suitable server), as when the reference is unreachable. */
    /**
     * Seed 003's time checklist against this host: ntpd running and a "synced" marker the ntpdate
     * shim writes, both fixed by resync-clock (stop ntpd, ntpdate, and ntpd started in finally).
     */
    public String timeChecklist() {
        return """
        vars: { ntp_server: ntp.example.net, marker: "%s/synced" }
        checks:
          - id: ntpd-running
            service: { name: ntpd, state: running }
            fix: resync-clock
          - id: clock-synced
            file: { path: "{{ marker }}" }
            fix: resync-clock
        fixes:
          resync-clock:
            why: ntpdate refuses while ntpd holds UDP 123
            approval: confirm
            settle: 0s
            retries: 0
            steps:
              - service: { name: ntpd, action: stop }
              - run: ntpdate -b {{ ntp_server }}
            finally:
              - service: { name: ntpd, action: start }
        """
                .formatted(dir);
    }

    /**
     * An inventory of hosts web1…webN, all this host, as user ops with the test key; {@code
     * hostExtra} is appended inside each host's mapping (e.g. {@code ", jump: x"}).
     */
    public String inventory(int copies, String hostExtra) {
        StringBuilder s =
                new StringBuilder(
                        "defaults: { user: ops, identity: " + server.clientKey() + " }\nhosts:\n");
        for (int i = 1; i <= copies; i++) {
            s.append("  web")
                    .append(i)
                    .append(": { address: 127.0.0.1, port: ")
                    .append(server.port())
                    .append(hostExtra)
                    .append(" }\n");
        }
        return s.toString();
    }

    /** What the fake ntpd's {@code ntpq -pn} prints while it runs. */
    public void ntpqSays(String output) throws IOException {
        Files.writeString(dir.resolve("ntpq.out"), output);
    }

    public void breakNtpdate() throws IOException {
        Files.writeString(dir.resolve("ntpdate.fail"), "");
    }

    public Optional<String> synced() throws IOException {
        Path p = dir.resolve("synced");
        return Files.exists(p) ? Optional.of(Files.readString(p).strip()) : Optional.empty();
    }

    public Host host() {
        return Host.at("web1", server.host());
    }

    public Connector connector() throws IOException {
        return server.connector("web1", knownHosts);
    }

    @Override
    public void close() throws IOException {
        Path pid = dir.resolve("ntpd.pid");
        if (Files.exists(pid)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
                    .ifPresent(ProcessHandle::destroy);
        }
        server.close();
    }
}
