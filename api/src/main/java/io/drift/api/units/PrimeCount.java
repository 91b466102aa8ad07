package io.drift.api.units;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;

/** Counts the primes in {@code [from, to)} by trial division, a bounded slice per step. */
public final class PrimeCount implements WorkUnit<Long> {

  /** Numbers tested per step; trial division up to 10^7 keeps a step near a few ms. */
  static final int CHUNK = 2_000;

  private long from;
  private long to;
  private long next;
  private long count;

  private PrimeCount() {} // for decoding

  public PrimeCount(long from, long to) {
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("need 0 <= from <= to, got [" + from + ", " + to + ")");
    }
    this.from = from;
    this.to = to;
    this.next = from;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    long end = Math.min(to, next + CHUNK);
    for (long n = next; n < end; n++) {
      if (isPrime(n)) {
        count++;
      }
    }
    next = end;
    ctx.progress(to == from ? 1.0 : (double) (next - from) / (to - from));
    if (next >= to) {
      ctx.out("primes in [" + from + ", " + to + "): " + count);
      return Step.done(count);
    }
    return Step.more();
  }

  static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (long d = 3; d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }
}
