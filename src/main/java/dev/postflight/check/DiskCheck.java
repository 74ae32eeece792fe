package dev.postflight.check;

import dev.postflight.checklist.Fields;
import java.util.Optional;

/** Not built yet. */
public record DiskCheck() implements CheckSpec {
    static Optional<DiskCheck> parse(Fields f) {
        f.error("not implemented yet");
        return Optional.empty();
    }

    @Override
    public Verdict judge(Observation observation) {
        return Verdict.error("not implemented");
    }

    @Override
    public String describe() {
        return "not implemented";
    }
}
