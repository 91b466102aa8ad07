package io.drift.bench;

import io.drift.balancer.gossip.GossipCheck;
import io.drift.balancer.sim.Json;
import io.drift.balancer.sim.Simulate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
    boolean join = args.length == 2 && args[1].equals("--join") && args[0].equals("cluster");
    if (args.length < 1 || args.length > 2 || (args.length == 2 && !quick && !join)
        || !List.of("migration", "gossip", "simulate", "grid", "cluster", "home-io", "faults")
            .contains(args[0])) {
      System.err.println("usage: drift-bench migration | drift-bench gossip [--quick]"
          + " | drift-bench simulate [--quick] | drift-bench grid [--quick]"
          + " | drift-bench cluster [--quick | --join]"
          + " | drift-bench home-io | drift-bench faults");
      System.exit(2);
    }
    Map<String, Object> result = new LinkedHashMap<>(switch (args[0]) {
      case "gossip" -> GossipCheck.run(quick);
      case "simulate" -> Simulate.run(quick);
      case "grid" -> io.drift.balancer.sim.GridRun.run(quick);
      case "cluster" -> join ? ClusterBench.joinOnly() : ClusterBench.run(quick);
      case "home-io" -> HomeIoBench.run();
      case "faults" -> FaultsBench.run();
      default -> MigrationBench.run();
    });
    result.putIfAbsent("machine", machine());
    System.out.println(Json.of(result));
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
}
