package dev.postflight.input;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Templates in a shell command (a command check's {@code run:}, a fix's {@code run:} step). A value
 * never becomes shell syntax: the script first assigns each value to a shell variable,
 * single-quoted ({@code pf_v1='…'}), and each template becomes a reference to it, written for the
 * lexical context it stands in: {@code "${pf_v1}"} bare, {@code ${pf_v1}} inside double quotes or
 * an unquoted heredoc. Where no reference can work (single quotes, a quoted heredoc, a comment,
 * backticks) or where the shell would evaluate the value as code (arithmetic, {@code ${…}}, {@code
 * [[ ]]}, {@code eval}, {@code let}, {@code trap}, {@code sh -c}), the template is an error that
 * says how to write it instead. Issue 13: a value quoted only when it held metacharacters broke out
 * of {@code "echo \"{{ v }}\""}.
 *
 * <p>Over 400 lines on purpose: every rule for where a template may stand in a shell command, and
 * how its value reaches the shell only as a variable, is in one place that the template-injection
 * property test attacks as a whole; a rule split off is a rule that can be missed.
 */
final class ShellTemplate {
    static final Pattern REF = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");

    /** Commands that run their arguments as shell code or arithmetic. */
    private static final List<String> EVALUATORS = List.of("eval", "let", "trap");

    /** Shells (and su) whose {@code -c} argument is code. */
    private static final List<String> SHELLS =
            List.of("sh", "bash", "dash", "ksh", "zsh", "ash", "busybox", "su");

    /** Words before the command: reserved words and commands that run the next word. */
    private static final List<String> WRAPPERS =
            List.of(
                    "if", "then", "else", "elif", "do", "while", "until", "!", "time", "{", "exec",
                    "command", "builtin", "sudo", "env", "nohup", "nice");

    private ShellTemplate() {}

    private enum Kind {
        /** Top level, or inside {@code $( )} or {@code ( )}: words are parsed and split. */
        BARE,
        DOUBLE,
        SINGLE,
        COMMENT,
        BACKTICK,
        ARITHMETIC,
        PARAMETER,
        TEST,
        HEREDOC
    }

    private static final class Frame {
        final Kind kind;
        int depth; // parentheses/braces opened inside ARITHMETIC or PARAMETER
        String delimiter = "";
        boolean quoted;
        boolean stripTabs;
        // simple-command tracking, BARE only
        final List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean wordHasTemplate;
        boolean commandHasTemplateAfterC;

        Frame(Kind kind) {
            this.kind = kind;
        }
    }

    private record Heredoc(String delimiter, boolean quoted, boolean stripTabs) {}

