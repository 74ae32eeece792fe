package dev.postflight.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;

/**
 * How postflight writes every file it owns (plans, reports, baselines, notification state, the
 * audit log, known_hosts): never through a symbolic link, files 0600, folders it creates 0700. A
 * whole file is written to a temporary file in the same folder and moved into place atomically, so
 * a reader sees the old file or the new one, never half; an append-only log is opened with {@code
 * O_APPEND|O_NOFOLLOW}. Issue 14: {@code --plan-out} through a symlink overwrote its target, and
 * plans and logs were left 0644.
 */
public final class SafeFiles {
    private static final FileAttribute<Set<PosixFilePermission>> FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> FOLDER =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private SafeFiles() {}

    /** Replaces {@code file} with {@code text} (UTF-8) atomically; the file is then 0600. */
    public static void replace(Path file, String text) throws IOException {
        refuseLink(file);
        Path folder = folderOf(file);
        createFolders(folder);
        Path tmp =
                posix(folder)
                        ? Files.createTempFile(folder, "." + file.getFileName() + ".", ".tmp", FILE)
                        : Files.createTempFile(folder, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) c.write(b);
                c.force(true);
            }
            refuseLink(file);
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Appends {@code text} (UTF-8) to {@code file}, creating it 0600 (and its missing folders
     * 0700); refuses a symbolic link. With {@code sync}, returns only once the bytes are on disk.
     */
    public static void append(Path file, String text, boolean sync) throws IOException {
        refuseLink(file);
        Path folder = folderOf(file);
        createFolders(folder);
        Set<OpenOption> options = new HashSet<>();
        options.add(StandardOpenOption.CREATE);
        options.add(StandardOpenOption.APPEND);
        options.add(LinkOption.NOFOLLOW_LINKS);
        if (sync) options.add(StandardOpenOption.SYNC);
        try (FileChannel c =
                posix(folder)
                        ? FileChannel.open(file, options, FILE)
                        : FileChannel.open(file, options)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) c.write(b);
        } catch (FileSystemException e) {
            refuseLink(file);
            throw e;
        }
    }

    /**
     * Creates {@code folder} and its missing parents 0700; existing folders are left as they are.
     */
    public static void createFolders(Path folder) throws IOException {
        Path absolute = folder.toAbsolutePath();
        if (Files.isDirectory(absolute)) return;
        Path parent = absolute.getParent();
        if (parent != null) createFolders(parent);
        try {
            if (posix(parent == null ? absolute : parent)) Files.createDirectory(absolute, FOLDER);
            else Files.createDirectory(absolute);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) throw e;
        }
    }

    private static void refuseLink(Path file) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IOException(
                    "it is a symbolic link to "
                            + Files.readSymbolicLink(file)
                            + "; postflight does not write through symbolic links");
        }
    }

    private static Path folderOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? file.toAbsolutePath().getRoot() : parent;
    }

    private static boolean posix(Path existing) {
        return existing.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
