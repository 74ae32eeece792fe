package dev.postflight.transport;

import dev.postflight.files.UserHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The OpenSSH client config read and applied the way ssh(1) 9.x does it, so that what {@code ssh -G
 * HOST} prints is what postflight connects with ({@code SshConfigDifferentialTest} holds it to
 * that): {@code Include} (globs, nesting, relative to {@code ~/.ssh}), {@code Host} patterns with
 * {@code !}, {@code Match} ({@code all}, {@code host}, {@code originalhost}, {@code user}, {@code
 * localuser}, {@code exec}, {@code canonical}, {@code final} with its second pass), the first value
 * obtained wins, and {@code %} tokens where ssh expands them. JSch's own parser knows none of
 * {@code Include}, {@code Match} or negation, and silently connected elsewhere than ssh would.
 *
 * <p>Keywords that change how ssh connects and that postflight does not honour are listed by {@link
 * #unsupported()} with their {@code FILE:LINE}, to be shown once per run.
 *
 * <p>Over 400 lines on purpose: it is one reading of ssh_config's grammar (tokens, Include, Host
 * and Match patterns, first value wins), checked as a whole against {@code ssh -G} by
 * SshConfigDifferentialTest; split, one specification would be spread over files that must change
 * together.
 */
final class OpenSshConfig {

    /** Keywords resolved here and used when connecting. */
    static final Set<String> SUPPORTED =
            Set.of(
                    "host",
                    "match",
                    "include",
                    "hostname",
                    "user",
                    "port",
                    "identityfile",
                    "identitiesonly",
                    "identityagent",
                    "proxyjump",
                    "proxycommand",
                    "userknownhostsfile",
                    "globalknownhostsfile",
                    "stricthostkeychecking",
                    "hostkeyalias",
                    "connecttimeout",
                    "serveraliveinterval",
                    "certificatefile");

    /** Keywords with no effect on how postflight connects or what a host is asked. */
    static final Set<String> WITHOUT_EFFECT =
            Set.of(
                    "addkeystoagent",
                    "batchmode",
                    "checkhostip",
                    "compression",
                    "escapechar",
                    "exitonforwardfailure",
                    "fingerprinthash",
                    "forwardagent",
                    "forwardx11",
                    "forwardx11timeout",
                    "forwardx11trusted",
                    "gssapiauthentication",
                    "gssapidelegatecredentials",
                    "hashknownhosts",
                    "ignoreunknown",
                    "kbdinteractiveauthentication",
                    "challengeresponseauthentication",
                    "loglevel",
                    "logverbose",
                    "numberofpasswordprompts",
                    "passwordauthentication",
                    "permitlocalcommand",
                    "requesttty",
                    "sendenv",
                    "serveralivecountmax",
                    "tcpkeepalive",
                    "updatehostkeys",
                    "usekeychain",
                    "visualhostkey",
                    "xauthlocation");

    private static final int MAX_INCLUDE_DEPTH = 16;
    private static final Duration EXEC_LIMIT = Duration.ofSeconds(30);

    private final Path file;
    private final Path home;
    private final String localUser;
    private final String localHost;
    private final Map<String, String> env;
    private final Map<Path, List<Line>> files = new ConcurrentHashMap<>();

    /**
     * One non-comment line: its keyword (lower case), its words, and its text after the keyword.
     */
    private record Line(Path file, int number, String keyword, List<String> args, String rest) {
        String where() {
            return file + ":" + number;
        }
    }

    /** Values a host has before the config is read, as {@code ssh -o} would give them. */
    record Seed(Optional<String> hostname, Optional<String> user, OptionalInt port) {
        static Seed none() {
            return new Seed(Optional.empty(), Optional.empty(), OptionalInt.empty());
        }
    }

    OpenSshConfig(
            Path file, Path home, String localUser, String localHost, Map<String, String> env) {
        this.file = file;
        this.home = home;
        this.localUser = localUser;
        this.localHost = localHost;
        this.env = Map.copyOf(env);
    }

    /** This machine's user, {@code $HOME} and host name. */
    static OpenSshConfig of(Path file) {
        return new OpenSshConfig(
                file,
                UserHome.dir(),
                System.getProperty("user.name"),
                localHostName(),
                System.getenv());
    }

