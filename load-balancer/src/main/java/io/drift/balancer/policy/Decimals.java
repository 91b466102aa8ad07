package io.drift.balancer.policy;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Numbers in a decision's reason, written as {@code %.Nf} would in the root locale. Not through
 * {@link String#format}: a placement's reason is made for every job, and {@code Formatter}
 * looks up the locale's decimal symbols at each call, which was half of the balancer's time per
 * placement (docs/performance.md, "(a) after decision 0032").
 */
final class Decimals {
  private Decimals() {}

  /** {@code v} with {@code places} digits after the point, rounded half up. */
  static String fixed(double v, int places) {
    if (!Double.isFinite(v)) {
      return Double.toString(v); // "NaN", "Infinity", "-Infinity", as Formatter writes them
    }
    String s = BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_UP).toPlainString();
    // a negative that rounds to zero keeps its sign in Formatter ("-0.0"); BigDecimal drops it
    return Math.copySign(1.0, v) < 0 && s.charAt(0) != '-' ? "-" + s : s;
  }
}
