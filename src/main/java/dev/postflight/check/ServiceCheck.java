package dev.postflight.check;

import dev.postflight.checklist.Fields;
import java.util.Optional;

/** Not built yet. */
public record ServiceCheck() implements CheckSpec {
    static Optional<ServiceCheck> parse(Fields f) {
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
