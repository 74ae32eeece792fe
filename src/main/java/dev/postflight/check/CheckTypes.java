package dev.postflight.check;

import dev.postflight.checklist.Fields;
import java.util.List;
import java.util.Optional;

/** The registry of check types: the one place that maps a type key to its parser. */
public final class CheckTypes {
    /** Every type key a check may use, in documentation order. */
    public static final List<String> NAMES =
            List.of(
                    "http",
                    "service",
                    "process",
                    "port",
                    "file",
                    "command",
                    "disk",
                    "clock",
                    "timesync",
                    "tls",
                    "cert_file",
                    "backup",
                    "boot");

    private CheckTypes() {}

    /**
     * Parses the mapping under a check's type key. Errors go to the {@link Fields}' problems; the
     * result is empty when the spec is invalid.
     */
    public static Optional<? extends CheckSpec> parse(String type, Fields f) {
        Optional<? extends CheckSpec> spec =
                switch (type) {
                    case "http" -> HttpCheck.parse(f);
                    case "service" -> ServiceCheck.parse(f);
                    case "process" -> ProcessCheck.parse(f);
                    case "port" -> PortCheck.parse(f);
                    case "file" -> FileCheck.parse(f);
                    case "command" -> CommandCheck.parse(f);
                    case "disk" -> DiskCheck.parse(f);
                    case "clock" -> ClockCheck.parse(f);
                    case "timesync" -> TimesyncCheck.parse(f);
                    case "tls" -> TlsCheck.parse(f);
                    case "cert_file" -> CertFileCheck.parse(f);
                    case "backup" -> BackupCheck.parse(f);
                    case "boot" -> BootCheck.parse(f);
                    default -> throw new IllegalArgumentException("unknown check type " + type);
                };
        f.finish();
        return spec;
    }
}
