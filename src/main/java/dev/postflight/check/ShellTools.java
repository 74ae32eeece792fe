package dev.postflight.check;

import java.util.List;

/**
 * The tools a host snippet pipes through. A tool missing in the middle of a pipeline does not fail
 * the pipeline (its status is the last command's): its output is just empty, which would read as
 * "no OOM kills", "no backup" or "no time daemon". A BusyBox built without an applet is such a host
 * (issue 18). So a snippet first makes sure of its tools and exits 127 naming the first one
 * missing: the check is an error "TOOL not found", never a verdict on output that was never there.
 */
final class ShellTools {
    private ShellTools() {}

    /** A snippet line that exits 127 with "TOOL not found" unless every tool is on PATH. */
    static String need(String... tools) {
        return "for pf_t in "
                + String.join(" ", List.of(tools))
                + "; do command -v \"$pf_t\" >/dev/null 2>&1"
                + " || { echo \"$pf_t not found\" >&2; exit 127; }; done\n";
    }
}
