package io.drift.api;

/** One line a unit wrote, numbered by its home in the order the unit wrote it (from 1). */
public record OutputLine(long seq, Stream stream, String text) {

  public enum Stream { OUT, ERR }
}
