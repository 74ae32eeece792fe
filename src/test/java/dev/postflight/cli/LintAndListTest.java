package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LintAndListTest {
    @TempDir Path dir;

    @Test
    void theShippedChecklistsLintClean() {
        Cli r = Cli.run("lint", "checks");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("checks/local.yaml: ok"), r.out());
    }

    @Test
    void lintPrintsEveryErrorOfEveryFileAndExitsTwo() throws Exception {
        Files.writeString(
                dir.resolve("a.yaml"), "checks:\n  - id: A\n    disk: { max_used: 180% }\n");
        Files.writeString(dir.resolve("b.yaml"), "chekcs: []\n");
        Cli r = Cli.run("lint", dir.toString());
        assertEquals(2, r.exit());
        assertEquals(
                dir
                        + "/a.yaml:2:9: id 'A' must be lowercase letters, digits and dashes ([a-z0-9-]+)\n"
                        + dir
                        + "/a.yaml:3:23: max_used: '180%' is not a size; write e.g. 80% or 512M\n"
                        + dir
                        + "/b.yaml:1:1: unknown key 'chekcs' in a check file (did you mean 'checks'?)\n",
                r.err());
    }

    @Test
    void lintRejectsTemplatesWhereAValueCannotBeQuotedAtTheirOwnLineAndColumn() throws Exception {
        Files.writeString(
                dir.resolve("t.yaml"),
                """
                vars: { v: x }
                checks:
                  - id: quoted
                    command: { run: "echo '{{ v }}' \\"{{ v }}\\"" }
                  - id: heredoc
                    command:
                      run: |
                        cat <<'EOF'
                        {{ v }}
                        EOF
                fixes:
                  f:
                    steps:
                      - run: echo $(( {{ v }} + 1 ))
                """);
        Cli r = Cli.run("lint", dir.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(
                dir
                        + "/t.yaml:4:28: a template inside single quotes cannot be substituted"
                        + " safely; use \"{{ v }}\" (double quotes) instead of '{{ v }}'\n"
                        + dir
                        + "/t.yaml:9:9: a template inside a heredoc with a quoted delimiter"
                        + " ('EOF') is never substituted; write <<EOF without quotes and escape"
                        + " the body's $ and ` as \\$ and \\`\n"
                        + dir
                        + "/t.yaml:14:23: a template inside $(( )) or (( )) is evaluated as"
                        + " arithmetic, where bash runs $( ) in array subscripts; assign it first"
                        + " (n={{ v }}) and test it with [ \"$n\" -eq … ] or case\n",
                r.err());
    }

    @Test
    void listKeepsTheFilesOrderAndShowsAProbeSharedByTwoChecksOnce() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(
                f,
                """
                vars: { site_name: ~ }
                checks:
                  - id: web
                    service: { name: nginx }
                  - id: site
                    command: { run: "curl -fsS http://{{ site_name }}/" }
                  - id: web-again
                    service: { name: nginx }
                """);
        Cli r = Cli.run("list", f.toString());
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(
                out.indexOf("    web  [") < out.indexOf("    site  [")
                        && out.indexOf("    site  [") < out.indexOf("    web-again  ["),
                out);
        assertTrue(out.contains("s): the same probe as web above\n"), out);
        int probeLine = out.indexOf("      on the host (timeout ");
        String firstProbe = out.substring(probeLine, out.indexOf("    site  ["));
        assertEquals(1, out.split(java.util.regex.Pattern.quote(firstProbe), -1).length - 1, out);
    }

    @Test
    void listShowsWhatEachProbeRunsAndEachFixsSteps() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(
                f,
                """
                vars: { ntp_server: ntp.example.net }
                checks:
                  - id: offset
                    command: { run: "ntpdate -q {{ ntp_server }}" }
                    fix: resync-clock
                fixes:
                  resync-clock:
                    approval: confirm
                    become: true
                    steps:
                      - service: { name: ntpd, action: stop }
                      - run: ntpdate {{ ntp_server }}
                    finally:
                      - service: { name: ntpd, action: start }
                """);
        Cli r = Cli.run("list", f.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(
                r.out()
                        .contains(
                                "        pf_v1='ntp.example.net'\n        ntpdate -q \"${pf_v1}\"\n"),
                r.out());
        assertTrue(r.out().contains("    resync-clock  [approval: confirm, sudo -n]\n"), r.out());
        assertTrue(
                r.out()
                        .contains(
                                "      step: run: pf_v1='ntp.example.net'\n             ntpdate \"${pf_v1}\"\n"),
                r.out());
        assertTrue(r.out().contains("      finally: service ntpd start ("), r.out());
    }

    @Test
    void versionIsPrinted() {
        Cli r = Cli.run("--version");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("postflight "), r.out());
    }
}
