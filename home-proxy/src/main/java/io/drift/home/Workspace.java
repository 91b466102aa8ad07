package io.drift.home;

import io.drift.api.HomePaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One job's files at its home: a directory under {@code drift.home.workspace-root}. Every path
 * is checked by {@link HomePaths} and, resolved, must stay inside the directory (a symbolic
 * link out of it is refused too); no file grows past {@code maxFileBytes}.
 */
final class Workspace {
  /** Names in one listing, at most, counted in characters: an answer fits a message. */
  static final long MAX_LIST_CHARS = 64 * 1024;

  private final Path dir;
  private final long maxFileBytes;

  Workspace(Path dir, long maxFileBytes) {
    this.dir = dir.toAbsolutePath().normalize();
    this.maxFileBytes = maxFileBytes;
  }

  Path dir() {
    return dir;
  }

  Path resolve(String path, boolean rootOk) throws IOException {
    Path p = dir.resolve(HomePaths.check(path, rootOk)).normalize();
    if (!p.startsWith(dir)) {
      throw new AccessDeniedException(path, null, "outside the job's workspace");
    }
    // a link inside the workspace must not lead out of it
    Path existing = p;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing != null && existing.startsWith(dir) && Files.exists(dir)
        && !existing.toRealPath().startsWith(dir.toRealPath())) {
      throw new AccessDeniedException(path, null, "a link out of the job's workspace");
    }
    return p;
  }

  byte[] read(String path, long offset, int length) throws IOException {
    if (offset < 0 || length < 0) {
      throw new IOException("offset and length must be >= 0");
    }
    Path p = resolve(path, false);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      long size = ch.size();
      int n = (int) Math.max(0, Math.min(length, size - offset));
      ByteBuffer buf = ByteBuffer.allocate(n);
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          break;
        }
      }
      return buf.position() == n ? buf.array() : java.util.Arrays.copyOf(buf.array(),
          buf.position());
    }
  }

  /** The file, open for reading (the caller closes it). */
  FileChannel openRead(String path) throws IOException {
    return FileChannel.open(resolve(path, false), StandardOpenOption.READ);
  }

  long size(String path) throws IOException {
    return Files.size(resolve(path, false));
  }

  /**
   * Refuses a write call of {@code bytes} in all (APPEND: at the end; else at {@code offset})
   * that would grow the file past the limit; checked once for a call cut into several parts.
   */
  void checkRoom(String path, boolean append, long offset, long bytes) throws IOException {
    Path p = resolve(path, false);
    long at = append ? (Files.exists(p) ? Files.size(p) : 0) : offset;
    checkSize(path, at + bytes);
  }

  void append(String path, byte[] data) throws IOException {
    Path p = resolve(path, false);
    long size = Files.exists(p) ? Files.size(p) : 0;
    checkSize(path, size + data.length);
    Files.createDirectories(p.getParent());
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      writeAll(ch, data, -1);
    }
  }

  void write(String path, long offset, byte[] data) throws IOException {
    if (offset < 0) {
      throw new IOException("offset must be >= 0");
    }
    Path p = resolve(path, false);
    checkSize(path, offset + data.length);
    Files.createDirectories(p.getParent());
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      writeAll(ch, data, offset);
    }
  }

  void delete(String path) throws IOException {
    Files.deleteIfExists(resolve(path, false));
  }

  List<String> list(String path) throws IOException {
    Path p = resolve(path, true);
    if (p.equals(dir) && !Files.exists(dir)) {
      return List.of(); // nothing written yet
    }
    if (!Files.isDirectory(p)) {
      throw new NoSuchFileException(path, null, "no such directory in the job's workspace");
    }
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
      for (Path e : ds) {
        names.add(e.getFileName() + (Files.isDirectory(e) ? "/" : ""));
      }
    }
    names.sort(null);
    long chars = 0;
    for (String n : names) {
      chars += n.length() + 8;
    }
    if (chars > MAX_LIST_CHARS) {
      throw new IOException(path + " holds " + names.size() + " entries, too many to list at"
          + " once (their names pass " + MAX_LIST_CHARS + " characters)");
    }
    return names;
  }

  private void checkSize(String path, long size) throws IOException {
    if (size > maxFileBytes) {
      throw new IOException(path + " would hold " + size + " bytes, over"
          + " drift.home.max-file-bytes = " + maxFileBytes);
    }
  }

  private static void writeAll(FileChannel ch, byte[] data, long offset) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(data);
    while (buf.hasRemaining()) {
      if (offset < 0) {
        ch.write(buf);
      } else {
        ch.write(buf, offset + buf.position());
      }
    }
  }
}
