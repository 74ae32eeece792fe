package dev.postflight.cli;

import dev.postflight.input.InvalidInput;
import dev.postflight.input.Location;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any host is contacted, that a file a flag names can be written: its folder exists
 * and is writable, and the file, if present, is a writable regular file. Nothing is created or
 * truncated. Without it a run reported "OK (exit 0)" and then failed to save its report.
 */
final class OutputPaths {
    private static final Location COMMAND_LINE = Location.COMMAND_LINE;

    private OutputPaths() {}

    /** {@code flag}'s file can be written where it is: the folder must already exist. */
    static void checkWritable(String flag, Path file) throws InvalidInput {
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null) {
            if (Files.exists(folder) && !Files.isDirectory(folder))
                throw cannot(flag, file, folder + " is not a folder");
            if (!Files.isDirectory(folder))
                throw cannot(flag, file, "folder " + folder + " does not exist");
            if (!Files.isWritable(folder))
                throw cannot(flag, file, "folder " + folder + " is not writable");
        }
        checkFile(flag, file);
    }

    /**
     * {@code flag}'s file can be written once its missing folders are created (as the audit log's
     * default place is): the nearest existing folder must be writable.
     */
    static void checkCreatable(String flag, Path file) throws InvalidInput {
        Path folder = file.toAbsolutePath().getParent();
        while (folder != null && !Files.exists(folder)) folder = folder.getParent();
        if (folder != null) {
            if (!Files.isDirectory(folder)) throw cannot(flag, file, folder + " is not a folder");
            if (!Files.isWritable(folder))
                throw cannot(flag, file, "folder " + folder + " is not writable");
        }
        checkFile(flag, file);
    }

    /**
     * {@code --known-hosts}: its folder must exist (it is never created), and with {@code
     * --accept-new-host-keys} the file must be writable too.
     */
    static void checkKnownHosts(Path file, boolean acceptNew) throws InvalidInput {
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder))
            throw new InvalidInput(
                    COMMAND_LINE, "--known-hosts: folder " + folder + " does not exist");
        if (Files.isDirectory(file))
            throw new InvalidInput(COMMAND_LINE, "--known-hosts: " + file + " is a folder");
        if (acceptNew) checkWritable("--known-hosts", file);
    }

    private static void checkFile(String flag, Path file) throws InvalidInput {
        if (Files.isDirectory(file)) throw cannot(flag, file, "it is a folder");
        if (Files.exists(file) && !Files.isRegularFile(file))
            throw cannot(flag, file, "it is not a regular file");
        if (Files.exists(file) && !Files.isWritable(file))
            throw cannot(flag, file, "it is not writable");
    }

    private static InvalidInput cannot(String flag, Path file, String why) {
        return new InvalidInput(COMMAND_LINE, flag + ": cannot write " + file + ": " + why);
    }
}