    /**
     * Rewrites {@code text}: the assignments on the first line, then the command with references.
     * Errors (unknown names, vars without a value, templates where no reference is safe) go to
     * {@code problems} at their own {@code FILE:LINE:COL}.
     */
    static String expand(
            String text, Map<String, Optional<String>> vars, Location at, Problems problems) {
        Map<String, Integer> numbers = new LinkedHashMap<>();
        List<String> values = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(Kind.BARE));
        List<Heredoc> pending = new ArrayList<>();
        int templateIndex = 0;
        boolean lineStart = true;
        int i = 0;
        int n = text.length();
        while (i < n) {
            Frame top = stack.peek();
            if (top.kind == Kind.HEREDOC && lineStart) {
                int eol = text.indexOf('\n', i);
                String line = eol < 0 ? text.substring(i) : text.substring(i, eol);
                String cmp = top.stripTabs ? line.replaceFirst("^\t+", "") : line;
                if (cmp.equals(top.delimiter)) {
                    out.append(line);
                    stack.pop();
                    i = eol < 0 ? n : eol;
                    lineStart = false;
                    continue;
                }
            }
            lineStart = false;
            Matcher m = text.startsWith("{{", i) ? REF.matcher(text).region(i, n) : null;
            if (m != null && m.lookingAt()) {
                String name = m.group(1);
                Optional<String> problem = contextProblem(stack, m.group());
                int index = templateIndex++;
                if (problem.isPresent()) {
                    problems.add(Locations.ofTemplate(at, text, index), problem.get());
                    out.append(m.group());
                } else {
                    Optional<String> value = Template.lookup(name, vars, at, problems);
                    if (value.isEmpty()) {
                        out.append(m.group());
                    } else {
                        Integer k = numbers.get(name);
                        if (k == null) {
                            values.add(value.get());
                            k = values.size();
                            numbers.put(name, k);
                        }
                        boolean bare = top.kind == Kind.BARE;
                        out.append(bare ? "\"${pf_v" + k + "}\"" : "${pf_v" + k + "}");
                    }
                    if (top.kind == Kind.BARE) top.wordHasTemplate = true;
                }
                i = m.end();
                continue;
            }
            char c = text.charAt(i);
            switch (top.kind) {
                case SINGLE -> {
                    if (c == '\'') stack.pop();
                    else quotedWordOf(stack).append(c);
                }
                case COMMENT -> {
                    if (c == '\n') {
                        stack.pop();
                        i = newline(text, i, out, stack, pending);
                        lineStart = true;
                        continue;
                    }
                }
                case HEREDOC -> {
                    if (c == '\n') lineStart = true;
                    else if (!top.quoted) {
                        int skip = dollarOrEscape(text, i, stack, at, templateIndex, problems);
                        if (skip > 0) {
                            out.append(text, i, i + skip);
                            i += skip;
                            continue;
                        }
                    }
                }
                case DOUBLE -> {
                    if (c == '"') stack.pop();
                    else {
                        quotedWordOf(stack).append(c);
                        int skip = dollarOrEscape(text, i, stack, at, templateIndex, problems);
                        if (skip > 0) {
                            out.append(text, i, i + skip);
                            i += skip;
                            continue;
                        }
                    }
                }
                case ARITHMETIC, PARAMETER, TEST, BACKTICK, BARE -> {
                    int skip = bare(text, i, stack, pending, at, templateIndex, problems);
                    if (skip < 0) {
                        i = newline(text, i, out, stack, pending);
                        lineStart = stack.peek().kind == Kind.HEREDOC;
                        continue;
                    }
                    out.append(text, i, i + skip);
                    i += skip;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        if (values.isEmpty()) return out.toString();
        return prelude(values) + "\n" + out;
    }

    /** The first line of an expanded command: every value assigned, single-quoted. */
    static String prelude(List<String> values) {
        StringBuilder p = new StringBuilder();
        if (values.stream().anyMatch(v -> v.indexOf('\n') >= 0)) {
            p.append("pf_nl=$(printf '\\n_'); pf_nl=${pf_nl%_}; ");
        }
        for (int k = 0; k < values.size(); k++) {
            if (k > 0) p.append("; ");
            p.append("pf_v")
                    .append(k + 1)
                    .append("='")
                    .append(assigned(values.get(k)))
                    .append('\'');
        }
        return p.toString();
    }

    /** A value as its assignment writes it between the single quotes. */
    static String assigned(String value) {
        return value.replace("'", "'\\''").replace("\n", "'\"$pf_nl\"'");
    }

    /** Why a template cannot stand here, or empty when a reference is safe. */
    private static Optional<String> contextProblem(Deque<Frame> stack, String written) {
        for (Frame f : stack) {
            switch (f.kind) {
                case ARITHMETIC -> {
                    return Optional.of(
                            "a template inside $(( )) or (( )) is evaluated as arithmetic, where"
                                    + " bash runs $( ) in array subscripts; assign it first"
                                    + " (n="
                                    + written
                                    + ") and test it with [ \"$n\" -eq … ] or case");
                }
                case PARAMETER -> {
                    return Optional.of(
                            "a template inside ${ } is not allowed (bash evaluates offsets and"
                                    + " subscripts as arithmetic); assign it first: x="
                                    + written
                                    + ", then use ${x…}");
                }
                case TEST -> {
                    return Optional.of(
                            "a template inside [[ ]] is not allowed (bash evaluates the operands"
                                    + " of -eq, -lt… as arithmetic); use [ ] instead: [ \""
                                    + written
                                    + "\" = … ]");
                }
                case BACKTICK -> {
                    return Optional.of(
                            "a template inside backticks is not allowed; use $( ) instead of"
                                    + " `…`");
                }
                case BARE -> {
                    String command = commandWord(f.words);
                    if (EVALUATORS.contains(command)) {
                        return Optional.of(
                                command
                                        + " runs its arguments as shell code, so a value would"
                                        + " become code; do not pass templates to "
                                        + command);
                    }
                    Optional<String> shell =
                            f.words.stream()
                                    .map(ShellTemplate::baseName)
                                    .filter(SHELLS::contains)
                                    .findFirst();
                    if (shell.isPresent() && f.words.getLast().matches("-[A-Za-z]*c[A-Za-z]*")) {
                        return Optional.of(
                                shell.get()
                                        + " -c runs its argument as shell code; pass the value as"
                                        + " an argument instead: "
                                        + shell.get()
                                        + " -c '… \"$1\" …' sh "
                                        + written);
                    }
                }
                default -> {}
            }
        }
        Frame top = stack.peek();
        return switch (top.kind) {
            case SINGLE ->
                    Optional.of(
                            "a template inside single quotes cannot be substituted safely; use \""
                                    + written
                                    + "\" (double quotes) instead of '"
                                    + written
                                    + "'");
            case COMMENT -> Optional.of("a template in a comment is never used; remove it");
            case HEREDOC ->
                    top.quoted
                            ? Optional.of(
                                    "a template inside a heredoc with a quoted delimiter ('"
                                            + top.delimiter
                                            + "') is never substituted; write <<"
                                            + top.delimiter
                                            + " without quotes and escape the body's $ and `"
                                            + " as \\$ and \\`")
                            : Optional.empty();
            default -> Optional.empty();
        };
    }

    /**
     * The word a quoted character belongs to: the bare frame's below the quote (or a throwaway one
     * inside other frames), so that {@code "eval"} still reads as eval.
     */
    private static StringBuilder quotedWordOf(Deque<Frame> stack) {
        var it = stack.iterator();
        it.next();
        Frame below = it.hasNext() ? it.next() : null;
        return below != null && below.kind == Kind.BARE ? below.word : new StringBuilder();
    }

    /** The command a simple command runs: past keywords, wrappers and assignments. */
    private static String commandWord(List<String> words) {
        for (String w : words) {
            if (WRAPPERS.contains(w) || w.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) continue;
            return baseName(w);
        }
        return "";
    }

    private static String baseName(String word) {
        String w = word.replace("\"", "").replace("'", "");
        int slash = w.lastIndexOf('/');
        return slash < 0 ? w : w.substring(slash + 1);
    }

    /**
     * In double quotes or an unquoted heredoc: {@code \x}, {@code $(}, {@code $((}, {@code ${} and
     * backticks. Returns how many characters were consumed (0: an ordinary character).
     */
    private static int dollarOrEscape(
            String text, int i, Deque<Frame> stack, Location at, int next, Problems problems) {
        char c = text.charAt(i);
        if (c == '\\') {
            if (i + 1 < text.length()
                    && REF.matcher(text).region(i + 1, text.length()).lookingAt()) {
                problems.add(
                        Locations.ofTemplate(at, text, next),
                        "a template right after a backslash is not substituted; remove the \\");
            }
            return Math.min(2, text.length() - i);
        }
        return opener(text, i, stack);
    }

    /** {@code $((}, {@code $(}, {@code ${}, {@code $'}, backtick: pushes a frame. */
    private static int opener(String text, int i, Deque<Frame> stack) {
        char c = text.charAt(i);
        if (c == '`') {
            stack.push(new Frame(Kind.BACKTICK));
            return 1;
        }
        if (c != '$' || i + 1 >= text.length()) return 0;
        char d = text.charAt(i + 1);
        if (d == '(' && text.startsWith("((", i + 1)) {
            stack.push(new Frame(Kind.ARITHMETIC));
            return 3;
        }
        if (d == '(') {
            stack.push(new Frame(Kind.BARE));
            return 2;
        }
        if (d == '[') {
            Frame f = new Frame(Kind.ARITHMETIC);
            f.delimiter = "]";
            stack.push(f);
            return 2;
        }
        if (d == '{' && !REF.matcher(text).region(i + 1, text.length()).lookingAt()) {
            stack.push(new Frame(Kind.PARAMETER));
            return 2;
        }
        if (d == '{') {
            // "${{ v }}": the template after a $ would read as ${…}; treat the $ as ${ opener.
            stack.push(new Frame(Kind.PARAMETER));
            return 1;
        }
        return 0;
    }

    /**
     * One step in a bare context (also inside arithmetic, ${ }, [[ ]] and backticks, which end on
     * their own closer). Returns the characters consumed, or -1 at a newline the caller handles.
     */
    private static int bare(
            String text,
            int i,
            Deque<Frame> stack,
            List<Heredoc> pending,
            Location at,
            int next,
            Problems problems) {
        Frame top = stack.peek();
        char c = text.charAt(i);
        int n = text.length();
        switch (top.kind) {
            case ARITHMETIC -> {
                if (top.delimiter.equals("]") && c == ']' && top.depth == 0) {
                    stack.pop();
                    return 1;
                }
                if (c == '(') top.depth++;
                if (c == ')') {
                    if (top.depth == 0 && text.startsWith("))", i)) {
                        stack.pop();
                        return 2;
                    }
                    top.depth--;
                }
            }
            case PARAMETER -> {
                if (c == '{') top.depth++;
                if (c == '}') {
                    if (top.depth == 0) {
                        stack.pop();
                        return 1;
                    }
                    top.depth--;
                }
            }
            case TEST -> {
                if (text.startsWith("]]", i)) {
                    stack.pop();
                    return 2;
                }
            }
            case BACKTICK -> {
                if (c == '`') {
                    stack.pop();
                    return 1;
                }
            }
            default -> {}
        }
        if (c == '\\') {
            if (i + 1 < n && text.charAt(i + 1) == '\n') return 2;
            if (i + 1 < n) top.word.append(text.charAt(i + 1));
            return dollarOrEscape(text, i, stack, at, next, problems);
        }
        int opened = opener(text, i, stack);
        if (opened > 0) {
            top.word.append('$');
            return opened;
        }
        if (c == '\'') {
            stack.push(new Frame(Kind.SINGLE));
            top.word.append(c);
            return 1;
        }
        if (c == '"') {
            stack.push(new Frame(Kind.DOUBLE));
            top.word.append(c);
            return 1;
        }
        if (top.kind != Kind.BARE) return 1;
        boolean wordStart = top.word.isEmpty() && !top.wordHasTemplate;
        if (c == '#' && wordStart) {
            stack.push(new Frame(Kind.COMMENT));
            return 1;
        }
        if (c == '\n') {
            endWord(top);
            top.words.clear();
            return -1;
        }
        if (c == '[' && wordStart && text.startsWith("[[", i)) {
            stack.push(new Frame(Kind.TEST));
            return 2;
        }
        if (c == '(' && text.startsWith("((", i) && wordStart) {
            stack.push(new Frame(Kind.ARITHMETIC));
            return 2;
        }
        if (c == '(') {
            stack.push(new Frame(Kind.BARE));
            return 1;
        }
        if (c == ')') {
            if (stack.size() > 1) stack.pop();
            return 1;
        }
        if (c == '<' && text.startsWith("<<", i) && !text.startsWith("<<<", i)) {
            return heredocOperator(text, i, pending);
        }
        if (c == ';' || c == '&' || c == '|') {
            endWord(top);
            top.words.clear();
            return 1;
        }
        if (c == ' ' || c == '\t') {
            endWord(top);
            return 1;
        }
        top.word.append(c);
        return 1;
    }

    private static void endWord(Frame f) {
        if (!f.word.isEmpty() || f.wordHasTemplate) {
            f.words.add(f.word.toString());
            f.word = new StringBuilder();
            f.wordHasTemplate = false;
        }
    }

    /** Reads {@code <<[-]WORD}, remembers the heredoc, returns the characters consumed. */
    private static int heredocOperator(String text, int i, List<Heredoc> pending) {
        int j = i + 2;
        boolean strip = j < text.length() && text.charAt(j) == '-';
        if (strip) j++;
        while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '\t')) j++;
        StringBuilder delim = new StringBuilder();
        boolean quoted = false;
        char quote = 0;
        while (j < text.length()) {
            char c = text.charAt(j);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else delim.append(c);
            } else if (c == '\'' || c == '"') {
                quoted = true;
                quote = c;
            } else if (c == '\\' && j + 1 < text.length()) {
                quoted = true;
                delim.append(text.charAt(++j));
            } else if (" \t\n;&|<>()".indexOf(c) >= 0) {
                break;
            } else {
                delim.append(c);
            }
            j++;
        }
        if (!delim.isEmpty()) pending.add(new Heredoc(delim.toString(), quoted, strip));
        return j - i;
    }

    /** Appends the newline at {@code i} and starts the bodies of heredocs opened on its line. */
    private static int newline(
            String text, int i, StringBuilder out, Deque<Frame> stack, List<Heredoc> pending) {
        out.append('\n');
        for (int k = pending.size() - 1; k >= 0; k--) {
            Heredoc h = pending.get(k);
            Frame f = new Frame(Kind.HEREDOC);
            f.delimiter = h.delimiter();
            f.quoted = h.quoted();
            f.stripTabs = h.stripTabs();
            stack.push(f);
        }
        pending.clear();
        return i + 1;
    }
}
