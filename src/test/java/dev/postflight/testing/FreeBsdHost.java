package dev.postflight.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A FreeBSD personality (issue 18, seed 004): a test host whose commands see only what a FreeBSD 13
 * or 14 server has, so that the probes' FreeBSD paths run; FreeBSD is verified by recorded outputs
 * and translating shims, not a live host. Each command runs in a private mount namespace (root and
 * unshare(1), as {@link PortableHost}) where
 *
 * <ul>
 *   <li>/usr/bin and /usr/sbin (so /bin and /sbin) hold only the personality: {@code sh} is dash
 *       (FreeBSD's sh is, like dash, a descendant of the Almquist shell), the POSIX tools FreeBSD's
 *       base has (awk, sed, grep, find, head…, this machine's binaries), and shims, small sh
 *       scripts (src/test/resources/freebsd/shims) for the tools whose FreeBSD form differs or that
 *       Linux lacks: uname, sysctl, df, stat, date, ps, pgrep, sockstat, service, sysrc, netstat
 *       -m, swapinfo, dmesg, ntpq, freebsd-version, freebsd-update, and pkg in /usr/local/sbin.
 *       There is no ss, systemctl, journalctl, apt-get, perl or nproc;
 *   <li>/proc is empty (FreeBSD mounts none), /usr/local and /var are the personality's own (rc.d
 *       scripts, /var/db/pkg).
 * </ul>
 *
 * <p>Shims of tools that tell the state of the host the test set up (files, processes, listening
 * ports, disks, memory, load, open files) translate this machine's real state into FreeBSD's
 * format, reading the real /proc (kept at {@code freebsd/linux/proc}) or running the Linux tool in
 * the test JVM's mount namespace, so the verdicts are true, not canned. Shims of pure counters
 * (mbufs, pkg, freebsd-update, dmesg, ntpq) replay recordings written from the formats of the
 * FreeBSD manual pages, kept as fixtures under src/test/resources/freebsd/{13,14}; each names its
 * manual page in a header comment ({@code # exit: N} gives the tool's exit status), and a test
 * picks another recording with {@link #replay}.
 */
public final class FreeBsdHost {
    /** The recordings a personality replays unless a test picks another. */
    private static final List<String> RECORDINGS =
            List.of(
                    "versions",
                    "sysctl",
                    "netstat-m",
                    "pkg-upgrade",
                    "pkg-audit",
                    "pkg-info",
                    "freebsd-update",
                    "dmesg",
                    "ntpq");

    /** FreeBSD base tools that behave as this machine's do for what the probes ask of them. */
    private static final List<String> BASE =
            List.of(
                    "awk",
                    "sed",
                    "grep",
                    "egrep",
                    "head",
                    "tail",
                    "cat",
                    "ls",
                    "id",
                    "sort",
                    "uniq",
                    "wc",
                    "tr",
                    "cut",
                    "printf",
                    "env",
                    "sleep",
                    "kill",
                    "mkdir",
                    "rmdir",
                    "rm",
                    "mv",
                    "cp",
                    "ln",
                    "mktemp",
                    "od",
                    "find",
                    "xargs",
                    "expr",
                    "basename",
                    "dirname",
                    "test",
                    "[",
                    "true",
                    "false",
                    "hostname",
                    "getconf",
                    "tee",
                    "touch",
                    "chmod",
                    "readlink",
                    "timeout",
                    "openssl",
                    "whoami",
                    "logger");

    private static final List<String> SHIMS =
            List.of(
                    "_replay",
                    "_linux",
                    "uname",
                    "sysctl",
                    "df",
                    "stat",
                    "date",
                    "ps",
                    "pgrep",
                    "sockstat",
                    "service",
                    "sysrc",
                    "netstat",
                    "swapinfo",
                    "dmesg",
                    "ntpq",
                    "ntpd",
                    "freebsd-version",
                    "freebsd-update");

    private final Path root;
    private final String version;

    private FreeBsdHost(Path root, String version) {
        this.root = root;
        this.version = version;
    }

    public static boolean available() {
        return PortableHost.available(
                Path.of("/usr/bin/dash"), Path.of("/usr/bin/nsenter"), Path.of("/usr/bin/ss"));
    }

    /** A personality of FreeBSD {@code version} ("13" or "14"), made in {@code dir}/freebsd. */
    public static FreeBsdHost of(Path dir, String version) throws IOException {
        Path root = dir.resolve("freebsd").toAbsolutePath();
        FreeBsdHost h = new FreeBsdHost(root, version);
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("linux/bin"));
        Files.createDirectories(root.resolve("linux/proc"));
        Files.createDirectories(root.resolve("rec"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("usr-local/sbin"));
        Files.createDirectories(root.resolve("usr-local/bin"));
        Files.createDirectories(root.resolve("usr-local/etc/rc.d"));
        Files.createDirectories(root.resolve("var/db/pkg"));
        Files.writeString(
                root.resolve("etc/rc.conf"), "hostname=\"pf-freebsd\"\nsshd_enable=\"YES\"\n");
        Files.copy(Path.of("/usr/bin/dash"), bin.resolve("sh"));
        for (String tool : BASE) {
            Path real = Path.of("/usr/bin", tool);
            if (!Files.exists(real)) continue;
            Path r = real.toRealPath();
            Path target =
                    r.startsWith("/usr/bin")
                            ? root.resolve("linux/bin").resolve(r.getFileName())
                            : r.startsWith("/usr/sbin") ? null : r;
            if (target != null) Files.createSymbolicLink(bin.resolve(tool), target);
        }
        for (String shim : SHIMS) h.install(shim, bin.resolve(shim), Map.of());
        h.install("pkg", root.resolve("usr-local/sbin/pkg"), Map.of());
        for (String r : RECORDINGS) h.replay(r, r);
        return h;
    }

    /**
     * Replays {@code recording} (a fixture of this version, e.g. "netstat-m-denied") as {@code
     * tool}'s.
     */
    public FreeBsdHost replay(String tool, String recording) throws IOException {
        Files.copy(
                fixture(version + "/" + recording + ".txt"),
                root.resolve("rec").resolve(tool + ".txt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return this;
    }

    /**
     * An rc.d script {@code name} in /usr/local/etc/rc.d whose status is whether a process named
     * {@code process} runs on this machine, and {@code name_enable} in rc.conf.
     */
    public FreeBsdHost service(String name, String process, boolean enabled) throws IOException {
        install(
                "_rc.d",
                root.resolve("usr-local/etc/rc.d").resolve(name),
                Map.of("@NAME@", name, "@PROC@", process));
        Files.writeString(
                root.resolve("etc/rc.conf"),
                name + "_enable=\"" + (enabled ? "YES" : "NO") + "\"\n",
                java.nio.file.StandardOpenOption.APPEND);
        return this;
    }

    /** pkg's database was last written (a package installed or upgraded) at {@code at}. */
    public FreeBsdHost lastUpgrade(Instant at) throws IOException {
        for (String db : List.of("local.sqlite", "repo-FreeBSD.sqlite")) {
            Path f = Files.writeString(root.resolve("var/db/pkg").resolve(db), "");
            Files.setLastModifiedTime(f, FileTime.from(at));
        }
        return this;
    }

    /** An SSH server whose commands run on this personality; FreeBSD's default PATH. */
    public SshTestServer start() throws IOException {
        String r = root.toString();
        String l = r + "/linux/bin";
        String setup =
                String.join(
                                " && ",
                                "/usr/bin/mount --bind /usr/bin " + l,
                                l + "/mount --rbind /proc " + r + "/linux/proc",
                                l + "/mount -t tmpfs tmpfs /usr/local",
                                l + "/cp -a " + r + "/usr-local/. /usr/local/",
                                l + "/mount -t tmpfs tmpfs /var",
                                l + "/cp -a " + r + "/var/. /var/",
                                l + "/mount --bind " + r + "/bin /usr/sbin",
                                l + "/mount --bind " + r + "/bin /usr/bin",
                                l + "/mount -t tmpfs tmpfs /proc")
                        + " || exit 99; ";
        List<String> shell =
                List.of(
                        "unshare",
                        "--mount",
                        "--propagation",
                        "private",
                        "/bin/sh",
                        "-c",
                        setup + "exec /bin/sh -c \"$1\"",
                        "sh");
        return SshTestServer.start(
                root.getParent(),
                Map.of("PATH", "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"),
                false,
                shell);
    }

    private void install(String shim, Path to, Map<String, String> more) throws IOException {
        String text =
                Files.readString(fixture("shims/" + shim))
                        .replace("@R@", root.toString())
                        .replace("@L@", root.resolve("linux/bin").toString())
                        .replace("@PID@", String.valueOf(ProcessHandle.current().pid()));
        for (var e : more.entrySet()) text = text.replace(e.getKey(), e.getValue());
        Files.writeString(to, text);
        to.toFile().setExecutable(true, false);
    }

    private static Path fixture(String name) {
        try {
            var url = FreeBsdHost.class.getResource("/freebsd/" + name);
            if (url == null) throw new IllegalArgumentException("no fixture freebsd/" + name);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture recordings of {@code version}, by name (for tests that read them). */
    public static List<String> recordings(String version) {
        try (Stream<Path> s = Files.list(fixture(version))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
