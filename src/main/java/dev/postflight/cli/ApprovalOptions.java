package dev.postflight.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How an admin approves confirm fixes on the command line, the same for {@code verify --fix} and
 * {@code apply} (issue 13: a saved plan approves nothing by itself).
 */
final class ApprovalOptions {
    @Option(names = "--yes", description = "Approve every confirm fix (verify: with --fix).")
    boolean yes;

    @Option(
            names = "--approve",
            paramLabel = "FIX",
            split = ",",
            description = "Approve these confirm fixes (verify: with --fix; repeatable).")
    List<String> approve = new ArrayList<>();
}