    private static String localHostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException unknown) {
                return "localhost";
            }
        }
    }

    // ---- reading ------------------------------------------------------------------------------

    private List<Line> lines(Path path) {
        return files.computeIfAbsent(
                path,
                p -> {
                    if (!Files.isRegularFile(p)) return List.of();
                    try {
                        return parse(p, Files.readAllLines(p, StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static List<Line> parse(Path path, List<String> text) {
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i).stripTrailing();
            int at = 0;
            while (at < line.length() && Character.isWhitespace(line.charAt(at))) at++;
            if (at == line.length() || line.charAt(at) == '#') continue;
            int end = at;
            while (end < line.length()
                    && !Character.isWhitespace(line.charAt(end))
                    && line.charAt(end) != '=') end++;
            String keyword = line.substring(at, end).toLowerCase(Locale.ROOT);
            int rest = end;
            while (rest < line.length() && Character.isWhitespace(line.charAt(rest))) rest++;
            if (rest < line.length() && line.charAt(rest) == '=') {
                rest++;
                while (rest < line.length() && Character.isWhitespace(line.charAt(rest))) rest++;
            }
            String remainder = line.substring(rest);
            out.add(
                    new Line(
                            path,
                            i + 1,
                            keyword,
                            words(remainder, path + ":" + (i + 1)),
                            remainder));
        }
        return List.copyOf(out);
    }

    /** ssh's argv_split: quotes, backslash escapes, and a word starting with # ends the line. */
    private static List<String> words(String s, String where) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
            if (i >= s.length() || s.charAt(i) == '#') return out;
            StringBuilder word = new StringBuilder();
            char quote = 0;
            for (; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length()) {
                    char n = s.charAt(i + 1);
                    if (n == '\'' || n == '"' || n == '\\' || (quote == 0 && n == ' ')) {
                        i++;
                        word.append(n);
                    } else {
                        word.append(c);
                    }
                } else if (quote == 0 && (c == ' ' || c == '\t')) {
                    break;
                } else if (quote == 0 && (c == '"' || c == '\'')) {
                    quote = c;
                } else if (quote != 0 && c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            }
            if (quote != 0) throw new IllegalArgumentException(where + ": unterminated quote");
            out.add(word.toString());
        }
    }

    // ---- unsupported keywords -----------------------------------------------------------------

    /**
     * {@code FILE:LINE: KEYWORD ...} for every line of the config and the files it includes whose
     * keyword postflight does not honour and that may change how ssh connects.
     */
    List<String> unsupported() {
        List<String> out = new ArrayList<>();
        scan(file, 0, new LinkedHashSet<>(), out);
        return out;
    }

    private void scan(Path path, int depth, Set<Path> seen, List<String> out) {
        if (depth > MAX_INCLUDE_DEPTH || !seen.add(path)) return;
        for (Line line : lines(path)) {
            if (line.keyword().equals("include")) {
                for (String pattern : line.args()) {
                    for (Path included : includes(pattern)) scan(included, depth + 1, seen, out);
                }
            } else if (!SUPPORTED.contains(line.keyword())
                    && !WITHOUT_EFFECT.contains(line.keyword())) {
                out.add(
                        line.where()
                                + ": "
                                + line.keyword()
                                + " is not supported by postflight and is ignored");
            }
        }
    }

    // ---- resolving ----------------------------------------------------------------------------

    /** The settings for {@code alias}, as {@code ssh -G} would print them. */
    SshHostSettings settings(String alias, Seed seed) {
        Values v = new Values();
        seed.hostname().ifPresent(h -> v.hostname = h);
        seed.user().ifPresent(u -> v.user = u);
        if (seed.port().isPresent()) v.port = seed.port().getAsInt();
        boolean[] wantFinal = {false};
        String host = alias;
        read(file, 0, v, host, alias, false, wantFinal, new boolean[] {true}, false);
        if (v.hostname != null) {
            host = percent(v.hostname, Map.of("h", host), "HostName");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (wantFinal[0]) {
            v.hostname = host;
            read(file, 0, v, host, alias, true, null, new boolean[] {true}, false);
        }
        String user = v.user != null ? v.user : localUser;
        int port = v.port != null ? v.port : 22;
        Map<String, String> tokens = tokens(host, alias, user, port, v.hostKeyAlias);
        List<String> known =
                v.userKnownHosts != null
                        ? v.userKnownHosts
                        : List.of("~/.ssh/known_hosts", "~/.ssh/known_hosts2");
        return new SshHostSettings(
                host,
                user,
                port,
                v.identityFiles,
                Boolean.TRUE.equals(v.identitiesOnly),
                Optional.ofNullable(v.identityAgent)
                        .map(a -> a.equals("SSH_AUTH_SOCK") ? a : expand(a, tokens)),
                Optional.ofNullable(v.proxyJump).filter(j -> !j.equalsIgnoreCase("none")),
                Optional.ofNullable(v.proxyCommand).filter(c -> !c.equals("none")),
                known.stream().map(k -> expand(k, tokens)).toList(),
                v.userKnownHosts != null,
                v.globalKnownHosts != null
                        ? v.globalKnownHosts
                        : List.of("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"),
                v.strictHostKeyChecking != null ? v.strictHostKeyChecking : "ask",
                Optional.ofNullable(v.hostKeyAlias),
                Optional.ofNullable(v.connectTimeout),
                v.serverAliveInterval != null ? v.serverAliveInterval : Duration.ZERO,
                v.certificateFiles);
    }

    /** {@code IdentityFile} or {@code CertificateFile} as ssh opens it: {@code ~}, then tokens. */
    String expandPath(String value, SshHostSettings s, String alias) {
        return expand(
                value,
                tokens(s.hostname(), alias, s.user(), s.port(), s.hostKeyAlias().orElse(null)));
    }

    /** {@code ProxyCommand} as ssh runs it: {@code %h}, {@code %n}, {@code %p}, {@code %r}. */
    static String proxyCommand(String command, SshHostSettings s, String alias) {
        return percent(
                command,
                Map.of(
                        "h", s.hostname(),
                        "n", alias,
                        "p", Integer.toString(s.port()),
                        "r", s.user()),
                "ProxyCommand");
    }

    /** Settings obtained so far; null means not yet set, and the first value set wins. */
    private static final class Values {
        String hostname;
        String user;
        Integer port;
        final List<String> identityFiles = new ArrayList<>();
        Boolean identitiesOnly;
        String identityAgent;
        String proxyJump;
        String proxyCommand;
        List<String> userKnownHosts;
        List<String> globalKnownHosts;
        String strictHostKeyChecking;
        String hostKeyAlias;
        Duration connectTimeout;
        Duration serverAliveInterval;
        final List<String> certificateFiles = new ArrayList<>();
    }

    private void read(
            Path path,
            int depth,
            Values v,
            String host,
            String original,
            boolean finalPass,
            boolean[] wantFinal,
            boolean[] active,
            boolean neverMatch) {
        if (depth > MAX_INCLUDE_DEPTH) {
            throw new IllegalArgumentException(path + ": Include nests deeper than 16");
        }
        for (Line line : lines(path)) {
            switch (line.keyword()) {
                case "host" -> active[0] = !neverMatch && hostMatches(host, line.args());
                case "match" -> {
                    boolean matched = match(line, v, host, original, finalPass, wantFinal);
                    active[0] = !neverMatch && matched;
                }
                case "include" -> {
                    boolean outer = active[0];
                    for (String pattern : line.args()) {
                        for (Path included : includes(pattern)) {
                            read(
                                    included,
                                    depth + 1,
                                    v,
                                    host,
                                    original,
                                    finalPass,
                                    wantFinal,
                                    active,
                                    neverMatch || !outer);
                        }
                    }
                    active[0] = outer;
                }
                // As ssh, a bad value is refused even where the line does not apply to the host.
                default -> apply(line, active[0] ? v : new Values());
            }
        }
    }

    private void apply(Line line, Values v) {
        List<String> a = line.args();
        if (a.isEmpty()) {
            throw new IllegalArgumentException(
                    line.where() + ": no argument after keyword \"" + line.keyword() + "\"");
        }
        String first = a.getFirst();
        switch (line.keyword()) {
            case "hostname" -> {
                if (v.hostname == null) v.hostname = first;
            }
            case "user" -> {
                if (v.user == null) v.user = first;
            }
            case "port" -> {
                if (v.port == null) v.port = port(first, line);
            }
            case "identityfile" -> {
                if (!v.identityFiles.contains(first)) v.identityFiles.add(first);
            }
            case "certificatefile" -> {
                if (!v.certificateFiles.contains(first)) v.certificateFiles.add(first);
            }
            case "identitiesonly" -> {
                if (v.identitiesOnly == null) v.identitiesOnly = flag(first, line);
            }
            case "identityagent" -> {
                if (v.identityAgent == null) v.identityAgent = first;
            }
            case "proxyjump" -> {
                if (v.proxyJump == null && v.proxyCommand == null) v.proxyJump = first;
            }
            case "proxycommand" -> {
                // "ProxyJump none" does not stop a later ProxyCommand (ssh 9.2 does the same).
                boolean jump = v.proxyJump != null && !v.proxyJump.equalsIgnoreCase("none");
                if (!jump && v.proxyCommand == null) v.proxyCommand = line.rest();
            }
            case "userknownhostsfile" -> {
                if (v.userKnownHosts == null) v.userKnownHosts = List.copyOf(a);
            }
            case "globalknownhostsfile" -> {
                if (v.globalKnownHosts == null) v.globalKnownHosts = List.copyOf(a);
            }
            case "stricthostkeychecking" -> {
                if (v.strictHostKeyChecking == null) v.strictHostKeyChecking = strict(first, line);
            }
            case "hostkeyalias" -> {
                if (v.hostKeyAlias == null) v.hostKeyAlias = first.toLowerCase(Locale.ROOT);
            }
            case "connecttimeout" -> {
                if (v.connectTimeout == null) v.connectTimeout = time(first, line);
            }
            case "serveraliveinterval" -> {
                if (v.serverAliveInterval == null) v.serverAliveInterval = time(first, line);
            }
            default -> {
                // Reported once per run by unsupported(), or without effect on postflight.
            }
        }
    }

    private static int port(String value, Line line) {
        try {
            int p = Integer.parseInt(value);
            if (p >= 1 && p <= 65535) return p;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(line.where() + ": Badly formatted port number");
    }

    private static boolean flag(String value, Line line) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> true;
            case "no", "false" -> false;
            default ->
                    throw new IllegalArgumentException(
                            line.where() + ": unsupported option \"" + value + "\"");
        };
    }

    private static String strict(String value, Line line) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes", "true" -> "true";
            case "no", "false", "off" -> "false";
            case "ask" -> "ask";
            case "accept-new" -> "accept-new";
            default ->
                    throw new IllegalArgumentException(
                            line.where() + ": unsupported option \"" + value + "\"");
        };
    }

    /** ssh's convtime: {@code 90}, {@code 1m30s}, {@code 2h}, units s m h d w. */
    private static Duration time(String value, Line line) {
        long total = 0;
        int i = 0;
        if (value.isEmpty()) throw badTime(line);
        while (i < value.length()) {
            int start = i;
            while (i < value.length() && Character.isDigit(value.charAt(i))) i++;
            if (i == start) throw badTime(line);
            long n = Long.parseLong(value.substring(start, i));
            long unit = 1;
            if (i < value.length()) {
                unit =
                        switch (value.charAt(i)) {
                            case 's', 'S' -> 1;
                            case 'm', 'M' -> 60;
                            case 'h', 'H' -> 3600;
                            case 'd', 'D' -> 86400;
                            case 'w', 'W' -> 604800;
                            default -> throw badTime(line);
                        };
                i++;
            }
            total += n * unit;
        }
        return Duration.ofSeconds(total);
    }

    private static IllegalArgumentException badTime(Line line) {
        return new IllegalArgumentException(line.where() + ": invalid time value");
    }

    // ---- Host and Match -----------------------------------------------------------------------

    private static boolean hostMatches(String host, List<String> patterns) {
        boolean matched = false;
        for (String p : patterns) {
            boolean negated = p.startsWith("!");
            if (glob(host, negated ? p.substring(1) : p)) {
                if (negated) return false;
                matched = true;
            }
        }
        return matched;
    }

    /** ssh's match_pattern_list: comma-separated, {@code !} negates, a negated match wins. */
    private static boolean patternList(String value, String list, boolean lower) {
        String s = lower ? value.toLowerCase(Locale.ROOT) : value;
        boolean matched = false;
        for (String p : list.split(",", -1)) {
            boolean negated = p.startsWith("!");
            String pattern = negated ? p.substring(1) : p;
            if (lower) pattern = pattern.toLowerCase(Locale.ROOT);
            if (glob(s, pattern)) {
                if (negated) return false;
                matched = true;
            }
        }
        return matched;
    }

    private boolean match(
            Line line,
            Values v,
            String hostArg,
            String original,
            boolean finalPass,
            boolean[] wantFinal) {
        String host =
                v.hostname != null
                        ? percent(v.hostname, Map.of("h", hostArg), "HostName")
                        : hostArg;
        String ruser = v.user != null ? v.user : localUser;
        int port = v.port != null ? v.port : 22;
        List<String> a = line.args();
        boolean result = true;
        int attributes = 0;
        for (int i = 0; i < a.size(); i++) {
            String attribute = a.get(i);
            boolean negate = attribute.startsWith("!");
            String name = (negate ? attribute.substring(1) : attribute).toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                if (attributes > 0 || i + 1 < a.size()) {
                    throw new IllegalArgumentException(
                            line.where()
                                    + ": 'all' cannot be combined with other Match attributes");
                }
                return result && !negate;
            }
            attributes++;
            if (name.equals("canonical") || name.equals("final")) {
                if (name.equals("final") && wantFinal != null) wantFinal[0] = true;
                if (finalPass == negate) result = false;
                continue;
            }
            if (i + 1 >= a.size()) {
                throw new IllegalArgumentException(
                        line.where() + ": Missing Match criteria for " + name);
            }
            String arg = a.get(++i);
            boolean r;
            switch (name) {
                case "host" -> r = patternList(host, arg, true);
                case "originalhost" -> r = patternList(original, arg, true);
                case "user" -> r = patternList(ruser, arg, false);
                case "localuser" -> r = patternList(localUser, arg, false);
                case "exec" -> {
                    if (!result) continue;
                    String command =
                            percent(
                                    arg,
                                    tokens(host, original, ruser, port, v.hostKeyAlias),
                                    "Match exec");
                    r = exec(command, line);
                }
                default ->
                        throw new IllegalArgumentException(
                                line.where() + ": Unsupported Match attribute " + name);
            }
            if (r == negate) result = false;
        }
        if (attributes == 0) {
            throw new IllegalArgumentException(
                    line.where() + ": One or more attributes required for Match");
        }
        return result;
    }

    private static boolean exec(String command, Line line) {
        ProcessBuilder pb =
                new ProcessBuilder("/bin/sh", "-c", command)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            if (!p.waitFor(EXEC_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalArgumentException(
                        line.where()
                                + ": Match exec '"
                                + command
                                + "' did not finish within "
                                + EXEC_LIMIT.toSeconds()
                                + " s");
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    line.where() + ": Match exec '" + command + "' error: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException(
                    line.where() + ": interrupted during Match exec '" + command + "'", e);
        }
    }

    /** Glob with {@code *} and {@code ?}, as ssh's match_pattern. */
    static boolean glob(String s, String pattern) {
        return glob(s, 0, pattern, 0);
    }

    private static boolean glob(String s, int si, String p, int pi) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                while (pi < p.length() && p.charAt(pi) == '*') pi++;
                if (pi == p.length()) return true;
                for (int k = si; k <= s.length(); k++) {
                    if (glob(s, k, p, pi)) return true;
                }
                return false;
            }
            if (si >= s.length()) return false;
            if (c != '?' && c != s.charAt(si)) return false;
            si++;
            pi++;
        }
        return si == s.length();
    }

    // ---- Include ------------------------------------------------------------------------------

    /** The files an {@code Include} word names: {@code ~} expanded, relative to ~/.ssh, globbed. */
    private List<Path> includes(String pattern) {
        String expanded = tilde(pattern);
        Path path =
                expanded.startsWith("/")
                        ? Path.of(expanded)
                        : home.resolve(".ssh").resolve(expanded);
        return globPath(path);
    }

    private static List<Path> globPath(Path pattern) {
        List<Path> current = List.of(pattern.getRoot() == null ? Path.of("") : pattern.getRoot());
        for (Path part : pattern) {
            String name = part.toString();
            List<Path> next = new ArrayList<>();
            for (Path base : current) {
                if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
                    next.add(base.resolve(name));
                    continue;
                }
                if (!Files.isDirectory(base)) continue;
                TreeSet<String> names = new TreeSet<>();
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(base)) {
                    for (Path e : entries) {
                        String n = e.getFileName().toString();
                        if (n.startsWith(".") && !name.startsWith(".")) continue;
                        if (fileGlob(n, name)) names.add(n);
                    }
                } catch (IOException e) {
                    continue;
                }
                for (String n : names) next.add(base.resolve(n));
            }
            current = next;
        }
        return current.stream().filter(Files::exists).toList();
    }

    private static boolean fileGlob(String name, String pattern) {
        return name.matches(globRegex(pattern));
    }

    private static String globRegex(String pattern) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = pattern.indexOf(']', i + 2);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String body = pattern.substring(i + 1, end);
                        if (body.startsWith("!")) body = "^" + body.substring(1);
                        re.append('[').append(body.replace("\\", "\\\\")).append(']');
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    // ---- tokens -------------------------------------------------------------------------------

    private Map<String, String> tokens(
            String host, String original, String user, int port, String hostKeyAlias) {
        String portText = Integer.toString(port);
        return Map.ofEntries(
                Map.entry("C", connectionHash(host, portText, user)),
                Map.entry("L", shortHost()),
                Map.entry("d", home.toString()),
                Map.entry("h", host),
                Map.entry("i", uid()),
                Map.entry("k", hostKeyAlias != null ? hostKeyAlias : host),
                Map.entry("l", localHost),
                Map.entry("n", original),
                Map.entry("p", portText),
                Map.entry("r", user),
                Map.entry("u", localUser));
    }

    /** {@code ~}, then {@code ${VAR}}, then {@code %} tokens: ssh's order for file names. */
    private String expand(String value, Map<String, String> tokens) {
        return percent(dollar(tilde(value)), tokens, value);
    }

    private String tilde(String value) {
        if (value.equals("~")) return home.toString();
        if (value.startsWith("~/")) return home.resolve(value.substring(2)).toString();
        return value;
    }

    private String dollar(String value) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            int end = value.indexOf('}', start);
            if (end < 0) throw new IllegalArgumentException(value + ": unterminated ${");
            String name = value.substring(start + 2, end);
            String v = env.get(name);
            if (v == null) {
                throw new IllegalArgumentException(
                        value + ": environment variable " + name + " is not set");
            }
            out.append(value, i, start).append(v);
            i = end + 1;
        }
        return out.toString();
    }

    /** ssh's percent_expand: {@code %%} is {@code %}, any token not in {@code tokens} an error. */
    static String percent(String value, Map<String, String> tokens, String what) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 >= value.length()) {
                throw new IllegalArgumentException(what + ": " + value + ": ends with a lone %");
            }
            String key = String.valueOf(value.charAt(++i));
            if (key.equals("%")) {
                out.append('%');
            } else if (tokens.containsKey(key)) {
                out.append(tokens.get(key));
            } else {
                throw new IllegalArgumentException(what + ": " + value + ": unknown token %" + key);
            }
        }
        return out.toString();
    }

    private String shortHost() {
        int dot = localHost.indexOf('.');
        return dot < 0 ? localHost : localHost.substring(0, dot);
    }

    private String connectionHash(String host, String port, String user) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest =
                    sha1.digest((localHost + host + port + user).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    private static String uid() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("Uid:")) return l.substring(4).strip().split("\\s+")[0];
            }
        } catch (IOException e) {
            // fall through
        }
        return "0";
    }
}
