package io.drift.bench;

import io.drift.api.HomeFiles;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.locks.LockSupport;

/**
 * The home-io benchmark's unit: it waits (without I/O of its data) until a file {@code go}
 * appears in its workspace, so the benchmark can first put it where it wants; then it appends
 * {@code records} records of {@code recordBytes} to {@code data}, waits until home has them
 * all, and reads them back in order. Its result: "write-nanos read-nanos checksum".
 */
public final class HomeIo implements WorkUnit<String> {

  static final String GO = "go";
  static final String DATA = "data";

  private int records;
  private int recordBytes;
  private int phase; // 0 wait, 1 write, 2 read
  private int done;
  private long started;
  private long writeNanos;
  private long sum;

  private HomeIo() {}

  public HomeIo(int records, int recordBytes) {
    this.records = records;
    this.recordBytes = recordBytes;
  }

  @Override
  public Step<String> step(WorkContext ctx) throws IOException {
    HomeFiles f = ctx.files();
    switch (phase) {
      case 0 -> {
        try {
          f.size(GO);
          phase = 1;
          started = System.nanoTime();
        } catch (NoSuchFileException e) {
          LockSupport.parkNanos(5_000_000L);
        }
        return Step.more();
      }
      case 1 -> {
        byte[] record = new byte[recordBytes];
        for (int k = 0; k < 4 && done < records; k++, done++) {
          record[0] = (byte) done;
          record[recordBytes - 1] = (byte) (done >>> 8);
          f.append(DATA, record);
        }
        if (done == records) {
          f.size(DATA); // waits until home has applied every write to it
          writeNanos = System.nanoTime() - started;
          phase = 2;
          done = 0;
          started = System.nanoTime();
        }
        return Step.more();
      }
      default -> {
        for (int k = 0; k < 4 && done < records; k++, done++) {
          byte[] r = f.read(DATA, (long) done * recordBytes, recordBytes);
          if (r.length != recordBytes) {
            throw new IOException("record " + done + " came back with " + r.length + " bytes");
          }
          sum += r[0] + 31L * r[recordBytes - 1];
        }
        if (done == records) {
          return Step.done(writeNanos + " " + (System.nanoTime() - started) + " " + sum);
        }
        return Step.more();
      }
    }
  }
}
