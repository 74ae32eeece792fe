package dev.postflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 (fixes are only planned or dry-run here: a local fix would write this machine's state):
 * plans, reports, baselines and the audit log are never written through a symbolic link (a {@code
 * --plan-out} link overwrote its target), and are 0600 in folders created 0700.
 */
class OutputFileSafetyTest {
    @TempDir Path dir;
    Path checks;
    Path marker;
    Path victim;

    @BeforeEach
    void checklist() throws Exception {
        marker = dir.resolve("marker");
        victim = dir.resolve("victim");
        Files.writeString(victim, "precious\n");
        checks = dir.resolve("checks.yaml");
        Files.writeString(
                checks,
                """
                checks:
                  - id: marker
                    file: { path: "%s" }
                    fix: make-marker
                fixes:
                  make-marker:
                    approval: confirm
                    settle: 0s
                    retries: 0
                    steps:
                      - run: touch %s
                """
                        .formatted(marker, marker));
    }

    private Cli verify(String... extra) {
        String[] args = new String[extra.length + 5];
        System.arraycopy(
                new String[] {"verify", "--local", "-c", checks.toString(), "--no-color"},
                0,
                args,
                0,
                5);
        System.arraycopy(extra, 0, args, 5, extra.length);
        return Cli.run(args);
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private String refusal(Path link) {
        return "cannot write "
                + link
                + ": it is a symbolic link to "
                + victim
                + "; postflight does not write through symbolic links";
    }

    @Test
    void planOutThroughASymlinkIsRefusedAndItsTargetIsUntouched() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("plan.json"), victim);

        Cli r = verify("--fix", "--plan-out", link.toString());

        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("--plan-out: " + refusal(link)), r.err());
        assertEquals("precious\n", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void reportThroughASymlinkIsRefusedAndItsTargetIsUntouched() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("report.json"), victim);

        Cli r = verify("--report", "json=" + link);

        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("postflight: " + refusal(link)), r.err());
        assertEquals("precious\n", Files.readString(victim));
    }

    @Test
    void auditLogThroughASymlinkIsRefusedAndItsTargetIsUntouched() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("audit.jsonl"), victim);

        Cli r = verify("--fix", "--dry-run", "--audit", link.toString());

        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(
                r.err()
                        .contains(
                                "--audit: cannot write the audit log "
                                        + link
                                        + ": it is a"
                                        + " symbolic link to "
                                        + victim),
                r.err());
        assertEquals("precious\n", Files.readString(victim));
    }

    @Test
    void snapshotThroughASymlinkIsRefusedAndItsTargetIsUntouched() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("base.json"), victim);

        Cli r = Cli.run("snapshot", "--local", "-o", link.toString());

        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("postflight: " + refusal(link)), r.err());
        assertEquals("precious\n", Files.readString(victim));
    }

    @Test
    void planReportBaselineAndAuditLogAre0600() throws Exception {
        // Named output paths must be in folders that exist (checked before any host is
        // contacted); the folders postflight creates itself (~/.ssh, its state folder) are 0700,
        // see SshConnectorTest and ChangeNotificationTest.
        Path out = dir.resolve("out");
        Path plan = Files.createDirectories(out.resolve("plans")).resolve("plan.json");
        Path report = dir.resolve("run.json");
        Path audit =
                Files.createDirectories(out.resolve("state/postflight")).resolve("audit.jsonl");
        Path base = dir.resolve("base.json");
        Files.writeString(Files.createDirectories(dir.resolve("old")).resolve("r.json"), "old");
        Files.setPosixFilePermissions(
                dir.resolve("old/r.json"), PosixFilePermissions.fromString("rw-r--r--"));

        Cli planned = verify("--fix", "--plan-out", plan.toString(), "--report", "json=" + report);
        assertEquals(1, planned.exit(), planned.out() + planned.err());
        Cli dryRun = verify("--fix", "--dry-run", "--audit", audit.toString());
        assertEquals(1, dryRun.exit(), dryRun.out() + dryRun.err());
        assertTrue(Files.readString(audit).contains("\"event\":\"dry-run\""));
        assertEquals(0, Cli.run("snapshot", "--local", "-o", base.toString()).exit());
        assertEquals(1, verify("--report", "json=" + dir.resolve("old/r.json")).exit());

        for (Path file : new Path[] {plan, report, audit, base, dir.resolve("old/r.json")}) {
            assertEquals("rw-------", mode(file), file.toString());
        }
        assertTrue(Files.readString(dir.resolve("old/r.json")).contains("\"hosts\""));
        try (var left = Files.list(dir.resolve("old"))) {
            assertEquals(1, left.count(), "no temporary file is left behind");
        }
    }
}
