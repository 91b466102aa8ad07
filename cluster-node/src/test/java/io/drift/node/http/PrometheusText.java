package io.drift.node.http;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus's text exposition format (0.0.4), for tests: it fails, naming
 * the line, on anything a Prometheus server would refuse or that breaks the format's rules
 * (a bad name or label, a bad escape, a value that is not a number, a series twice, a TYPE after
 * its samples, a sample of no declared family, histogram buckets that are not cumulative or
 * whose +Inf bucket is not the count).
 */
public final class PrometheusText {

  public record Sample(String name, Map<String, String> labels, double value) {}

  public record Family(String name, String type, String help, List<Sample> samples) {}

  public static final class ParseException extends RuntimeException {
    ParseException(int line, String what, String text) {
      super("line " + line + ": " + what + ": " + text);
    }
  }

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  private PrometheusText() {}

  /** Every family, by name, in the order they came. */
  public static Map<String, Family> parse(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    Set<String> sampled = new HashSet<>();
    String[] lines = text.split("\n", -1);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new ParseException(lines.length, "the text does not end with a line feed", "");
    }
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int no = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        comment(line, no, families, sampled);
        continue;
      }
      Sample s = sample(line, no);
      Family f = familyOf(s.name(), families);
      if (f == null) {
        throw new ParseException(no, "a sample of no declared family", line);
      }
      if (!seen.add(s.name() + new TreeMap<>(s.labels()))) {
        throw new ParseException(no, "the same series twice", line);
      }
      sampled.add(f.name());
      f.samples().add(s);
    }
    families.values().forEach(PrometheusText::checkHistogram);
    return families;
  }

  private static void comment(String line, int no, Map<String, Family> families,
      Set<String> sampled) {
    String[] p = line.split(" ", 4);
    if (p.length < 3 || !p[0].equals("#") || !(p[1].equals("HELP") || p[1].equals("TYPE"))) {
      return; // other comments are allowed
    }
    String name = p[2];
    if (!NAME.matcher(name).matches()) {
      throw new ParseException(no, "a bad metric name", line);
    }
    if (sampled.contains(name)) {
      throw new ParseException(no, p[1] + " after the family's samples", line);
    }
    Family f = families.computeIfAbsent(name, n -> new Family(n, "untyped", null,
        new ArrayList<>()));
    if (p[1].equals("TYPE")) {
      String type = p.length > 3 ? p[3] : "";
      if (!TYPES.contains(type)) {
        throw new ParseException(no, "an unknown type", line);
      }
      families.put(name, new Family(name, type, f.help(), f.samples()));
    } else {
      families.put(name, new Family(name, f.type(), p.length > 3 ? p[3] : "", f.samples()));
    }
  }

  private static Family familyOf(String sample, Map<String, Family> families) {
    Family f = families.get(sample);
    if (f != null) {
      return f;
    }
    for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_created")) {
      if (sample.endsWith(suffix)) {
        Family g = families.get(sample.substring(0, sample.length() - suffix.length()));
        if (g != null) {
          return g;
        }
      }
    }
    return null;
  }

  private static Sample sample(String line, int no) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    if (!NAME.matcher(name).matches()) {
      throw new ParseException(no, "a bad metric name", line);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (i >= line.length()) {
          throw new ParseException(no, "labels not closed", line);
        }
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new ParseException(no, "a label without a value", line);
        }
        String label = line.substring(i, eq);
        if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
          throw new ParseException(no, "a bad label name '" + label + "'", line);
        }
        if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
          throw new ParseException(no, "a label value not in quotes", line);
        }
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        for (; j < line.length() && line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char e = j + 1 < line.length() ? line.charAt(++j) : ' ';
            v.append(switch (e) {
              case '\\' -> '\\';
              case '"' -> '"';
              case 'n' -> '\n';
              default -> throw new ParseException(no, "a bad escape \\" + e, line);
            });
          } else {
            v.append(c);
          }
        }
        if (j >= line.length()) {
          throw new ParseException(no, "a label value not closed", line);
        }
        if (labels.put(label, v.toString()) != null) {
          throw new ParseException(no, "label '" + label + "' twice", line);
        }
        i = j + 1;
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        } else if (i >= line.length() || line.charAt(i) != '}') {
          throw new ParseException(no, "labels not separated by commas", line);
        }
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new ParseException(no, "no value", line);
    }
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
      throw new ParseException(no, "a value and at most a timestamp", line);
    }
    double value;
    try {
      value = switch (rest[0]) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> {
          if (!rest[0].matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
            throw new NumberFormatException(rest[0]);
          }
          yield Double.parseDouble(rest[0]);
        }
      };
      if (rest.length == 2) {
        Long.parseLong(rest[1]);
      }
    } catch (NumberFormatException e) {
      throw new ParseException(no, "not a number", line);
    }
    return new Sample(name, labels, value);
  }

  /** Per series of a histogram: buckets cumulative, and the +Inf bucket equal to the count. */
  private static void checkHistogram(Family f) {
    if (!f.type().equals("histogram")) {
      return;
    }
    Map<Map<String, String>, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
    Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
    for (Sample s : f.samples()) {
      Map<String, String> series = new TreeMap<>(s.labels());
      String le = series.remove("le");
      if (s.name().equals(f.name() + "_bucket")) {
        if (le == null) {
          throw new ParseException(0, "a bucket without le", f.name());
        }
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        buckets.computeIfAbsent(series, k -> new TreeMap<>()).put(bound, s.value());
      } else if (s.name().equals(f.name() + "_count")) {
        counts.put(series, s.value());
      }
    }
    buckets.forEach((series, b) -> {
      double last = 0;
      for (double v : b.values()) {
        if (v < last) {
          throw new ParseException(0, "buckets not cumulative", f.name() + series);
        }
        last = v;
      }
      Double inf = b.get(Double.POSITIVE_INFINITY);
      if (inf == null || !inf.equals(counts.get(series))) {
        throw new ParseException(0, "the +Inf bucket is not the count", f.name() + series);
      }
    });
  }
}
