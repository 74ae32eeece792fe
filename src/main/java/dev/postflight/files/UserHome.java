package dev.postflight.files;

import java.nio.file.Path;
import java.util.Map;

/**
 * The user's home folder as the shell knows it: {@code $HOME}, and Java's {@code user.home} only
 * when {@code HOME} is unset or empty. {@code user.home} comes from the password database, so under
 * {@code sudo -E} or a service manager that sets {@code HOME} it names another folder than the one
 * {@code ~} means in the user's own files.
 */
public final class UserHome {
    private UserHome() {}

    public static Path dir() {
        return dir(System.getenv());
    }

    static Path dir(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"));
    }

    /** {@code ~} and {@code ~/…} under {@link #dir()}; any other path as written. */
    public static Path expand(String path) {
        if (path.equals("~")) return dir();
        if (path.startsWith("~/")) return dir().resolve(path.substring(2));
        return Path.of(path);
    }
}
