package io.drift.api;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/** A job's cluster-wide identity, assigned by its home node. */
public record JobId(String value) implements Comparable<JobId> {

  public JobId {
    Objects.requireNonNull(value, "job id");
    if (!wellFormed(value)) {
      throw new IllegalArgumentException(
          "a job id is 1-64 letters, digits, '.', '_' or '-', not '" + value + "'");
    }
  }

  /**
   * [A-Za-z0-9][A-Za-z0-9._-]{0,63}, by hand: every message about a job makes a JobId when it
   * is read, and a regular expression's matcher cost more than the rest of the record.
   */
  private static boolean wellFormed(String v) {
    int n = v.length();
    if (n < 1 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = v.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
        return false;
      }
    }
    return true;
  }

  public static JobId of(String value) {
    return new JobId(value);
  }

  /** A fresh id: 12 hex digits, enough that two homes never pick the same one in practice. */
  public static JobId random() {
    String hex = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffffL);
    // not String.format, which parses its pattern at every call
    return new JobId("0".repeat(12 - hex.length()) + hex);
  }

  @Override
  public int compareTo(JobId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
