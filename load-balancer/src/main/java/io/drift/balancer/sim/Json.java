package io.drift.balancer.sim;

import java.util.Locale;
import java.util.Map;

/** JSON of numbers, strings and nested maps: enough for the one-line summaries we print. */
public final class Json {
  private Json() {}

  public static String of(Object o) {
    if (o instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":")
          .append(of(v)));
      return b.append('}').toString();
    }
    if (o instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return "null";
    }
    if (o instanceof Double d) {
      return String.format(Locale.ROOT, Math.abs(d) < 10 ? "%.3f" : "%.2f", d);
    }
    if (o instanceof Number || o instanceof Boolean) {
      return o.toString();
    }
    return "\"" + String.valueOf(o).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
