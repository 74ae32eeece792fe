package dev.postflight.checklist;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{ name }}} substitution, nothing more: no logic, no filters. Values substituted into a
 * shell command are single-quoted so that a var can never inject shell syntax.
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
        Matcher m = REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            Optional<String> value = vars.get(name);
            String replacement;
            if (value == null) {
                problems.add(at, "unknown template name '" + name + "'" + suggestion(name, vars));
                replacement = m.group();
            } else if (value.isEmpty()) {
                problems.add(
                        at,
                        "var '"
                                + name
                                + "' has no value: set it in the inventory (group or host vars)"
                                + " or with --var "
                                + name
                                + "=VALUE");
                replacement = m.group();
            } else {
                replacement = quoting == Quoting.SHELL ? shellQuote(value.get()) : value.get();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        if (out.indexOf("{{") >= 0 && !REF.matcher(out).find()) {
            problems.add(at, "malformed template: '{{' without a name and '}}'");
        }
        return out.toString();
    }

    /** POSIX single-quoting: safe for any value, including quotes and newlines. */
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
