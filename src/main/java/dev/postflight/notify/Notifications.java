package dev.postflight.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.check.Status;
import dev.postflight.files.SafeFiles;
import dev.postflight.input.InputError;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import dev.postflight.run.CheckResult;
import dev.postflight.run.HostResult;
import dev.postflight.run.RunReport;
import dev.postflight.transport.HttpProber;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * The {@code --notify} targets of one run and the {@code --notify-on} rule: decides after the run
 * whether to send, sends to each target, and returns what went wrong as lines to print. A
 * notification that cannot be sent is reported but never changes the run's exit code: the run
 * result is about the hosts, not about the chat server.
 *
 * <p>{@code change} compares the run's failing host/check pairs with those of the previous run of
 * the same checklist, remembered in {@code $XDG_STATE_HOME/postflight/last-CHECKLIST.json} (default
 * {@code ~/.local/state}). The file is updated only when every notification went out, so a change
 * is not lost to a webhook that was down.
 */
public final class Notifications {

    /** When to send. */
    public enum When {
        FAIL,
        CHANGE,
        ALWAYS
    }

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final Location COMMAND_LINE = Location.of(Path.of("(command line)"));
    private static final Pattern ADDRESS = Pattern.compile("[^\\s@<>,;\"]+@[^\\s@<>,;\"]+");

    /**
     * Built on first use: every verify run parses --notify, and building an ObjectMapper costs tens
     * of milliseconds of start-up that runs without a notify state file need not pay.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final List<Notifier> notifiers;
    private final When when;
    private final Path stateDir;
    private final List<String> secretUrls;

    Notifications(List<Notifier> notifiers, When when, Path stateDir, List<String> secretUrls) {
        this.notifiers = List.copyOf(notifiers);
        this.when = when;
        this.stateDir = stateDir;
        this.secretUrls = List.copyOf(secretUrls);
    }

    public List<Notifier> notifiers() {
        return notifiers;
    }

    /**
     * The SMTP password, if mail needs one, and webhook URLs given as {@code @FILE} or {@code
     * env:NAME}: secrets every output of the run redacts.
     */
    public List<String> secretValues() {
        List<String> out = new ArrayList<>(secretUrls);
        for (Notifier n : notifiers) {
            if (n instanceof MailNotifier m && m.smtp().passwordFile().isPresent()) {
                try {
                    out.add(Files.readString(m.smtp().passwordFile().get()).strip());
                } catch (IOException e) {
                    // sending reports it
                }
            }
        }
        return out;
    }

    /**
     * Reads {@code --notify KIND=TARGET} values and {@code --notify-on}; every mistake is reported
     * at once, before any host is contacted. {@code env} supplies the {@code POSTFLIGHT_SMTP_*}
     * settings and {@code XDG_STATE_HOME}/{@code HOME}.
     */
    public static Notifications parse(List<String> specs, String on, Map<String, String> env)
            throws InvalidInput {
        List<InputError> errors = new ArrayList<>();
        When when = When.FAIL;
        try {
            when = When.valueOf(on.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(error("--notify-on: '" + on + "' is not one of fail, change, always"));
        }
        List<Notifier> notifiers = new ArrayList<>();
        List<String> secretUrls = new ArrayList<>();
        Optional<MailNotifier.Smtp> smtp = Optional.empty();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String kind = eq < 0 ? spec : spec.substring(0, eq);
            String target = eq < 0 ? "" : spec.substring(eq + 1).strip();
            switch (kind) {
                case "webhook" -> {
                    boolean hidden = target.startsWith("@") || target.startsWith("env:");
                    Optional<String> given =
                            hidden ? webhookFrom(target, env, errors) : Optional.of(target);
                    if (given.isEmpty()) continue;
                    HttpUrl url = HttpUrl.parse(given.get());
                    if (url == null) {
                        // A URL read from a file or the environment is a secret: not echoed.
                        errors.add(
                                error(
                                        hidden
                                                ? "--notify webhook="
                                                        + target
                                                        + ": what it holds is not an http or https URL"
                                                : "--notify webhook=URL: '"
                                                        + target
                                                        + "' is not an http or https URL"));
                    } else {
                        notifiers.add(new WebhookNotifier(url, TIMEOUT));
                        if (hidden) secretUrls.add(given.get());
                    }
                }
                case "mail" -> {
                    if (!ADDRESS.matcher(target).matches()) {
                        errors.add(
                                error(
                                        "--notify mail=ADDR: '"
                                                + target
                                                + "' is not a mail address (user@domain)"));
                        continue;
                    }
                    if (smtp.isEmpty()) smtp = smtp(env, errors);
                    smtp.ifPresent(s -> notifiers.add(new MailNotifier(target, s)));
                }
                default ->
                        errors.add(
                                error(
                                        "--notify: '"
                                                + spec
                                                + "' must be webhook=URL|@FILE|env:NAME or mail=ADDR"));
            }
        }
        if (!errors.isEmpty()) throw new InvalidInput(errors);
        return new Notifications(notifiers, when, stateDir(env), secretUrls);
    }

