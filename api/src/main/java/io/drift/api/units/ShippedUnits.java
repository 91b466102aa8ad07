package io.drift.api.units;

import io.drift.api.WorkUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The units that ship with Drift, by the short names the command line uses. */
public final class ShippedUnits {

  private record Entry(String usage, int arity, Function<List<String>, WorkUnit<?>> make) {}

  private static final Map<String, Entry> UNITS =
      Map.of(
          "primes", new Entry("primes FROM TO", 2, a -> new PrimeCount(num(a, 0), num(a, 1))),
          "pi", new Entry("pi SEED SAMPLES", 2, a -> new MonteCarloPi(num(a, 0), num(a, 1))),
          "burn", new Entry("burn MILLIS", 1, a -> new BurnCpu(num(a, 0))),
          "lines", new Entry("lines COUNT", 1, a -> new PrintLines(num(a, 0))));

  private ShippedUnits() {}

  /** One usage line per shipped unit, sorted. */
  public static List<String> usages() {
    return UNITS.values().stream().map(Entry::usage).sorted().toList();
  }

  /**
   * Makes a shipped unit from its short name and arguments.
   *
   * @throws IllegalArgumentException for an unknown name or bad arguments, with the usage
   */
  public static WorkUnit<?> create(String name, List<String> args) {
    Entry e = UNITS.get(name);
    if (e == null) {
      throw new IllegalArgumentException(
          "unknown unit '" + name + "'; shipped units: " + String.join(", ", usages()));
    }
    if (args.size() != e.arity()) {
      throw new IllegalArgumentException("usage: " + e.usage());
    }
    try {
      return e.make().apply(args);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(ex.getMessage() + " (usage: " + e.usage() + ")", ex);
    }
  }

  private static long num(List<String> args, int i) {
    try {
      return Long.parseLong(args.get(i));
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException("'" + args.get(i) + "' is not a whole number");
    }
  }
}
