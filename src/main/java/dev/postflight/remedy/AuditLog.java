package dev.postflight.remedy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postflight.files.SafeFiles;
import dev.postflight.files.UserHome;
import dev.postflight.input.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Append-only JSON lines of everything a fix run does: who ran it, what was approved and how, every
 * command before it is sent ("about to run") and its result after, with the host and its host key.
 * Values of vars marked {@code secret: true} never reach the file. Default file: {@code
 * ${XDG_STATE_HOME:-~/.local/state}/postflight/audit.jsonl} on the runner, created 0600 (its
 * folders 0700) and appended to with {@code O_APPEND|O_NOFOLLOW}: never through a symbolic link.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final String runId;
    private final Secrets secrets;

    public AuditLog(Path file, String runId, Secrets secrets) {
        this.file = file;
        this.runId = runId;
        this.secrets = secrets;
    }

    public AuditLog(Path file, String runId, List<String> secrets) {
        this(file, runId, Secrets.of(secrets));
    }

    public static Path defaultFile() {
        String state = System.getenv("XDG_STATE_HOME");
        Path base =
                state != null && !state.isEmpty()
                        ? Path.of(state)
                        : UserHome.dir().resolve(".local").resolve("state");
        return base.resolve("postflight").resolve("audit.jsonl");
    }

    public Path file() {
        return file;
    }

    /** Writes one record: {@code event} plus the fields, strings redacted. */
    public synchronized void write(String event, Map<String, ?> fields) {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", Instant.now().toString());
        n.put("run_id", runId);
        n.put("event", event);
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            Object v = e.getValue();
            if (v instanceof String s) n.put(e.getKey(), redact(s));
            else if (v instanceof List<?> l) {
                var a = n.putArray(e.getKey());
                for (Object o : l) a.add(redact(String.valueOf(o)));
            } else n.set(e.getKey(), JSON.valueToTree(v));
        }
        try {
            SafeFiles.append(file, JSON.writeValueAsString(n) + "\n", true);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    public String redact(String s) {
        return secrets.redact(s);
    }

    /** The run's secrets, which every other output redacts the same way. */
    public Secrets secrets() {
        return secrets;
    }

    /** SHA-256 of a command's full output, so a tail in the log can be matched to the whole. */
    public static String digest(String s) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
