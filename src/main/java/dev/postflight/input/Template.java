package dev.postflight.input;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{ name }}} substitution, nothing more: no logic, no filters. In a shell command ({@link
 * Quoting#SHELL}) a value never becomes shell syntax: see {@link ShellTemplate}. Elsewhere (a url,
 * a path) it is substituted as written.
 */
public final class Template {
    private static final Pattern REF =
            Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");

    private Template() {}

    /** How substituted values are written into the text. */
    public enum Quoting {
        NONE,
        SHELL
    }

    /**
     * Substitutes every reference in {@code text}. A name that {@code vars} does not know, or knows
     * without a value, is reported at {@code at} and left as written.
     */
    public static String expand(
            String text,
            Map<String, Optional<String>> vars,
            Quoting quoting,
            Location at,
            Problems problems) {
        if (!text.contains("{{")) return text;
        if (quoting == Quoting.SHELL) {
            String script = ShellTemplate.expand(text, vars, at, problems);
            malformed(text, at, problems);
            return script;
        }
        Matcher m = REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = lookup(m.group(1), vars, at, problems).orElse(m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        malformed(text, at, problems);
        return out.toString();
    }

    /**
     * The value of {@code name}; a name that {@code vars} does not know, or knows without a value,
     * is reported at {@code at}.
     */
    static Optional<String> lookup(
            String name, Map<String, Optional<String>> vars, Location at, Problems problems) {
        Optional<String> value = vars.get(name);
        if (value == null) {
            problems.add(at, "unknown template name '" + name + "'" + suggestion(name, vars));
            return Optional.empty();
        }
        if (value.isEmpty()) {
            problems.add(
                    at,
                    "var '"
                            + name
                            + "' has no value: set it in the inventory (group or host vars)"
                            + " or with --var "
                            + name
                            + "=VALUE");
        }
        return value;
    }

    /**
     * A shell command as reports label it: without the first line that assigns the values (see
     * {@link ShellTemplate}), so a label reads {@code ntpdate -b "${pf_v1}"}.
     */
    public static String withoutValues(String command) {
        if (!command.startsWith("pf_v1=") && !command.startsWith("pf_nl=$(printf")) return command;
        int nl = command.indexOf('\n');
        return nl < 0 ? command : command.substring(nl + 1);
    }

    /**
     * How {@code value} is written inside its single-quoted assignment, e.g. for the audit log to
     * redact a secret holding a quote or a newline there too.
     */
    public static String asAssigned(String value) {
        return ShellTemplate.assigned(value);
    }

    private static void malformed(String text, Location at, Problems problems) {
        if (REF.matcher(text).replaceAll("").contains("{{")) {
            problems.add(at, "malformed template: '{{' without a name and '}}'");
        }
    }

    /**
     * POSIX single-quoting of a whole word (a path, a script handed to {@code sh -c}): safe for any
     * value, including quotes and newlines.
     */
    public static String shellQuote(String value) {
        if (!value.isEmpty() && value.matches("[A-Za-z0-9_./:=@%+,-]+")) return value;
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static String suggestion(String name, Map<String, Optional<String>> vars) {
        return Suggest.nearest(name, vars.keySet())
                .map(s -> " (did you mean '" + s + "'?)")
                .orElse(" (define it under vars:)");
    }
}
