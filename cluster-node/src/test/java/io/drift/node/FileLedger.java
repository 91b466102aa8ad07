package io.drift.node;

import io.drift.api.HomeFiles;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * A unit doing its I/O in its home files: it first writes an input file, then reads it back
 * in small pieces (from its own offset, kept in its state) while it appends numbered lines to an
 * output file, each carrying a running hash of all input read so far. What it leaves at home
 * depends only on its parameters, so a run that moved must leave the same bytes as one that
 * did not.
 */
public final class FileLedger implements WorkUnit<Long> {

  static final String INPUT = "in/input.txt";
  static final String OUTPUT = "out/ledger.txt";

  private int inputLines;
  private int outputLines;
  private int linesPerStep;
  private long parkNanosPerStep;
  private boolean reading; // false: still writing the input
  private int done; // lines written in this phase
  private long inOffset;
  private long hash = 17;

  private FileLedger() {}

  public FileLedger(int inputLines, int outputLines, int linesPerStep, long parkMicrosPerStep) {
    this.inputLines = inputLines;
    this.outputLines = outputLines;
    this.linesPerStep = linesPerStep;
    this.parkNanosPerStep = parkMicrosPerStep * 1000;
  }

  @Override
  public Step<Long> step(WorkContext ctx) throws IOException {
    HomeFiles files = ctx.files();
    if (parkNanosPerStep > 0) {
      LockSupport.parkNanos(parkNanosPerStep); // time for moves to happen while it runs
    }
    for (int k = 0; k < linesPerStep; k++) {
      if (!reading) {
        files.appendLine(INPUT, "input line " + done + ": " + (done * 7919L % 10007));
        if (++done == inputLines) {
          reading = true;
          done = 0;
        }
        continue;
      }
      byte[] piece = files.read(INPUT, inOffset, 23);
      if (piece.length == 0) {
        inOffset = 0; // round again
        piece = files.read(INPUT, 0, 23);
      }
      inOffset += piece.length;
      for (byte b : piece) {
        hash = hash * 31 + b;
      }
      files.appendLine(OUTPUT, (done + 1) + " " + Long.toHexString(hash) + " "
          + new String(piece, StandardCharsets.UTF_8).replace('\n', '|'));
      if (++done == outputLines) {
        return Step.done(hash);
      }
    }
    ctx.progress(reading ? (double) done / outputLines : 0);
    return Step.more();
  }
}
