package dev.postflight.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PluralTest {
    @ParameterizedTest
    @CsvSource({
        "1, fix, 1 fix",
        "2, fix, 2 fixes",
        "0, check, 0 checks",
        "1, host, 1 host",
        "3, host, 3 hosts",
        "2, pass, 2 passes",
        "2, batch, 2 batches",
    })
    void countsWithTheRightNoun(long n, String noun, String expected) {
        assertEquals(expected, Plural.of(n, noun));
    }
}