    /**
     * The webhook URL of {@code webhook=@FILE} (the file's first line) or {@code webhook=env:NAME},
     * so that it never shows in {@code ps} or the shell's history.
     */
    private static Optional<String> webhookFrom(
            String target, Map<String, String> env, List<InputError> errors) {
        if (target.startsWith("env:")) {
            String name = target.substring(4);
            String value = env.getOrDefault(name, "").strip();
            if (value.isEmpty())
                errors.add(error("--notify webhook=" + target + ": " + name + " is not set"));
            return value.isEmpty() ? Optional.empty() : Optional.of(value);
        }
        Path file = Path.of(target.substring(1));
        try {
            String value = Files.readString(file).lines().findFirst().orElse("").strip();
            if (value.isEmpty())
                errors.add(error("--notify webhook=" + target + ": the file is empty"));
            return value.isEmpty() ? Optional.empty() : Optional.of(value);
        } catch (IOException e) {
            errors.add(error("--notify webhook=" + target + ": cannot read it: " + e.getMessage()));
            return Optional.empty();
        }
    }

    private static Optional<MailNotifier.Smtp> smtp(
            Map<String, String> env, List<InputError> errors) {
        String host = env.getOrDefault("POSTFLIGHT_SMTP_HOST", "localhost");
        String portText = env.getOrDefault("POSTFLIGHT_SMTP_PORT", "25");
        int port = -1;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            // reported below
        }
        int before = errors.size();
        if (port < 1 || port > 65535)
            errors.add(error("POSTFLIGHT_SMTP_PORT: '" + portText + "' is not a port (1-65535)"));
        String tls = env.getOrDefault("POSTFLIGHT_SMTP_STARTTLS", "auto");
        if (!tls.equals("auto") && !tls.equals("required"))
            errors.add(error("POSTFLIGHT_SMTP_STARTTLS: '" + tls + "' is not auto or required"));
        Optional<String> user =
                Optional.ofNullable(env.get("POSTFLIGHT_SMTP_USER")).filter(u -> !u.isBlank());
        Optional<Path> passwordFile =
                Optional.ofNullable(env.get("POSTFLIGHT_SMTP_PASSWORD_FILE"))
                        .filter(p -> !p.isBlank())
                        .map(Path::of);
        if (user.isPresent() && passwordFile.isEmpty())
            errors.add(
                    error(
                            "POSTFLIGHT_SMTP_USER is set but POSTFLIGHT_SMTP_PASSWORD_FILE (a file"
                                    + " holding the password) is not"));
        passwordFile
                .filter(p -> !Files.isReadable(p))
                .ifPresent(p ->
                        errors.add(
                                error(
                                        "POSTFLIGHT_SMTP_PASSWORD_FILE: cannot read "
                                                + p
                                                + " (it must name a file holding the password)")));
        Optional<Path> caFile =
                Optional.ofNullable(env.get("POSTFLIGHT_SMTP_CA_FILE"))
                        .filter(p -> !p.isBlank())
                        .map(Path::of);
        caFile.ifPresent(p -> {
            try {
                HttpProber.trustManagerFor(p);
            } catch (IOException | GeneralSecurityException e) {
                errors.add(
                        error(
                                "POSTFLIGHT_SMTP_CA_FILE: cannot use "
                                        + p
                                        + " (it must name a PEM file holding the CA certificate"
                                        + " of the SMTP server): "
                                        + cause(e)));
            }
        });
        String from =
                env.getOrDefault("POSTFLIGHT_SMTP_FROM", "postflight@" + MailNotifier.localName());
        if (!ADDRESS.matcher(from).matches())
            errors.add(error("POSTFLIGHT_SMTP_FROM: '" + from + "' is not a mail address"));
        if (errors.size() > before) return Optional.empty();
        return Optional.of(
                new MailNotifier.Smtp(
                        host,
                        port,
                        tls.equals("required"),
                        user,
                        passwordFile,
                        from,
                        TIMEOUT,
                        caFile));
    }

    private static InputError error(String message) {
        return new InputError(COMMAND_LINE, message);
    }

    private static Path stateDir(Map<String, String> env) {
        String xdg = env.get("XDG_STATE_HOME");
        Path base =
                xdg != null && !xdg.isBlank()
                        ? Path.of(xdg)
                        : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")))
                                .resolve(".local/state");
        return base.resolve("postflight");
    }

    /**
     * Sends the run's result when {@code --notify-on} says so; returns one line per problem, such
     * as {@code notification webhook=https://hooks.example/…: 500 Server Error}.
     */
    public List<String> send(RunReport report) {
        if (notifiers.isEmpty()) return List.of();
        List<String> problems = new ArrayList<>();
        TreeSet<String> failing = failing(report);
        Path state = stateDir.resolve("last-" + fileName(report.checklist()) + ".json");
        boolean send =
                switch (when) {
                    case ALWAYS -> true;
                    case FAIL -> report.exitCode() != RunReport.OK;
                    case CHANGE ->
                            previous(state, problems).map(p -> !p.equals(failing)).orElse(true);
                };
        if (!send) return problems;
        Message message = Message.of(report);
        for (Notifier n : notifiers) {
            try {
                n.send(message);
            } catch (IOException | RuntimeException e) {
                problems.add("notification " + n.label() + ": " + cause(e));
            }
        }
        if (when == When.CHANGE && problems.isEmpty()) remember(state, report, failing, problems);
        return problems;
    }

    /** The failing host/check pairs: {@code web1/ntp}, and {@code web2} for an unreachable host. */
    static TreeSet<String> failing(RunReport report) {
        TreeSet<String> pairs = new TreeSet<>();
        for (HostResult h : report.hosts()) {
            if (h.unreachable().isPresent()) pairs.add(h.host());
            for (CheckResult c : h.checks())
                if (c.status() == Status.FAIL || c.status() == Status.ERROR)
                    pairs.add(h.host() + "/" + c.id());
        }
        return pairs;
    }

    private static Optional<TreeSet<String>> previous(Path state, List<String> problems) {
        if (!Files.exists(state)) return Optional.empty();
        try {
            JsonNode failing = Json.MAPPER.readTree(state.toFile()).path("failing");
            if (!failing.isArray()) throw new IOException("no 'failing' list");
            TreeSet<String> pairs = new TreeSet<>();
            failing.forEach(n -> pairs.add(n.asText()));
            return Optional.of(pairs);
        } catch (IOException e) {
            problems.add(
                    "notification state " + state + " unreadable, treated as changed: " + cause(e));
            return Optional.empty();
        }
    }

    private static void remember(
            Path state, RunReport report, TreeSet<String> failing, List<String> problems) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("checklist", report.checklist());
        root.put("run_id", report.runId());
        root.put("started", report.started().toString());
        failing.forEach(root.putArray("failing")::add);
        try {
            SafeFiles.replace(
                    state,
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (IOException e) {
            problems.add("notification state " + state + " not written: " + cause(e));
        }
    }

    private static String fileName(String checklist) {
        return checklist.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String cause(Exception e) {
        String m = e.getMessage();
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException)
            return "timed out" + (m == null ? "" : " (" + m + ")");
        if (e instanceof ConnectException)
            return "connection refused" + (m == null ? "" : " (" + m + ")");
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
