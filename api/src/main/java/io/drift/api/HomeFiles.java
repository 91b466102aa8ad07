package io.drift.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The job's files at its home node, under its workspace, wherever the unit runs (MOSIX's
 * deputy does a migrated process's I/O at home the same way). Paths are relative to the
 * workspace, with {@code /} between names; a path that would leave it ({@code ..}, absolute)
 * is refused with an {@link java.nio.file.AccessDeniedException}.
 *
 * <p>Writes ({@link #append}, {@link #write}, {@link #delete}) are sent behind the unit's back
 * and applied at home in the order made, exactly once, across migrations. A write that home
 * refuses (over the size limit, say) is reported by the next call of this interface, or fails
 * the step if none comes. Reads see the unit's own earlier writes; sequential reads are served
 * from a read-ahead buffer, so one round trip to home brings many small reads. A unit keeps
 * its own read offsets in its fields, so they move with it.
 */
public interface HomeFiles {

  /** Up to {@code length} bytes from {@code offset}: fewer at the end, none past it. */
  byte[] read(String path, long offset, int length) throws IOException;

  /** The file's size in bytes. */
  long size(String path) throws IOException;

  /** Appends {@code data}; the file is created if missing. */
  void append(String path, byte[] data) throws IOException;

  /** Writes {@code data} at {@code offset}; the file is created or grown as needed. */
  void write(String path, long offset, byte[] data) throws IOException;

  /** Deletes the file, if it is there. */
  void delete(String path) throws IOException;

  /** Names in the directory ({@code ""}: the workspace), sorted; directories end with {@code /}. */
  List<String> list(String dir) throws IOException;

  /** Appends the line and a newline, in UTF-8. */
  default void appendLine(String path, String line) throws IOException {
    append(path, (line + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
