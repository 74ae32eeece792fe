package dev.postflight.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyValuesTest {
    @Test
    void repeatedKeysKeepEveryValueInOrderAndLinesWithoutAKeyAreIgnored() {
        KeyValues kv = KeyValues.parse("now=12\nfile=a|1| b \nnoise\n=x\nfile=c=d\nnow=13\n");
        assertEquals(Optional.of("12"), kv.first("now"));
        assertEquals(List.of("a|1| b ", "c=d"), kv.all("file"));
        assertEquals(Optional.empty(), kv.first("missing"));
        assertEquals(List.of(), kv.all("missing"));
        assertEquals(Optional.empty(), kv.first(""));
    }
}
