package io.drift.node;

import io.drift.api.HomeFiles;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * Once a file {@code go} is in its workspace, reads {@code input} through the ways a unit
 * reads: sequentially in 64 KiB records (off a stream, from another node), with a write into
 * the part not yet read halfway (which the reads after it must show), a few reads here and
 * there, and one long read; returns the CRC-32C of all it read, in order, and its count.
 */
public final class StreamReads implements WorkUnit<String> {
  static final int RECORD = 64 * 1024;
  static final long WRITE_AT = 3L << 20;
  static final int WRITE_LENGTH = 3_333;
  static final long[] HERE_AND_THERE = {5_000_000, 17, 1_234_567, 4_000_000};
  static final long LONG_FROM = (1 << 20) + 5;
  static final int LONG_LENGTH = 2 << 20;

  private boolean going;

  @Override
  public Step<String> step(WorkContext ctx) throws IOException {
    HomeFiles f = ctx.files();
    if (!going) {
      try {
        f.size("go");
        going = true;
      } catch (NoSuchFileException e) {
        LockSupport.parkNanos(5_000_000L);
      }
      return Step.more();
    }
    long size = f.size("input");
    CRC32C crc = new CRC32C();
    long count = 0;
    for (long at = 0; at < size; at += RECORD) {
      if (at == WRITE_AT / 2) {
        byte[] sevens = new byte[WRITE_LENGTH];
        Arrays.fill(sevens, (byte) 7);
        f.write("input", WRITE_AT, sevens);
      }
      byte[] r = f.read("input", at, RECORD);
      crc.update(r);
      count += r.length;
    }
    for (long at : HERE_AND_THERE) {
      byte[] r = f.read("input", at, 100);
      crc.update(r);
      count += r.length;
    }
    byte[] span = f.read("input", LONG_FROM, LONG_LENGTH);
    crc.update(span);
    count += span.length;
    return Step.done(crc.getValue() + " " + count);
  }

  /** What a run gives for {@code input}, reading it as the unit does. */
  static String expected(byte[] input) {
    byte[] after = input.clone();
    Arrays.fill(after, (int) WRITE_AT, (int) WRITE_AT + WRITE_LENGTH, (byte) 7);
    CRC32C crc = new CRC32C();
    long count = 0;
    for (int at = 0; at < after.length; at += RECORD) {
      int n = Math.min(RECORD, after.length - at);
      crc.update(after, at, n);
      count += n;
    }
    for (long at : HERE_AND_THERE) {
      crc.update(after, (int) at, 100);
      count += 100;
    }
    crc.update(after, (int) LONG_FROM, LONG_LENGTH);
    count += LONG_LENGTH;
    return crc.getValue() + " " + count;
  }
}
