package io.drift.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.TreeSet;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the load monitor writes to Distributed Data: news at the next interval, an unchanged
 * sample only once per {@code drift.load.refresh} (each write is replicated to every node).
 */
class LoadMonitorRefreshTest {

  private ActorTestKit kit;
  private TestProbe<Replicator.SubscribeResponse<LWWMap<String, LoadSample>>> changes;
  private final TestLoad local = new TestLoad();

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("refresh", ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.distributed-data.notify-subscribers-interval = 20ms
        """).withFallback(ConfigFactory.load()));
    Cluster.get(kit.system()).manager().tell(Join.create(
        Cluster.get(kit.system()).selfMember().address()));
    changes = kit.createTestProbe();
    DistributedData.get(kit.system()).replicator()
        .tell(new Replicator.Subscribe<>(LoadMonitor.KEY, changes.ref()));
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private void monitor(Duration refresh) {
    kit.spawn(LoadMonitor.create(new LoadSettings(Duration.ofMillis(20), Duration.ZERO, refresh),
        local, 1.0, 1L << 30, "127.0.0.1:1", "pekko://refresh/user/executor"));
  }

  /** The sample the next change shows, within the given time. */
  private LoadSample next(Duration within) {
    var rsp = changes.expectMessageClass(Replicator.Changed.class, within);
    @SuppressWarnings("unchecked")
    LWWMap<String, LoadSample> map = (LWWMap<String, LoadSample>) rsp.dataValue();
    return map.getEntries().get("127.0.0.1:1");
  }

  @Test
  void anUnchangedSampleIsNotWrittenAgainBeforeTheRefreshButNewsIsWrittenAtOnce() {
    monitor(Duration.ofMinutes(1));
    LoadSample first = next(Duration.ofSeconds(10));
    assertEquals(0, first.runnable());
    // 25 intervals of 20 ms: written every interval, this would see a new sequence each time
    changes.expectNoMessage(Duration.ofMillis(500));
    local.runnable = 3;
    LoadSample news = next(Duration.ofSeconds(5));
    assertEquals(3, news.runnable());
    assertTrue(news.sequence() > first.sequence());
  }

  @Test
  void anUnchangedSampleIsWrittenAgainEveryRefresh() {
    monitor(Duration.ofMillis(300));
    TreeSet<Long> sequences = new TreeSet<>();
    sequences.add(next(Duration.ofSeconds(10)).sequence());
    // bounded: three rewrites of an idle sample, each a refresh apart (about a second)
    while (sequences.size() < 4) {
      LoadSample s = next(Duration.ofSeconds(5));
      assertEquals(0, s.runnable());
      sequences.add(s.sequence());
    }
    // the sequence counts every measurement (one per 20 ms interval); that it advanced by
    // several between writes shows that the measurements in between were not written
    long first = sequences.first();
    long second = sequences.higher(first);
    assertTrue(second - first >= 5, "rewritten after " + (second - first) + " intervals");
  }
}
