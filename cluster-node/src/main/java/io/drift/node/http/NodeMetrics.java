package io.drift.node.http;

import io.drift.api.JobState;
import io.drift.balancer.Balancer;
import io.drift.home.HomeManager;
import io.drift.node.NodeRefs;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: this node's meters in Prometheus's text format. The modules count what
 * happens (decisions, migrations, checkpoints, home I/O) on Micrometer's global registry, tagged
 * with their node; this node's registry joins it and keeps only its own node's meters, so
 * several nodes in one JVM (demo, tests) each show their own. What is a state rather than an
 * event (jobs by state, every node's load and gossip age) is read from the node's actors at
 * each scrape.
 */
public final class NodeMetrics extends AllDirectives {

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  private static final ContentType PROMETHEUS_TEXT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final ActorSystem<?> system;
  private final NodeRefs refs;
  private final PrometheusMeterRegistry registry;
  private final MultiGauge jobs;
  private final MultiGauge load;
  private final MultiGauge gossipAge;
  private final MultiGauge runnable;

  public NodeMetrics(ActorSystem<?> system, NodeRefs refs) {
    this.system = system;
    this.refs = refs;
    String self = refs.selfNode();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public MeterFilterReply accept(Meter.Id id) {
        String node = id.getTag("node");
        return node == null || node.equals(self) ? MeterFilterReply.NEUTRAL
            : MeterFilterReply.DENY;
      }
    });
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    jobs = MultiGauge.builder("drift.jobs").description("jobs homed at this node, by state")
        .register(registry);
    load = MultiGauge.builder("drift.cluster.load")
        .description("each node's load as this node knows it: runnable per slot per speed")
        .register(registry);
    gossipAge = MultiGauge.builder("drift.gossip.age").baseUnit("intervals")
        .description("age of what this node's window holds of each node, in gossip intervals")
        .register(registry);
    runnable = MultiGauge.builder("drift.cluster.runnable")
        .description("units running or waiting on each node, as this node knows it")
        .register(registry);
    Metrics.globalRegistry.add(registry);
    system.getWhenTerminated().thenRun(() -> {
      Metrics.globalRegistry.remove(registry);
      registry.close();
    });
  }

  public Route route() {
    return path("metrics", () -> get(() -> onComplete(scrape(), t -> t.isSuccess()
        ? complete(HttpResponse.create().withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(PROMETHEUS_TEXT,
                t.get().getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        : complete(HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE)
            .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
                "the node's actors did not answer: " + t.failed().get()))))));
  }

  /** The gauges read from the actors, then the text. */
  CompletionStage<String> scrape() {
    CompletionStage<HomeManager.JobCounts> homed = AskPattern.ask(refs.homes(),
        HomeManager.CountJobs::new, ASK_TIMEOUT, system.scheduler());
    CompletionStage<Balancer.Nodes> nodes = AskPattern.ask(refs.balancer(),
        Balancer.GetNodes::new, ASK_TIMEOUT, system.scheduler());
    return homed.thenCombine(nodes, (j, n) -> {
      String self = refs.selfNode();
      Map<JobState, Integer> byState = j.byState(); // every state: a count at 0 shows as 0
      List<MultiGauge.Row<?>> jobRows = new ArrayList<>();
      byState.forEach((s, c) -> jobRows.add(MultiGauge.Row.of(
          Tags.of("node", self, "state", s.name()), c)));
      jobs.register(jobRows, true);
      List<MultiGauge.Row<?>> loads = new ArrayList<>();
      List<MultiGauge.Row<?>> ages = new ArrayList<>();
      List<MultiGauge.Row<?>> queues = new ArrayList<>();
      for (Balancer.NodeStatus s : n.nodes()) {
        Tags tags = Tags.of("node", self, "peer", s.sample().node());
        loads.add(MultiGauge.Row.of(tags, s.sample().normalizedLoad()));
        queues.add(MultiGauge.Row.of(tags, s.sample().runnable()));
        if (s.gossipAge() >= 0) {
          ages.add(MultiGauge.Row.of(tags, s.gossipAge()));
        }
      }
      load.register(loads, true);
      gossipAge.register(ages, true);
      runnable.register(queues, true);
      return registry.scrape();
    });
  }
}
