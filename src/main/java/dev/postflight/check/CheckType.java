package dev.postflight.check;

import dev.postflight.input.Fields;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The registry of check types: the one place that maps a type key to its parser. Adding a type is
 * its file, its test and one line here; the loader's list of valid keys and the README's type
 * reference (checked by a test) follow from it.
 */
public enum CheckType {
    HTTP("http", HttpCheck::parse),
    SERVICE("service", ServiceCheck::parse),
    PROCESS("process", ProcessCheck::parse),
    PORT("port", PortCheck::parse),
    FILE("file", FileCheck::parse),
    COMMAND("command", CommandCheck::parse),
    DISK("disk", DiskCheck::parse),
    CLOCK("clock", ClockCheck::parse),
    TIMESYNC("timesync", TimesyncCheck::parse),
    TLS("tls", TlsCheck::parse),
    CERT_FILE("cert_file", CertFileCheck::parse),
    BACKUP("backup", BackupCheck::parse),
    BOOT("boot", BootCheck::parse),
    LOAD("load", LoadCheck::parse),
    MEMORY("memory", MemoryCheck::parse),
    PROCESSES("processes", ProcessesCheck::parse),
    FIREWALL("firewall", FirewallCheck::parse),
    FILES_OPEN("files_open", FilesOpenCheck::parse),
    UPDATES("updates", UpdatesCheck::parse);

    /** Every type key a check may use, in documentation order. */
    public static final List<String> NAMES = Arrays.stream(values()).map(t -> t.key).toList();

    private final String key;
    private final Function<Fields, Optional<? extends CheckSpec<?>>> parser;

    CheckType(String key, Function<Fields, Optional<? extends CheckSpec<?>>> parser) {
        this.key = key;
        this.parser = parser;
    }

    public String key() {
        return key;
    }

    public static Optional<CheckType> of(String key) {
        return Arrays.stream(values()).filter(t -> t.key.equals(key)).findFirst();
    }

    /**
     * Parses the mapping under a check's type key. Errors go to the {@link Fields}' problems; the
     * result is empty when the spec is invalid.
     */
    public Optional<? extends CheckSpec<?>> parse(Fields f) {
        Optional<? extends CheckSpec<?>> spec = parser.apply(f);
        f.finish();
        return spec;
    }
}
