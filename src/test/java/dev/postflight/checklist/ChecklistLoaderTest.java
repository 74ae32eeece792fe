package dev.postflight.checklist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.postflight.check.CheckType;
import dev.postflight.check.CommandCheck;
import dev.postflight.check.HttpCheck;
import dev.postflight.input.InvalidInput;
import dev.postflight.input.Problems;
import dev.postflight.testing.LocalRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of mistake in a check file, with the exact message a user sees. */
class ChecklistLoaderTest {
    @TempDir Path dir;

    private List<String> errors(String yaml) {
        Path f = LocalRun.write(dir, "c.yaml", yaml);
        InvalidInput e =
                assertThrows(
                        InvalidInput.class,
                        () -> {
                            Problems p = new Problems();
                            Checklist cl = ChecklistLoader.load(List.of(f), p);
                            ChecklistBinder.bind(cl, Map.of(), "web1", "203.0.113.10", p);
                            p.throwIfAny();
                        });
        return e.errors().stream()
                .map(x -> x.toString().replace(dir.toString() + "/", ""))
                .toList();
    }

    private ChecklistBinder.Bound bind(String yaml, Map<String, String> vars) throws InvalidInput {
        Path f = LocalRun.write(dir, "c.yaml", yaml);
        Checklist cl = ChecklistLoader.load(List.of(f));
        Problems p = new Problems();
        ChecklistBinder.Bound b = ChecklistBinder.bind(cl, vars, "web1", "203.0.113.10", p);
        p.throwIfAny();
        return b;
    }

    @Test
    void yamlSyntaxErrorHasFileLineAndColumn() {
        List<String> e = errors("checks:\n  - id: a\n    command: { run: true\n");
        assertEquals(
                List.of(
                        "c.yaml:4:1: YAML syntax: expected ',' or '}', but got <stream end>"
                                + " (in a flow mapping that starts at line 3, column 14)"),
                e);
    }

    @Test
    void unknownKeySuggestsTheNearestValidOne() {
        assertEquals(
                List.of(
                        "c.yaml:3:36: unknown key 'stauts' in http check 'site' (did you mean 'status'?)"),
                errors(
                        "checks:\n  - id: site\n    http: { url: x, stauts: 200 }\n"
                                .replace("url: x", "url: \"https://e.org/\"")
                                .replace("{ url", "{ url")));
    }

    @Test
    void unknownCheckTypeSuggestsTheNearestType() {
        assertEquals(
                List.of(
                        "c.yaml:2:5: check 'site' has no type: add one of "
                                + String.join(", ", CheckType.NAMES),
                        "c.yaml:3:5: unknown key 'htp' in check 'site' (did you mean 'http'?)"),
                errors("checks:\n  - id: site\n    htp: { url: \"https://e.org/\" }\n"));
    }

    @Test
    void wrongTypeAndBadDurationAreReportedAtTheirValues() {
        assertEquals(
                List.of(
                        "c.yaml:3:49: max_latency: '2 seconds' is not a duration; write e.g. 250ms, 30s, 5m, 26h or 7d",
                        "c.yaml:4:21: status: expected a value or a list, found a mapping"),
                errors(
                        """
                        checks:
                          - id: site
                            http: { url: "https://e.org/", max_latency: 2 seconds,
                                    status: { code: 200 } }
                        """));
    }

    @Test
    void duplicateIdsMissingFixAndUnknownTemplateNameAreAllReportedAtOnce() {
        assertEquals(
                List.of(
                        "c.yaml:4:10: check 'a' names fix 'resync-clok', which is not defined under fixes: (did you mean 'resync-clock'?)",
                        "c.yaml:5:9: duplicate check id 'a' (first at c.yaml:2:5)",
                        "c.yaml:6:21: unknown template name 'ntp_sever' (did you mean 'ntp_server'?)"),
                errors(
                        """
                        checks:
                          - id: a
                            command: { run: "true" }
                            fix: resync-clok
                          - id: a
                            command: { run: "ntpdate {{ ntp_sever }}" }
                        vars: { ntp_server: pool.ntp.org }
                        fixes:
                          resync-clock: { steps: [ { run: "true" } ] }
                        """));
    }

    @Test
    void missingFileIsReportedWhereItWasNamed() {
        assertEquals(
                List.of("c.yaml:1:10: file not found: nope.yaml"),
                errors("include: nope.yaml\nchecks: []\n"));
    }

    @Test
    void includeCycleIsAnError() {
        LocalRun.write(dir, "b.yaml", "include: c.yaml\n");
        List<String> e = errors("include: b.yaml\nchecks: []\n");
        assertEquals(List.of("b.yaml:1:10: include cycle: c.yaml -> b.yaml -> c.yaml"), e);
    }

    @Test
    void varWithoutValueMustBeSetByInventoryOrFlag() {
        assertEquals(
                List.of(
                        "c.yaml:3:18: var 'site_url' has no value: set it in the inventory (group or"
                                + " host vars) or with --var site_url=VALUE"),
                errors(
                        "checks:\n  - id: a\n    http: { url: \"{{ site_url }}\" }\nvars: { site_url: ~ }\n"));
    }

    @Test
    void varsFollowPrecedenceAndCommandValuesAreShellQuoted() throws InvalidInput {
        ChecklistBinder.Bound b =
                bind(
                        """
                        vars: { server: "default", name: "x" }
                        checks:
                          - id: a
                            command: { run: "ntpdate -q {{ server }} {{ host.name }}" }
                          - id: b
                            http: { url: "https://{{ host.address }}/{{ name }}", timeout: 3s }
                        """,
                        Map.of("server", "evil; rm -rf /"));
        assertEquals(
                "pf_v1='evil; rm -rf /'; pf_v2='web1'\nntpdate -q \"${pf_v1}\" \"${pf_v2}\"",
                ((CommandCheck) b.checks().get(0).spec()).run());
        HttpCheck http = (HttpCheck) b.checks().get(1).spec();
        assertEquals("https://203.0.113.10/x", http.url());
        assertEquals(Duration.ofSeconds(3), http.timeout());
    }

    @Test
    void includedChecksComeFirstAndTheIncludersVarsWin() throws InvalidInput {
        LocalRun.write(
                dir,
                "base.yaml",
                "vars: { v: base, w: base }\nchecks:\n  - id: base-check\n    command: { run: \"echo {{ v }}\" }\n");
        ChecklistBinder.Bound b =
                bind(
                        "include: base.yaml\nvars: { v: top }\nchecks:\n  - id: top-check\n    command: { run: \"echo {{ w }}\" }\n",
                        Map.of());
        assertEquals("base-check", b.checks().get(0).id());
        assertEquals(
                "pf_v1='top'\necho \"${pf_v1}\"", ((CommandCheck) b.checks().get(0).spec()).run());
        assertEquals(
                "pf_v1='base'\necho \"${pf_v1}\"", ((CommandCheck) b.checks().get(1).spec()).run());
    }

    @Test
    void recordRulesAreReportedWithTheCheck() {
        assertEquals(
                List.of(
                        "c.yaml:3:11: http check 'a': url must start with http:// or https://: ftp://x"),
                errors("checks:\n  - id: a\n    http: { url: \"ftp://x\" }\n"));
    }

    @Test
    void whenFalseSkipsTheCheck() throws InvalidInput {
        ChecklistBinder.Bound b =
                bind(
                        "vars: { has_php: \"false\" }\nchecks:\n  - id: fpm\n    when: \"{{ has_php }}\"\n    command: { run: \"true\" }\n",
                        Map.of());
        assertEquals("when: {{ has_php }} is false", b.checks().get(0).skip().orElseThrow());
    }
}
