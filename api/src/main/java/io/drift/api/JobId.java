package io.drift.api;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** A job's cluster-wide identity, assigned by its home node. */
public record JobId(String value) implements Comparable<JobId> {

  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public JobId {
    Objects.requireNonNull(value, "job id");
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "a job id is 1-64 letters, digits, '.', '_' or '-', not '" + value + "'");
    }
  }

  public static JobId of(String value) {
    return new JobId(value);
  }

  /** A fresh id: 12 hex digits, enough that two homes never pick the same one in practice. */
  public static JobId random() {
    return new JobId(String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xffffffffffffL));
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
