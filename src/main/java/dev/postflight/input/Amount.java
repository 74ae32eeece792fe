package dev.postflight.input;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size as users write it: a share ({@code 80%}) or an absolute amount ({@code 512M}). */
public record Amount(double value, boolean percent) {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(%|[KMGT]i?B?|B)?");

    public static Optional<Amount> parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) return Optional.empty();
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        if (unit.equals("%")) {
            return n <= 100 ? Optional.of(new Amount(n, true)) : Optional.empty();
        }
        long factor =
                switch (unit.charAt(0)) {
                    case 'K' -> 1L << 10;
                    case 'M' -> 1L << 20;
                    case 'G' -> 1L << 30;
                    case 'T' -> 1L << 40;
                    default -> 1L;
                };
        return Optional.of(new Amount(n * factor, false));
    }

    @Override
    public String toString() {
        if (percent) return trim(value) + "%";
        String[] units = {"B", "K", "M", "G", "T"};
        double v = value;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return trim(v) + units[i];
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
