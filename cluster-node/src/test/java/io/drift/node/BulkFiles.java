package io.drift.node;

import io.drift.api.HomeFiles;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until a file {@code go} is in its workspace (so a test can first put it on another
 * node), then writes {@code mib} MiB of a known pattern in 64 KiB records plus one write in
 * place, reads all of it back in records and in one long read across pieces, and says "ok"
 * with the file's size, or what differed.
 */
public final class BulkFiles implements WorkUnit<String> {
  static final int RECORD = 64 * 1024;
  private int mib;
  private boolean going;

  private BulkFiles() {}

  public BulkFiles(int mib) {
    this.mib = mib;
  }

  static byte[] record(int i) {
    byte[] r = new byte[RECORD];
    for (int k = 0; k < RECORD; k += 64) {
      r[k] = (byte) (i * 31 + k / 64);
    }
    return r;
  }

  /** What the file holds at {@code at}, as written. */
  static byte expected(long at) {
    if (at >= 1_000_000 && at < 1_000_000 + 3_333) {
      return (byte) 7; // the write in place
    }
    int i = (int) (at / RECORD);
    int k = (int) (at % RECORD);
    return k % 64 == 0 ? (byte) (i * 31 + k / 64) : 0;
  }

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
    int records = mib * 16;
    for (int i = 0; i < records; i++) {
      f.append("data", record(i));
    }
    byte[] seven = new byte[3_333];
    Arrays.fill(seven, (byte) 7);
    f.write("data", 1_000_000, seven);
    long size = f.size("data");
    if (size != (long) records * RECORD) {
      return Step.done("size " + size);
    }
    for (int i = 0; i < records; i++) {
      byte[] r = f.read("data", (long) i * RECORD, RECORD);
      for (int k = 0; k < RECORD; k++) {
        if (r[k] != expected((long) i * RECORD + k)) {
          return Step.done("record " + i + " differs at " + k);
        }
      }
    }
    long from = 5;
    byte[] span = f.read("data", from, 3 * (1 << 20) + 17);
    for (int k = 0; k < span.length; k++) {
      if (span[k] != expected(from + k)) {
        return Step.done("the long read differs at " + (from + k));
      }
    }
    return Step.done("ok " + size + " " + span.length);
  }
}
