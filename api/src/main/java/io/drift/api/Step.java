package io.drift.api;

/** What one step of a {@link WorkUnit} returns: call me again, or here is my result. */
public sealed interface Step<R> {

  /** The unit has more work; the executor calls it again (possibly on another node). */
  record More<R>() implements Step<R> {}

  /** The unit has finished with this result. */
  record Done<R>(R result) implements Step<R> {}

  @SuppressWarnings("unchecked")
  static <R> Step<R> more() {
    return (Step<R>) MORE;
  }

  static <R> Step<R> done(R result) {
    return new Done<>(result);
  }

  /** Shared instance: {@code More} carries nothing. */
  Step<?> MORE = new More<>();
}
