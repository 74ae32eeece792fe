package dev.postflight.check;

import dev.postflight.checklist.Fields;
import java.util.Optional;

/** Not built yet. */
public record ProcessCheck() implements CheckSpec {
    static Optional<ProcessCheck> parse(Fields f) {
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
