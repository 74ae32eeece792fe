package dev.postflight.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPatternsTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(
            delimiter = ';',
            value = {
                "*                       ; [127.0.0.1]:2222      ; true",
                "[127.0.0.1]:*           ; [127.0.0.1]:2222      ; true",
                "[127.0.0.1]:*           ; 127.0.0.1             ; false",
                "*.example.org           ; web1.example.org      ; true",
                "*.example.org           ; example.org           ; false",
                "web?.example.org        ; web1.example.org      ; true",
                "web?.example.org        ; web10.example.org     ; false",
                "WEB1.example.org        ; web1.EXAMPLE.org      ; true",
                "*.example.org,!db*      ; db1.example.org       ; false",
                "!db*,*.example.org      ; web1.example.org      ; true",
                "!web1.example.org       ; web1.example.org      ; false",
                "|1|c2FsdA==|aGFzaA==    ; web1.example.org      ; false",
            })
    void matchesLikeOpenSsh(String patterns, String host, boolean expected) {
        assertEquals(expected, HostPatterns.matches(patterns.strip(), host.strip()));
    }
}
