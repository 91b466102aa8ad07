package io.drift.bench.peers;

import java.util.List;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.spi.collision.jobstealing.JobStealingCollisionSpi;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.apache.ignite.spi.failover.jobstealing.JobStealingFailoverSpi;
import org.apache.ignite.spi.loadbalancing.adaptive.AdaptiveLoadBalancingSpi;
import org.apache.ignite.spi.loadbalancing.adaptive.AdaptiveProcessingTimeLoadProbe;

/**
 * The two Ignite configurations the comparison runs, for server nodes and for the clients that
 * submit (the load balancing and failover SPIs work on the node where a task starts: the
 * client). Every setting that is not Ignite's default says why; a reader should be able to
 * judge from this file alone that Ignite is configured as its documentation recommends.
 */
final class IgniteSetup {
  private IgniteSetup() {}

  /** Ignite with its defaults, or tuned for uneven jobs as its documentation recommends. */
  enum Mode { DEFAULTS, STEALING }

  /** How many discovery ports the nodes of one run may take, from the base port up. */
  static final int DISCOVERY_RANGE = 20;

  /**
   * @param name the instance name (unique in a JVM)
   * @param client a client node: submits, runs no jobs
   * @param slots jobs a server runs at once (the same slot count Drift's nodes get)
   * @param discoveryPort the first of {@link #DISCOVERY_RANGE} loopback ports the nodes share
   */
  static IgniteConfiguration config(Mode mode, String name, boolean client, int slots,
      int discoveryPort, int communicationPort) throws java.io.IOException {
    IgniteConfiguration cfg = new IgniteConfiguration();
    cfg.setIgniteInstanceName(name);
    // Ignite's work directory (marshaller mappings, logs) per node and run: by default it is
    // ./ignite under the working directory, which a run from the repository would fill
    cfg.setWorkDirectory(java.nio.file.Files.createTempDirectory("drift-bench-ignite-")
        .toString());
    cfg.setClientMode(client);
    // This machine's rule, not a tuning: every node talks only to loopback, and finds the others
    // in a static list of loopback ports (the default multicast finder would leave the host).
    TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
    finder.setAddresses(List.of("127.0.0.1:" + discoveryPort + ".."
        + (discoveryPort + DISCOVERY_RANGE - 1)));
    TcpDiscoverySpi discovery = new TcpDiscoverySpi();
    discovery.setLocalAddress("127.0.0.1");
    discovery.setLocalPort(discoveryPort);
    discovery.setLocalPortRange(DISCOVERY_RANGE);
    discovery.setIpFinder(finder);
    cfg.setDiscoverySpi(discovery);
    TcpCommunicationSpi communication = new TcpCommunicationSpi();
    communication.setLocalAddress("127.0.0.1");
    communication.setLocalPort(communicationPort);
    communication.setLocalPortRange(DISCOVERY_RANGE * 5); // 4 clients and 9 servers at most
    cfg.setCommunicationSpi(communication);
    // The jobs' classes are on every node's class path, as in a production deployment; Ignite's
    // documentation advises peer class loading off in production (it is off by default in 2.x;
    // said here so that no reader wonders whether code shipping is in the measured path).
    cfg.setPeerClassLoadingEnabled(false);
    if (!client) {
      // A node's slot count is part of the trace, not a tuning: Drift's nodes get the same. In
      // Ignite, jobs run on the public pool, so its size is the number of jobs run at once.
      cfg.setPublicThreadPoolSize(slots);
    }
    if (mode == Mode.STEALING) {
      // Ignite's answer to uneven jobs and uneven nodes ("late load balancing"): an idle node
      // steals jobs still waiting on a busy one (JobStealingCollisionSpi javadoc, whose example
      // this follows).
      JobStealingCollisionSpi stealing = new JobStealingCollisionSpi();
      // "should usually be equal to the number of threads in the pool": the slots
      stealing.setActiveJobsThreshold(slots);
      // 0, the default: a node steals as soon as it has nothing waiting, and any job waiting
      // anywhere may be stolen
      stealing.setWaitJobsThreshold(0);
      // the default (1 s); the same as Drift's gossip interval in this benchmark
      stealing.setMessageExpireTime(1000);
      // the javadoc's example (the default is 5): a job may travel more than once on a grid of
      // mixed speeds
      stealing.setMaximumStealingAttempts(10);
      stealing.setStealingEnabled(true);
      cfg.setCollisionSpi(stealing);
      // "must always be used in conjunction with" JobStealingCollisionSpi: it routes stolen jobs
      cfg.setFailoverSpi(new JobStealingFailoverSpi());
      // "job metrics update should be enabled in order for this SPI to work properly": every
      // second, as Drift's gossip here (Ignite's default is 2 s)
      cfg.setMetricsUpdateFrequency(1000);
      // Early balancing by measured load rather than round robin (the default). The probe: the
      // nodes differ in speed, not in CPU load (emulated work waits, it does not compute, so the
      // default CPU probe would see every node idle); a job's processing time is what tells a
      // slow node from a fast one.
      AdaptiveLoadBalancingSpi balancing = new AdaptiveLoadBalancingSpi();
      balancing.setLoadProbe(new AdaptiveProcessingTimeLoadProbe(true));
      cfg.setLoadBalancingSpi(balancing);
    }
    return cfg;
  }

  /** System properties every Ignite JVM of the benchmark sets before Ignition.start. */
  static void quiet() {
    // no call to ignite.apache.org for a newer version: nothing leaves this machine
    System.setProperty("IGNITE_UPDATE_NOTIFIER", "false");
    System.setProperty("IGNITE_QUIET", "true");
    System.setProperty("IGNITE_NO_ASCII", "true");
    System.setProperty("java.net.preferIPv4Stack", "true");
  }

  /**
   * The JVM options Ignite 2.x needs on Java 17 (its documentation's list), as a Java argument
   * file: bin/drift-bench gives the runner's JVM the same file ({@code java @file}).
   */
  static String opensFile() {
    String file = System.getProperty("drift.bench.ignite-jvm-options");
    if (file == null) {
      throw new IllegalStateException("drift.bench.ignite-jvm-options is not set: run through"
          + " bin/drift-bench peers");
    }
    return "@" + file;
  }
}
