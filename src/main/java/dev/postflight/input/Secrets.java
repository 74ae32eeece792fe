package dev.postflight.input;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The values one run must never show: those of vars marked {@code secret: true} (also when given
 * with {@code --var}) and the SMTP password. Built once per run, it is the one redactor every
 * output goes through: reports, notifications, the audit log, the plan, the progress lines and the
 * dry-run listing. It knows every form a value takes in a command: raw, as its template assignment
 * writes it ({@code pf_v1='…'}), single-quoted for {@code sh -c} ({@code '\''}), and quoted once
 * more when such a command is itself quoted (issue 14: {@code s3cr'et-pw} escaped redaction as
 * {@code 's3cr'\''et-pw'}).
 */
public final class Secrets {
    public static final String REDACTED = "<redacted>";
    public static final Secrets NONE = new Secrets(List.of());

    private final List<String> values;
    private final List<String> forms;

    private Secrets(List<String> values) {
        this.values = values;
        this.forms =
                values.stream()
                        .flatMap(v -> Stream.of(v, ShellTemplate.assigned(v)))
                        .flatMap(v -> Stream.of(v, quoted(v), quoted(quoted(v))))
                        .distinct()
                        .sorted(Comparator.comparingInt(String::length).reversed())
                        .toList();
    }

    /** The redactor for {@code values}; empty values are ignored. */
    public static Secrets of(Collection<String> values) {
        return new Secrets(values.stream().filter(v -> !v.isEmpty()).distinct().toList());
    }

    /** These secrets and {@code more}. */
    public Secrets and(Collection<String> more) {
        return of(Stream.concat(values.stream(), more.stream()).toList());
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** {@code text} with every form of every secret replaced by {@code <redacted>}. */
    public String redact(String text) {
        if (text == null || forms.isEmpty()) return text;
        String out = text;
        for (String f : forms) out = out.replace(f, REDACTED);
        return out;
    }

    public List<String> redact(List<String> lines) {
        return forms.isEmpty() ? lines : lines.stream().map(this::redact).toList();
    }

    /** A writer that redacts every string printed to {@code out} (progress lines, prompts). */
    public PrintWriter redacting(PrintWriter out) {
        if (forms.isEmpty()) return out;
        return new PrintWriter((Writer) out, true) {
            @Override
            public void write(String s, int off, int len) {
                String r = redact(s.substring(off, off + len));
                super.write(r, 0, r.length());
            }
        };
    }

    /** The inside of {@link Template#shellQuote}: each {@code '} written as {@code '\''}. */
    private static String quoted(String v) {
        return v.replace("'", "'\\''");
    }
}
