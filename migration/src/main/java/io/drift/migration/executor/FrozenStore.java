package io.drift.migration.executor;

import io.drift.api.JobId;
import io.drift.migration.executor.Transfer.CheckpointHeader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;

/**
 * Frozen units on the home node's disk (MOSIX: freeze): one file per job under a configured
 * directory, {@code JOBID.frozen}, written whole or not at all (temporary file, then an atomic
 * rename), and checked against its CRC-32C when read back. The file holds the same header a
 * transfer carries, so a frozen unit continues with its counts.
 */
public final class FrozenStore {

  private static final long MAGIC = 0x4452494654465a31L; // "DRIFTFZ1"

  private final Path dir;

  public FrozenStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public Path file(JobId id) {
    return dir.resolve(id.value() + ".frozen");
  }

  /** What a frozen file holds. */
  public record Frozen(CheckpointHeader header, byte[] state) {}

  /** Writes the unit's state; returns the file. */
  public Path write(CheckpointHeader h, byte[] state) throws IOException {
    Files.createDirectories(dir);
    Path target = file(h.jobId());
    Path tmp = Files.createTempFile(dir, h.jobId().value() + ".", ".tmp");
    try {
      try (OutputStream os = Files.newOutputStream(tmp);
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
        out.writeLong(MAGIC);
        out.writeInt(h.version());
        out.writeUTF(h.jobId().value());
        out.writeLong(h.epoch());
        out.writeUTF(h.className());
        out.writeLong(h.steps());
        out.writeLong(h.cpuNanos());
        out.writeLong(h.nextSeq());
        out.writeLong(h.size());
        out.writeLong(h.crc32c());
        out.write(state);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads a frozen unit back.
   *
   * @throws IOException no such file, or it is not whole (wrong format, size or checksum)
   */
  public Frozen read(JobId id) throws IOException {
    Path f = file(id);
    try (InputStream is = Files.newInputStream(f);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
      if (in.readLong() != MAGIC) {
        throw new IOException(f + " is not a frozen unit");
      }
      CheckpointHeader h = new CheckpointHeader(in.readInt(), JobId.of(in.readUTF()),
          in.readLong(), in.readUTF(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
          in.readLong());
      if (h.version() != Transfer.VERSION) {
        throw new IOException(f + " has checkpoint format " + h.version() + ", not "
            + Transfer.VERSION);
      }
      if (!h.jobId().equals(id) || h.size() < 0 || h.size() > Integer.MAX_VALUE - 8) {
        throw new IOException(f + " has a damaged header");
      }
      byte[] state = new byte[(int) h.size()];
      in.readFully(state);
      if (in.read() != -1) {
        throw new IOException(f + " is longer than its header says");
      }
      CRC32C crc = new CRC32C();
      crc.update(state);
      if (crc.getValue() != h.crc32c()) {
        throw new IOException(f + " failed its checksum");
      }
      return new Frozen(h, state);
    } catch (java.io.EOFException e) {
      throw new IOException(f + " is shorter than its header says", e);
    }
  }

  public void delete(JobId id) throws IOException {
    Files.deleteIfExists(file(id));
  }
}
