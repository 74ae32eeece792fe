package dev.postflight.input;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * Where one template stands in a check file. A scalar knows only where it starts; an error about
 * one template of a multi-line {@code run:} should point at that template, so the file is read
 * again from the scalar's start to find its n-th {@code {{}.
 */
final class Locations {
    private Locations() {}

    /**
     * The location of the {@code index}-th (from 0) {@code {{} of {@code text}, the scalar that
     * starts at {@code at}; {@code at} itself when the file cannot be read or does not hold it.
     */
    static Location ofTemplate(Location at, String text, int index) {
        if (at.file() == null || !Files.isRegularFile(at.file())) return at;
        List<String> lines;
        try {
            lines = Files.readAllLines(at.file(), StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return at;
        }
        int seen = 0;
        for (int l = at.line() - 1; l >= 0 && l < lines.size(); l++) {
            String line = lines.get(l);
            int from =
                    l == at.line() - 1 ? Math.max(0, Math.min(line.length(), at.column() - 1)) : 0;
            for (int c = line.indexOf("{{", from); c >= 0; c = line.indexOf("{{", c + 2)) {
                if (seen++ == index) return new Location(at.file(), l + 1, c + 1);
            }
        }
        return at;
    }
}
