package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.drift.api.JobId;
import io.drift.api.units.PrintLines;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.node.client.DriftClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;

/**
 * Hostile input, seeded and bounded, while jobs run: 10,000 requests to the management routes
 * (random methods, paths with traversal and junk, hostile query values, bodies of random bytes,
 * truncated, oversized, deeply nested or mistyped JSON, tokens missing, wrong or right), raw
 * bytes to the HTTP and Artery ports, and 10,000 messages to the client gateway's decoder
 * (mutated CBOR of each command, and random CBOR trees with its fields). The node answers each
 * request with a status below 500, decodes or refuses each message without dying, serves
 * nothing outside its resources, and the walks that ran meanwhile end with the results and
 * output of a run that saw none of it.
 */
class FuzzTest {

  static final int HTTP_INPUTS = 10_000;
  static final int WIRE_INPUTS = 10_000;
  static final long SEED = 20261204L;
  static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FuzzTest.class);

  @Test
  void hostileInputLeavesTheNodeUpAndTheJobsRight() throws Exception {
    Map<String, Object> settings = new java.util.HashMap<>(TestClusters.WRITABLE);
    try (LocalCluster c = TestClusters.startReady(List.of(2, 2), settings);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      // about 15 s of CPU each, spread over the fuzzing: light enough to leave it the cores
      Walks walks = new Walks(client, 2, 150_000, 100);
      Random random = new Random(SEED);

      long t0 = System.nanoTime();
      int[] statuses = fuzzHttp(c, random);
      long t1 = System.nanoTime();
      int decoded = fuzzGatewayWire(c, random, probe);
      long t2 = System.nanoTime();
      junkToPorts(c, random);
      LOG.info("fuzzing: {} requests in {} ms, {} messages in {} ms ({} decoded), junk in {} ms",
          HTTP_INPUTS, (t1 - t0) / 1_000_000, WIRE_INPUTS, (t2 - t1) / 1_000_000, decoded,
          (System.nanoTime() - t2) / 1_000_000);

      // still up, still answering, still one cluster
      for (int i = 0; i < 2; i++) {
        int node = i;
        probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(250), () -> {
          assertEquals(200, get(c, node, "/ready").statusCode());
          return null;
        });
      }
      assertTrue(c.isReady(), "both nodes Up and known to each other");
      walks.assertCompleteEachLineOnce(probe, "");
      // the fuzzing reached the routes' own checks, not just the token's
      assertTrue(statuses[400] > 500, "400s: " + statuses[400]);
      assertTrue(statuses[401] > 500 && statuses[403] > 500, "401 and 403 both seen");
      assertTrue(statuses[404] > 500, "404s: " + statuses[404]);
      assertTrue(decoded > 100, "some hostile messages decoded and reached the gateway: "
          + decoded);
    }
  }

  static HttpResponse<String> get(LocalCluster c, int node, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + c.node(node).httpPort() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  static final String[] SEGMENTS = {"drift", "jobs", "nodes", "ctl", "why", "migrate", "cancel",
      "status", "decisions", "ui", "cluster", "members", "ready", "alive", "metrics", "drain",
      "block", "noblock", "stay", "nostay", "bring", "expel", "..", "%2e%2e", "%2e%2e%2f",
      "..%2f..%2f", "%00", "etc", "passwd", "index.html", "app.js", "0123456789ab", "ffffffffffff",
      "%ZZ", "%", "ü", "💥", "a;b", "*", "pekko:%2F%2Fdrift@127.0.0.1:1", "127.0.0.1:1", ""};
  /** A valid token may not reach these: the point is to stay up, not to drain the node. */
  static final List<String> DESTRUCTIVE = List.of("drain", "expel", "block", "stay", "bring",
      "cancel", "migrate", "members");
  static final String[] KEYS = {"to", "home", "within", "force", "all", "operation", "x"};
  static final String[] VALUES = {"99999999999999999999999999", "-1", "0", "1e309", "NaN",
      "-5s", "2562047788015215h", "60s", "true", "maybe", "", "../../etc/passwd", "%00",
      "home", "freeze", "continue", "127.0.0.1:1", "Leave", "Down", "%F0%9F%92%A5"};

  static int[] fuzzHttp(LocalCluster c, Random r) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    java.util.concurrent.atomic.AtomicIntegerArray statuses =
        new java.util.concurrent.atomic.AtomicIntegerArray(600);
    java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
    // the inputs come from the seed in order; four senders at once keep both nodes busy
    java.util.concurrent.ExecutorService senders =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < HTTP_INPUTS; i++) {
        StringBuilder path = new StringBuilder();
        int segments = 1 + r.nextInt(5);
        for (int s = 0; s < segments; s++) {
          path.append('/').append(r.nextInt(20) == 0 ? "x".repeat(r.nextInt(9000))
              : SEGMENTS[r.nextInt(SEGMENTS.length)]);
        }
        if (r.nextBoolean()) {
          path.append('?');
          for (int q = 0; q <= r.nextInt(3); q++) {
            path.append(q == 0 ? "" : "&").append(KEYS[r.nextInt(KEYS.length)]).append('=')
                .append(VALUES[r.nextInt(VALUES.length)]);
          }
        }
        String method = methods[r.nextInt(methods.length)];
        int tokenKind = r.nextInt(3); // none, wrong, right
        if (tokenKind == 2 && DESTRUCTIVE.stream().anyMatch(d -> path.indexOf(d) >= 0)) {
          tokenKind = 1;
        }
        int node = r.nextInt(2);
        byte[] body = body(r);
        boolean json = body != null && r.nextBoolean();
        String auth = tokenKind == 0 ? null : tokenKind == 2 ? "Bearer " + TestClusters.TOKEN
            : r.nextBoolean() ? "Bearer " + Long.toHexString(r.nextLong())
            : "Basic " + "A".repeat(r.nextInt(100));
        senders.execute(() -> {
          String what = method + " " + path + " (" + (body == null ? 0 : body.length)
              + " bytes)";
          try {
            statuses.incrementAndGet(send(http, c, node, method, path.toString(), body, json,
                auth, what));
          } catch (Throwable e) {
            failures.add(what + ": " + e);
          }
        });
      }
    } finally {
      senders.shutdown();
      assertTrue(senders.awaitTermination(5, TimeUnit.MINUTES), "the senders ended");
    }
    assertTrue(failures.isEmpty(), failures.size() + " failed, such as "
        + failures.stream().limit(5).toList());
    int[] out = new int[600];
    for (int i = 0; i < out.length; i++) {
      out[i] = statuses.get(i);
    }
    return out;
  }

  /** One request; its status, once the answer is checked. */
  static int send(HttpClient http, LocalCluster c, int node, String method, String path,
      byte[] body, boolean json, String auth, String what) throws Exception {
    URI uri;
    try {
      uri = URI.create("http://127.0.0.1:" + c.node(node).httpPort() + path);
    } catch (IllegalArgumentException notAUri) {
      // the client cannot even send it (bad escapes): send its bytes raw instead
      return rawRequest(c, method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body));
    if (json) {
      b.header("Content-Type", "application/json");
    }
    if (auth != null) {
      b.header("Authorization", auth);
    }
    HttpResponse<byte[]> a;
    try {
      a = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException closed) {
      // a body past the limit: the node answers 413 and closes while the client still
      // writes, so the client may see only the closed connection
      assertTrue(body != null && body.length > 64 * 1024, what + ": " + closed);
      return 413;
    }
    assertTrue(a.statusCode() < 500, what + " -> " + a.statusCode() + ": "
        + new String(a.body(), StandardCharsets.UTF_8));
    String text = new String(a.body(), StandardCharsets.ISO_8859_1);
    assertFalse(text.contains("root:x:0") || text.contains("<project")
            || text.contains("\u00ca\u00fe\u00ba\u00be"),
        what + " served a file from outside the dashboard's resources");
    return a.statusCode();
  }

  /** A body: none, random bytes, truncated, oversized, deeply nested or mistyped JSON. */
  static byte[] body(Random r) {
    String json;
    switch (r.nextInt(9)) {
      case 0, 1 -> {
        return null;
      }
      case 2 -> {
        byte[] b = new byte[r.nextInt(4096)];
        r.nextBytes(b);
        return b;
      }
      case 3 -> {
        String whole = "{\"to\": \"home\", \"within\": \"60s\", \"force\": false}";
        json = whole.substring(0, r.nextInt(whole.length()));
      }
      case 4 -> json = "{\"within\": \"" + "9".repeat(70 * 1024) + "\"}"; // past 64 KiB
      case 5 -> json = "[".repeat(1 + r.nextInt(20_000));
      case 6 -> json = List.of("{\"within\": [1, 2]}", "{\"to\": {\"a\": 1}}", "null", "\"x\"",
          "12", "{\"within\": 1e400}", "{\"force\": 123456789012345678901234567890}",
          "{\"to\": null}", "[]", "{\"\\u0000\": \"\\ud800\"}").get(r.nextInt(10));
      case 7 -> json = "{\"" + KEYS[r.nextInt(KEYS.length)] + "\": \""
          + VALUES[r.nextInt(VALUES.length)] + "\"}";
      default -> json = "{\"to\": \"" + "ü".repeat(r.nextInt(3000)) + "\"}";
    }
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** Sends bytes as they are; the status of the answer, or 400 if the node hung up. */
  static int rawRequest(LocalCluster c, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", c.node(0).httpPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      String line = statusLine(s.getInputStream());
      if (line == null) {
        return 400; // closed without an answer: refused, not crashed
      }
      int status = Integer.parseInt(line.split(" ")[1]);
      assertTrue(refusal(status), request + " -> " + line);
      return status;
    }
  }

  /**
   * An answer to junk: a 4xx, or 501 for a method no server knows (HTTP's own answer to
   * that), never an error of the node's.
   */
  static boolean refusal(int status) {
    return status < 500 || status == 501;
  }

  static String statusLine(InputStream in) throws Exception {
    StringBuilder b = new StringBuilder();
    int ch;
    while ((ch = in.read()) >= 0 && ch != '\n') {
      b.append((char) ch);
    }
    return b.length() == 0 ? null : b.toString().trim();
  }

  /** Random bytes to the HTTP port and to the Artery port; each connection may just close. */
  static void junkToPorts(LocalCluster c, Random r) throws Exception {
    String artery = c.node(1).selfNode();
    int arteryPort = Integer.parseInt(artery.substring(artery.lastIndexOf(':') + 1));
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[1 + r.nextInt(8192)];
      r.nextBytes(junk);
      if (i % 2 == 0) {
        // an HTTP-looking start, then junk
        byte[] head = "POST /drift/ctl/noblock HTTP/1.1\r\nContent-Length: 99999999999\r\n"
            .getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, junk, 0, Math.min(head.length, junk.length));
      }
      try (Socket s = new Socket("127.0.0.1", i % 3 == 0 ? arteryPort : c.node(0).httpPort())) {
        s.setSoTimeout(2_000);
        OutputStream out = s.getOutputStream();
        out.write(junk);
        out.flush();
        s.shutdownOutput();
        String line = statusLine(s.getInputStream());
        if (line != null && line.startsWith("HTTP/")) {
          assertTrue(refusal(Integer.parseInt(line.split(" ")[1])), line);
        }
      } catch (java.net.SocketException | java.net.SocketTimeoutException dropped) {
        // the node hung up on it, or kept quiet: both fine
      }
    }
  }

  // ---- the client gateway's wire -------------------------------------------------------------

  /** Mutated and random CBOR for each gateway command; decoded ones go to the gateway. */
  static int fuzzGatewayWire(LocalCluster c, Random r, TestProbe<Object> probe)
      throws Exception {
    DriftNode node = c.node(0);
    Serialization ser = SerializationExtension.get(Adapter.toClassic(node.system()));
    ActorRef<Object> reply = probe.ref();
    Payload harmless = new StateCodec().encode(new PrintLines(1));
    List<Object> commands = List.of(
        new Gateway.Submit("fuzz", harmless, 0, true, null, null, null, reply.narrow()),
        new Gateway.PutCode("ab".repeat(32), 0, new byte[] {1, 2, 3}, 3, reply.narrow()),
        new Gateway.ListJobs(0, reply.narrow()),
        new Gateway.GetJob(JobId.of("0123456789ab"), reply.narrow()),
        new Gateway.GetHome(JobId.of("0123456789ab"), reply.narrow()),
        new Gateway.Migrate(JobId.of("0123456789ab"), "home", reply.narrow()),
        new Gateway.GetNodes(reply.narrow()),
        new Gateway.GetDecisions("0123456789ab", reply.narrow()),
        new Gateway.GetMembers(reply.narrow()));
    // the writer may nest deeper than a reader allows: that is the point
    CBORMapper cbor = new CBORMapper(com.fasterxml.jackson.dataformat.cbor.CBORFactory.builder()
        .streamWriteConstraints(com.fasterxml.jackson.core.StreamWriteConstraints.builder()
            .maxNestingDepth(10_000).build()).build());
    int decoded = 0;
    for (int i = 0; i < WIRE_INPUTS; i++) {
      Object base = commands.get(i % commands.size());
      Serializer s = ser.findSerializerFor(base);
      String manifest = Serializers.manifestFor(s, base);
      byte[] valid = ser.serialize(base).get();
      byte[] input = switch (r.nextInt(5)) {
        case 0 -> flip(valid, r);
        case 1 -> java.util.Arrays.copyOf(valid, r.nextInt(valid.length));
        case 2 -> {
          byte[] b = new byte[r.nextInt(2048)];
          r.nextBytes(b);
          yield b;
        }
        default -> cbor.writeValueAsBytes(hostileTree(cbor.readTree(valid), r));
      };
      scala.util.Try<Object> t = ser.deserialize(input, s.identifier(), manifest);
      if (t.isSuccess() && t.get() instanceof Gateway.Command cmd) {
        node.refs().gateway().tell(cmd);
        decoded++;
      }
    }
    // the gateway still answers a real question
    Gateway.Members m = AskPattern.<Gateway.Command, Gateway.Members>ask(node.refs().gateway(),
        Gateway.GetMembers::new, Duration.ofSeconds(10), node.system().scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(2, m.up().size(), m.toString());
    return decoded;
  }

  static byte[] flip(byte[] valid, Random r) {
    byte[] b = valid.clone();
    for (int k = 0; k <= r.nextInt(4); k++) {
      int at = r.nextInt(b.length);
      b[at] = (byte) (b[at] ^ (1 << r.nextInt(8)));
    }
    return b;
  }

  /** The command's fields, some given hostile values of any type. */
  static JsonNode hostileTree(JsonNode valid, Random r) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode out = f.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = valid.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (r.nextInt(3) > 0) {
        out.set(e.getKey(), e.getValue());
        continue;
      }
      out.set(e.getKey(), switch (r.nextInt(10)) {
        case 0 -> f.nullNode();
        case 1 -> f.numberNode(Long.MAX_VALUE);
        case 2 -> f.numberNode(-1);
        case 3 -> f.numberNode(new BigInteger("1" + "0".repeat(40)));
        case 4 -> f.numberNode(1e308);
        case 5 -> f.textNode("x".repeat(r.nextInt(100_000)));
        case 6 -> f.textNode("../../../etc/passwd");
        case 7 -> {
          ArrayNode deep = f.arrayNode();
          ArrayNode at = deep;
          for (int d = 0; d < 2_000; d++) {
            at = at.addArray();
          }
          yield deep;
        }
        case 8 -> f.booleanNode(r.nextBoolean());
        default -> f.binaryNode(new byte[r.nextInt(1024)]);
      });
    }
    if (r.nextInt(10) == 0) {
      out.put("unknownField", "?");
    }
    return out;
  }
}
