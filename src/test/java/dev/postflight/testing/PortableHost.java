package dev.postflight.testing;

import dev.postflight.run.Connector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Test hosts whose shells and tools are not this machine's GNU userland and dash (issue 18): each
 * command runs in a private mount namespace (root and unshare(1)) where
 *
 * <ul>
 *   <li>{@link #busybox}: /usr/bin and /usr/sbin (so /bin and /sbin too) hold ONLY BusyBox, a
 *       folder of symlinks to it for every applet it has, as on Alpine, and the login shell is
 *       BusyBox {@code ash};
 *   <li>{@link #shAs}: {@code sh} is another shell (bash, which is in POSIX mode when called sh, or
 *       posh, which has no {@code local}), and so is the login shell.
 * </ul>
 */
public final class PortableHost {
    private PortableHost() {}

    public static final Path BUSYBOX = Path.of("/bin/busybox");

    public static boolean available(Path... programs) {
        for (Path p : programs) if (!Files.isExecutable(p)) return false;
        return "root".equals(System.getProperty("user.name"))
                && Files.isExecutable(Path.of("/usr/bin/unshare"));
    }

    /**
     * A server on a BusyBox-only host; its folder of applets is made in {@code dir}, without the
     * applets named in {@code without} (a BusyBox built without them).
     */
    public static SshTestServer busybox(Path dir, String... without) throws IOException {
        Path bb = Files.createDirectories(dir.resolve("busybox-bin"));
        Files.copy(BUSYBOX, bb.resolve("busybox"));
        Process list = new ProcessBuilder(BUSYBOX.toString(), "--list").start();
        String applets = new String(list.getInputStream().readAllBytes());
        for (String applet : applets.split("\n")) {
            if (applet.isBlank() || applet.equals("busybox")) continue;
            if (List.of(without).contains(applet.strip())) continue;
            Files.createSymbolicLink(bb.resolve(applet.strip()), Path.of("busybox"));
        }
        String setup =
                "mount --bind "
                        + bb
                        + " /usr/sbin || exit 99; mount --bind "
                        + bb
                        + " /usr/bin || exit 99; ";
        return start(dir, setup, "/usr/bin/ash");
    }

    /**
     * A server whose {@code sh} (and login shell, run as {@code login}) is {@code shell}: it is
     * bind-mounted over what /bin/sh points to.
     */
    public static SshTestServer shAs(Path dir, Path shell, String... login) throws IOException {
        Path sh = Path.of("/bin/sh").toRealPath();
        String setup = "mount --bind " + shell + " " + sh + " || exit 99; ";
        return start(dir, setup, String.join(" ", login));
    }

    private static SshTestServer start(Path dir, String setup, String login) throws IOException {
        List<String> shell =
                List.of(
                        "unshare",
                        "--mount",
                        "--propagation",
                        "private",
                        "/bin/sh",
                        "-c",
                        setup + "exec " + login + " -c \"$1\"",
                        "sh");
        return SshTestServer.start(
                dir, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), false, shell);
    }

    public static Connector connector(SshTestServer s, Path dir) {
        try {
            return s.connector("portable", s.writeKnownHosts(dir.resolve("known_hosts")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
