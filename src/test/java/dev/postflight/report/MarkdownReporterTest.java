package dev.postflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postflight.run.RunReport;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownReporterTest {

    private final Reporter reporter = Reporter.forFormat("markdown", false);

    @Test
    void rendersEveryStatusUnreachableHostAndEscapedTextAsTheGoldenFileShows() throws IOException {
        Golden.assertMatches("report.md", reporter.render(SampleRuns.everything()));
    }

    @Test
    void escapesPipesAndBackticksAndListsPassingHostsOnOneLineAsTheGoldenFileShows()
            throws IOException {
        Golden.assertMatches("report-awkward.md", reporter.render(SampleRuns.awkwardNames()));
    }

    @Test
    void everyTableRowHasAsManyCellsAsItsHeaderSoNoTextBreaksATable() {
        for (RunReport run :
                List.of(
                        SampleRuns.everything(),
                        SampleRuns.passing(),
                        SampleRuns.warningOnly(),
                        SampleRuns.failing(),
                        SampleRuns.interrupted(),
                        SampleRuns.awkwardNames())) {
            String md = reporter.render(run);
            int columns = -1;
            for (String line : md.split("\n")) {
                if (!line.startsWith("|")) {
                    columns = -1;
                    continue;
                }
                int cells = cells(line);
                if (columns < 0) columns = cells;
                assertEquals(columns, cells, line + "\n" + md);
            }
        }
    }

    @Test
    void onlyProblemsLeavesOutPassingHostsAndSkipsButTheTotalStillCountsEveryHost() {
        String all = reporter.render(SampleRuns.fleet());
        String problems =
                Reporter.forFormat("markdown", false, RunContext.NONE, true)
                        .render(SampleRuns.fleet());
        assertTrue(all.contains("| web4 |") && all.contains("**All checks passed:** web4"), all);
        assertTrue(all.contains("| skip | certificate |"), all);
        assertFalse(problems.contains("web4"), problems);
        assertFalse(problems.contains("certificate"), problems);
        assertTrue(problems.contains("| web2 |") && problems.contains("| backup-ran |"), problems);
        assertTrue(problems.contains("| **Total** | 3 | 3 | 0 | 4 | 3 |"), problems);
    }

    @Test
    void headingSaysTheResult() {
        assertTrue(
                reporter.render(SampleRuns.passing())
                        .startsWith("## postflight: web-after-maintenance — passed\n"));
        assertTrue(reporter.render(SampleRuns.warningOnly()).contains(" — passed with warnings\n"));
        assertTrue(reporter.render(SampleRuns.failing()).contains(" — FAILED\n"));
        assertTrue(reporter.render(SampleRuns.interrupted()).contains(" — interrupted\n"));
    }

    /** Cells of a GFM table row: pipes not escaped by a backslash, minus the outer two. */
    private static int cells(String row) {
        int pipes = 0;
        for (int i = 0; i < row.length(); i++) {
            if (row.charAt(i) == '\\') i++;
            else if (row.charAt(i) == '|') pipes++;
        }
        return pipes - 1;
    }
}
