package io.drift.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code bin/drift-bench NAME}: runs one benchmark, prints progress for people, and ends with
 * one line of JSON: the figures, the machine, and the baselines measured in the same run.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("drift.log.root", System.getProperty("drift.log.root", "ERROR"));
    System.setProperty("drift.log.drift", System.getProperty("drift.log.drift", "WARN"));
    boolean quick = args.length == 2 && args[1].equals("--quick");
    if (args.length < 1 || args.length > 2 || (args.length == 2 && !quick)
        || !List.of("migration", "gossip").contains(args[0])) {
      System.err.println("usage: drift-bench migration | drift-bench gossip [--quick]");
      System.exit(2);
    }
    Map<String, Object> result = args[0].equals("gossip") ? GossipBench.run(quick)
        : MigrationBench.run();
    System.out.println(json(result));
    System.exit(0);
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static Map<String, Object> machine() {
    Map<String, Object> m = new TreeMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.version"));
    m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
    return m;
  }

  /** Flat JSON of numbers, strings and nested maps: enough for the summary line. */
  static String json(Object o) {
    if (o instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":")
          .append(json(v)));
      return b.append('}').toString();
    }
    if (o instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return "null";
    }
    if (o instanceof Double d) {
      return String.format(Locale.ROOT, "%.2f", d);
    }
    if (o instanceof Number) {
      return o.toString();
    }
    return "\"" + String.valueOf(o).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
