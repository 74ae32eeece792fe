package dev.postflight.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a template in a shell command becomes, and where it is refused. */
class ShellTemplateTest {
    private static final Location AT = new Location(Path.of("c.yaml"), 3, 10);

    private static String expand(String text, String value, Problems problems) {
        return Template.expand(
                text, Map.of("v", Optional.of(value)), Template.Quoting.SHELL, AT, problems);
    }

    private static String expand(String text, String value) {
        Problems p = new Problems();
        String out = expand(text, value, p);
        assertEquals(List.of(), p.list());
        return out;
    }

    private static List<String> errors(String text) {
        Problems p = new Problems();
        expand(text, "x", p);
        return p.list().stream().map(InputError::toString).toList();
    }

    @Test
    void aValueIsAssignedSingleQuotedAndReferencedDoubleQuotedWhenBare() {
        assertEquals("pf_v1='a b'\necho \"${pf_v1}\"", expand("echo {{ v }}", "a b"));
    }

    @Test
    void insideDoubleQuotesAndHeredocsTheReferenceIsPlain() {
        assertEquals("pf_v1='x'\necho \"<${pf_v1}>\"", expand("echo \"<{{ v }}>\"", "x"));
        assertEquals(
                "pf_v1='x'\ncat <<EOF\n${pf_v1}\nEOF\necho \"${pf_v1}\"",
                expand("cat <<EOF\n{{ v }}\nEOF\necho {{v}}", "x"));
    }

    @Test
    void commandSubstitutionOpensABareContextEvenInsideDoubleQuotes() {
        assertEquals(
                "pf_v1='x'\necho \"$(printf %s \"${pf_v1}\")\"",
                expand("echo \"$(printf %s {{ v }})\"", "x"));
    }

    @Test
    void quotesAndNewlinesInAValueStayInsideItsAssignment() {
        assertEquals(
                "pf_nl=$(printf '\\n_'); pf_nl=${pf_nl%_}; pf_v1='it'\\''s'\"$pf_nl\"'$(x)'\n"
                        + "echo \"${pf_v1}\"",
                expand("echo {{ v }}", "it's\n$(x)"));
    }

    @Test
    void aTemplateInsideSingleQuotesIsAnErrorThatSaysToUseDoubleQuotes() {
        assertEquals(
                List.of(
                        "c.yaml:3:10: a template inside single quotes cannot be substituted"
                                + " safely; use \"{{ v }}\" (double quotes) instead of '{{ v }}'"),
                errors("echo '{{ v }}'"));
    }

    @Test
    void aTemplateInAQuotedHeredocIsAnError() {
        assertEquals(
                List.of(
                        "c.yaml:3:10: a template inside a heredoc with a quoted delimiter ('EOF')"
                                + " is never substituted; write <<EOF without quotes and escape"
                                + " the body's $ and ` as \\$ and \\`"),
                errors("cat <<'EOF'\n{{ v }}\nEOF"));
    }

    @Test
    void arithmeticParameterExpansionAndDoubleBracketsAreErrors() {
        assertEquals(1, errors("echo $(( {{ v }} + 1 ))").size());
        assertEquals(1, errors("(( {{ v }} > 1 ))").size());
        assertEquals(1, errors("echo \"${x:-{{ v }}}\"").size());
        assertEquals(1, errors("[[ {{ v }} -eq 1 ]]").size());
        assertEquals(1, errors("echo $(( $(echo {{ v }}) ))").size());
    }

    @Test
    void commentsBackticksAndCodeRunnersAreErrors() {
        assertEquals(1, errors("true # {{ v }}").size());
        assertEquals(1, errors("echo `echo {{ v }}`").size());
        assertEquals(1, errors("eval \"echo {{ v }}\"").size());
        assertEquals(1, errors("sudo sh -c \"echo {{ v }}\"").size());
        assertEquals(1, errors("sudo -u www-data /bin/sh -c \"echo {{ v }}\"").size());
        assertEquals(1, errors("\"eval\" \"echo {{ v }}\"").size());
        assertEquals(1, errors("ev\\al \"echo {{ v }}\"").size());
        assertEquals(
                List.of(
                        "c.yaml:3:10: sh -c runs its argument as shell code; pass the value as an"
                                + " argument instead: sh -c '… \"$1\" …' sh {{ v }}"),
                errors("sh -c \"echo {{ v }}\""));
    }

    @Test
    void aTemplateAfterABackslashAndBashArithmeticAreErrors() {
        assertEquals(
                List.of(
                        "c.yaml:3:10: a template right after a backslash is not substituted;"
                                + " remove the \\"),
                errors("echo \\{{ v }}"));
        assertEquals(1, errors("echo $[ {{ v }} ]").size());
        assertEquals(1, errors("let n={{ v }}").size());
    }

    @Test
    void aHashInsideAWordIsNotAComment() {
        assertEquals("pf_v1='x'\necho a#\"${pf_v1}\"", expand("echo a#{{ v }}", "x"));
    }

    @Test
    void aHashAfterACommandSubstitutionIsNotAComment() {
        assertEquals("pf_v1='x'\necho $(date)#\"${pf_v1}\"", expand("echo $(date)#{{ v }}", "x"));
    }

    @Test
    void passingAValueAsAnArgumentToShDashCIsAllowed() {
        assertEquals(
                "pf_v1='x'\nsh -c 'echo \"$1\"' sh \"${pf_v1}\"",
                expand("sh -c 'echo \"$1\"' sh {{ v }}", "x"));
    }

    @Test
    void aCommandWithoutTemplatesIsUnchanged() {
        assertEquals("echo '{' }}", expand("echo '{' }}", "x"));
    }
}
