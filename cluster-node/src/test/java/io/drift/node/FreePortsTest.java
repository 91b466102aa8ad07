package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ports node processes are started on: a node that loses its port to an outgoing
 * connection before it binds it dies at start (GridProcessesIT did, once, in CI).
 */
class FreePortsTest {

  @Test
  void portsLieBelowTheEphemeralRangeAreDistinctAndBindable() throws Exception {
    int low = LocalCluster.ephemeralLow();
    if (Files.exists(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      assertTrue(low >= 1024, "Linux's ephemeral range read as starting at " + low);
    }
    List<Integer> first = LocalCluster.freePorts(12);
    List<Integer> second = LocalCluster.freePorts(12);
    Set<Integer> all = new HashSet<>(first);
    all.addAll(second);
    assertEquals(24, all.size(), "no port handed out twice: " + first + " " + second);
    List<ServerSocket> bound = new ArrayList<>();
    try {
      for (int port : all) {
        if (low > 11_000) { // Linux with room below its ephemeral range (the usual 32768)
          assertTrue(port >= 10_000 && port < low, port + " outside [10000, " + low + ")");
        }
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName(LocalCluster.HOST), port));
        bound.add(s);
      }
    } finally {
      for (ServerSocket s : bound) {
        s.close();
      }
    }
  }
}
