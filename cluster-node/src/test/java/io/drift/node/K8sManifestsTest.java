package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The manifests in k8s/ agree with the node's Kubernetes profile, conf/k8s.conf: what the pods
 * expose, probe, label and mount is what the node binds, serves, discovers and reads. No
 * cluster here: this is what can be checked without one (docs/kubernetes.md says what cannot).
 */
class K8sManifestsTest {

  private static final String POD_IP = "10.20.30.40";
  private static final String NAMESPACE = "drift";

  static Path root;
  static List<JsonNode> docs;
  static Config conf;

  @BeforeAll
  static void load() throws IOException {
    root = Path.of("").toAbsolutePath().getParent();
    docs = new ArrayList<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root.resolve("k8s"))) {
      files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted().toList();
    }
    assertFalse(files.isEmpty(), "no manifests under k8s/");
    for (Path f : files) {
      // every document of a multi-document file, not only the first
      try (var it = yaml.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
        List<JsonNode> inFile = it.readAll();
        assertFalse(inFile.isEmpty(), f + " holds no document");
        for (JsonNode d : inFile) {
          assertFalse(d == null || d.isNull() || d.isMissingNode(), "an empty document in " + f);
          docs.add(d);
        }
      }
    }
    // POD_IP comes from the downward API in a pod; here it is given like a flag
    conf = DriftConfig.forNode(root.resolve("conf/k8s.conf"), Map.of("POD_IP", POD_IP,
        "DRIFT_KEYSTORE_PASSWORD", "k", "DRIFT_TRUSTSTORE_PASSWORD", "t"));
  }

  // --- the profile itself ---------------------------------------------------------------

  @Test
  void theProfileJoinsByBootstrapThroughTheKubernetesApiAndAdvertisesThePodIp() {
    NodeSettings.fromConfig(conf); // passes the node's own checks
    assertEquals(JoinMode.BOOTSTRAP, JoinMode.fromConfig(conf));
    assertTrue(conf.getStringList("pekko.cluster.seed-nodes").isEmpty());
    assertEquals("kubernetes-api", conf.getString("pekko.discovery.method"));
    assertEquals("kubernetes-api", conf.getString(
        "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    // bootstrap's self contact point is hostname:port; discovery returns the pod IP
    assertEquals(POD_IP, conf.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(POD_IP, conf.getString("pekko.management.http.hostname"));
    assertEquals("0.0.0.0", JoinMode.bindHostname(conf));
  }

  @Test
  void withoutPodIpTheProfileDoesNotResolve() {
    assumeTrue(System.getenv("POD_IP") == null, "POD_IP is set in this environment");
    ConfigException e = assertThrows(ConfigException.class,
        () -> DriftConfig.forNode(root.resolve("conf/k8s.conf"), Map.of()));
    assertTrue(e.getMessage().contains("POD_IP"), e.getMessage());
  }

  // --- the manifests against each other and the profile --------------------------------

  @Test
  void everyObjectIsNamedAndInDriftsNamespace() {
    Set<String> kinds = new TreeSet<>();
    for (JsonNode d : docs) {
      String kind = d.path("kind").asText();
      assertFalse(d.path("apiVersion").asText().isEmpty(), "apiVersion of " + d);
      assertFalse(d.path("metadata").path("name").asText().isEmpty(), "name of " + kind);
      kinds.add(kind);
      if (!kind.equals("Namespace")) {
        assertEquals(NAMESPACE, d.path("metadata").path("namespace").asText(),
            "namespace of " + kind + " " + d.path("metadata").path("name").asText());
      }
    }
    assertEquals(new TreeSet<>(List.of("ConfigMap", "Namespace", "PodDisruptionBudget", "Role",
        "RoleBinding", "Secret", "Service", "ServiceAccount", "StatefulSet")), kinds);
  }

  @Test
  void containerPortsAreTheConfiguredArteryAndManagementPorts() {
    Map<String, Integer> ports = containerPorts();
    assertEquals(conf.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"));
    assertEquals(conf.getInt("pekko.management.http.port"), ports.get("management"));
    assertEquals(conf.getInt("drift.migration.side-channel.port"), ports.get("side-channel"));
    // discovery reports, as each contact point's port, the container port of this name
    String portName =
        conf.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name");
    assertEquals(conf.getInt("pekko.management.http.port"), ports.get(portName),
        "the container port named " + portName);
    // the Service forwards the same ports under the same names
    for (JsonNode p : one("Service", serviceName()).path("spec").path("ports")) {
      String name = p.path("name").asText();
      assertEquals(ports.get(name), p.path("port").asInt(), "Service port " + name);
      assertEquals(name, p.path("targetPort").asText(), "Service targetPort " + name);
    }
  }

  @Test
  void probesAreReadyAndAliveOnTheManagementPort() {
    JsonNode c = container();
    assertEquals("/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals("/alive", c.path("livenessProbe").path("httpGet").path("path").asText());
    int management = conf.getInt("pekko.management.http.port");
    assertEquals(management, probePort(c.path("readinessProbe")), "readiness port");
    assertEquals(management, probePort(c.path("livenessProbe")), "liveness port");
    // the kubelet must wait longer than Pekko waits for the checks, or a slow check looks
    // like a dead node rather than a 503 (Kubernetes' default timeout is 1 s)
    long checks = conf.getDuration("pekko.management.health-checks.check-timeout").toSeconds();
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      long timeout = c.path(probe).path("timeoutSeconds").asLong(1);
      assertTrue(timeout > checks, probe + " timeoutSeconds " + timeout + " > " + checks);
    }
  }

  @Test
  void podLabelsMatchTheDiscoverySelector() {
    Map<String, String> labels = labels(statefulSet().path("spec").path("template")
        .path("metadata").path("labels"));
    String selector = conf.getString("pekko.discovery.kubernetes-api.pod-label-selector");
    // Pekko replaces %s with the bootstrap's effective name: the service-name here
    assertTrue(conf.getString("pekko.management.cluster.bootstrap.contact-point-discovery"
        + ".effective-name").startsWith("<"), "effective-name is not set");
    assertTrue(conf.getString("pekko.management.cluster.bootstrap.contact-point-discovery"
        + ".service-namespace").startsWith("<"), "service-namespace is not set");
    String effective = selector.replace("%s", serviceName());
    for (String term : effective.split(",")) {
      String[] kv = term.trim().split("=", 2);
      assertEquals(2, kv.length, "only key=value terms are checked here: " + term);
      assertEquals(kv[1].trim(), labels.get(kv[0].trim()),
          "pod template label " + kv[0] + " (selector " + effective + ")");
    }
    // the StatefulSet's, the Service's and the budget's selectors pick these pods too
    assertSubset(labels(statefulSet().path("spec").path("selector").path("matchLabels")), labels,
        "StatefulSet selector");
    assertSubset(labels(one("Service", serviceName()).path("spec").path("selector")), labels,
        "Service selector");
    assertSubset(labels(only("PodDisruptionBudget").path("spec").path("selector")
        .path("matchLabels")), labels, "PodDisruptionBudget selector");
    // discovery skips pods whose container of this name is waiting
    assertEquals(conf.getString("pekko.discovery.kubernetes-api.container-name"),
        container().path("name").asText());
  }

  @Test
  void theHeadlessServiceIsTheBootstrapServiceAndTheStatefulSetsOwn() {
    JsonNode svc = one("Service", serviceName());
    assertEquals("None", svc.path("spec").path("clusterIP").asText(), "headless");
    assertEquals(serviceName(), statefulSet().path("spec").path("serviceName").asText());
  }

  @Test
  void requiredContactPointsCanAllRun() {
    int required = conf.getInt(
        "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr");
    int replicas = statefulSet().path("spec").path("replicas").asInt();
    assertTrue(required >= 1 && required <= replicas,
        "required-contact-point-nr " + required + " with " + replicas + " replicas");
    // OrderedReady starts pod 1 only once pod 0 is ready, which it is not before a cluster
    // forms: with more than one contact point required, nothing would ever form
    if (required > 1) {
      assertEquals("Parallel", statefulSet().path("spec").path("podManagementPolicy").asText());
    }
  }

  @Test
  void theRoleLetsThePodsServiceAccountReadPods() {
    String account = statefulSet().path("spec").path("template").path("spec")
        .path("serviceAccountName").asText();
    one("ServiceAccount", account);
    JsonNode binding = only("RoleBinding");
    assertEquals("Role", binding.path("roleRef").path("kind").asText());
    JsonNode role = one("Role", binding.path("roleRef").path("name").asText());
    boolean bound = false;
    for (JsonNode s : binding.path("subjects")) {
      bound |= s.path("kind").asText().equals("ServiceAccount")
          && s.path("name").asText().equals(account)
          && s.path("namespace").asText().equals(NAMESPACE);
    }
    assertTrue(bound, "the RoleBinding names ServiceAccount " + account + " in " + NAMESPACE);
    boolean reads = false;
    for (JsonNode rule : role.path("rules")) {
      if (texts(rule.path("apiGroups")).contains("") && texts(rule.path("resources"))
          .contains("pods")) {
        reads |= texts(rule.path("verbs")).containsAll(List.of("get", "list", "watch"));
      }
    }
    assertTrue(reads, "Role " + role.path("metadata").path("name").asText()
        + " allows get, list and watch on pods");
  }

  @Test
  void terminationGraceOutlastsTheDrain() {
    long grace = statefulSet().path("spec").path("template").path("spec")
        .path("terminationGracePeriodSeconds").asLong(30); // Kubernetes' default
    Duration drain = conf.getDuration("drift.node.drain-on-sigterm");
    Duration phase =
        conf.getDuration("pekko.coordinated-shutdown.phases.before-cluster-shutdown.timeout");
    assertTrue(phase.compareTo(drain) > 0, "the phase " + phase + " outlasts the drain " + drain);
    // after the drain's phase the node still leaves the cluster and stops its system
    Duration after =
        conf.getDuration("pekko.coordinated-shutdown.phases.cluster-exiting.timeout")
            .plus(conf.getDuration(
                "pekko.coordinated-shutdown.phases.actor-system-terminate.timeout"));
    assertTrue(grace > phase.plus(after).toSeconds(), "terminationGracePeriodSeconds " + grace
        + " > " + phase + " + " + after);
  }

  @Test
  void theConfigMapHoldsConfK8sConfWhereTheNodeReadsIt() throws IOException {
    JsonNode pod = statefulSet().path("spec").path("template").path("spec");
    JsonNode mount = volumeMount("config");
    String configMap = volume(pod, "config").path("configMap").path("name").asText();
    JsonNode data = one("ConfigMap", configMap).path("data");
    assertEquals(List.of("k8s-client.conf", "k8s.conf"), texts(new ObjectMapper()
        .valueToTree(new java.util.TreeSet<>(iterable(data.fieldNames())))),
        "keys of ConfigMap " + configMap);
    String key = "k8s.conf";
    for (String file : List.of("k8s.conf", "k8s-client.conf")) {
      assertEquals(Files.readString(root.resolve("conf").resolve(file)), data.path(file)
          .asText(), "ConfigMap " + configMap + " " + file + " = conf/" + file);
    }
    List<String> args = texts(container().path("args"));
    int i = args.indexOf("--config");
    assertTrue(i >= 0 && i + 1 < args.size(), "the container's args name --config: " + args);
    assertEquals(mount.path("mountPath").asText() + "/" + key, args.get(i + 1));
  }

  @Test
  void theNodesStateIsOnThePodsDataVolume() {
    String data = volumeMount("data").path("mountPath").asText();
    for (String key : List.of("drift.home.frozen-dir", "drift.home.jobs-dir",
        "drift.home.code-dir")) {
      assertTrue(conf.getString(key).startsWith(data + "/"), key + " under " + data);
    }
  }

  @Test
  void podIpAndTokenComeFromTheDownwardApiAndTheSecret() {
    Map<String, JsonNode> env = new HashMap<>();
    container().path("env").forEach(e -> env.put(e.path("name").asText(), e));
    assertEquals("status.podIP", env.get("POD_IP").path("valueFrom").path("fieldRef")
        .path("fieldPath").asText());
    JsonNode ref = env.get("DRIFT_TOKEN").path("valueFrom").path("secretKeyRef");
    JsonNode secret = one("Secret", ref.path("name").asText());
    assertTrue(secret.path("stringData").has(ref.path("key").asText())
        || secret.path("data").has(ref.path("key").asText()), "the example Secret has key "
        + ref.path("key").asText());
  }

  @Test
  void nodesTalkTlsWithMutualAuthenticationFromTheMountedSecret() {
    String ssl = "pekko.remote.artery.ssl.config-ssl-engine.";
    assertEquals("tls-tcp", conf.getString("pekko.remote.artery.transport"));
    assertTrue(conf.getBoolean(ssl + "require-mutual-authentication"));
    String dir = volumeMount("tls").path("mountPath").asText();
    JsonNode secret = volume(statefulSet().path("spec").path("template").path("spec"), "tls")
        .path("secret");
    List<String> files = new ArrayList<>();
    secret.path("items").forEach(i -> files.add(dir + "/" + i.path("path").asText()));
    assertTrue(files.contains(conf.getString(ssl + "key-store")), files.toString());
    assertTrue(files.contains(conf.getString(ssl + "trust-store")), files.toString());
    Map<String, JsonNode> env = new HashMap<>();
    container().path("env").forEach(e -> env.put(e.path("name").asText(), e));
    JsonNode example = one("Secret", secret.path("secretName").asText());
    for (String var : List.of("DRIFT_KEYSTORE_PASSWORD", "DRIFT_TRUSTSTORE_PASSWORD")) {
      JsonNode ref = env.get(var).path("valueFrom").path("secretKeyRef");
      assertEquals(secret.path("secretName").asText(), ref.path("name").asText(), var);
      assertTrue(example.path("stringData").has(ref.path("key").asText()), var);
    }
    secret.path("items").forEach(i -> assertTrue(example.path("data").has(
        i.path("key").asText()), "the example Secret holds " + i.path("key").asText()));
  }

  @Test
  void aClientInAPodUsesTheSameTlsAndThePodsStores() {
    Config client = DriftConfig.forClient(root.resolve("conf/k8s-client.conf"), Map.of(
        "POD_IP", POD_IP, "DRIFT_KEYSTORE_PASSWORD", "k", "DRIFT_TRUSTSTORE_PASSWORD", "t"));
    String ssl = "pekko.remote.artery.ssl.config-ssl-engine.";
    assertEquals("tls-tcp", client.getString("pekko.remote.artery.transport"));
    assertEquals(POD_IP, client.getString("pekko.remote.artery.canonical.hostname"));
    for (String key : List.of("key-store", "trust-store", "protocol",
        "require-mutual-authentication", "hostname-verification")) {
      assertEquals(conf.getString(ssl + key), client.getString(ssl + key), key);
    }
  }

  @Test
  void theImageRunsTheSameCommandAndPacksTheBuiltJar() throws IOException {
    String dockerfile = Files.readString(root.resolve("Dockerfile"));
    Matcher cmd = Pattern.compile("(?m)^CMD\\s+(\\[.*])\\s*$").matcher(dockerfile);
    assertTrue(cmd.find(), "the Dockerfile has an exec-form CMD");
    List<String> command = texts(new ObjectMapper().readTree(cmd.group(1)));
    assertEquals(command, texts(container().path("args")), "the Dockerfile's CMD = args");
    assertTrue(dockerfile.contains("COPY cluster-node/target/drift-node.jar"), "packs the jar");
    assertTrue(dockerfile.contains("COPY cluster-node/target/lib/"), "packs its libraries");
    long uid = statefulSet().path("spec").path("template").path("spec")
        .path("securityContext").path("runAsUser").asLong();
    assertTrue(dockerfile.contains("USER " + uid), "the image's user is the pod's " + uid);
  }

  // --- helpers ---------------------------------------------------------------------------

  private static String serviceName() {
    return conf.getString(
        "pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
  }

  private static JsonNode one(String kind, String name) {
    List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asText().equals(kind)
        && d.path("metadata").path("name").asText().equals(name)).toList();
    assertEquals(1, found.size(), kind + " " + name + " in k8s/");
    return found.get(0);
  }

  private static JsonNode only(String kind) {
    List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asText().equals(kind))
        .toList();
    assertEquals(1, found.size(), "one " + kind + " in k8s/");
    return found.get(0);
  }

  private static JsonNode statefulSet() {
    return only("StatefulSet");
  }

  private static JsonNode container() {
    JsonNode containers = statefulSet().path("spec").path("template").path("spec")
        .path("containers");
    assertEquals(1, containers.size(), "containers");
    return containers.get(0);
  }

  private static Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new HashMap<>();
    container().path("ports").forEach(p -> ports.put(p.path("name").asText(),
        p.path("containerPort").asInt()));
    return ports;
  }

  /** A probe's port, by number or by the name of a container port. */
  private static int probePort(JsonNode probe) {
    JsonNode port = probe.path("httpGet").path("port");
    assertFalse(port.isMissingNode(), "an httpGet probe with a port");
    Integer n = port.isInt() ? Integer.valueOf(port.asInt()) : containerPorts().get(port.asText());
    assertNotNull(n, "no container port named " + port.asText());
    return n;
  }

  private static JsonNode volumeMount(String name) {
    for (JsonNode m : container().path("volumeMounts")) {
      if (m.path("name").asText().equals(name)) {
        return m;
      }
    }
    throw new AssertionError("no volume mount " + name);
  }

  private static JsonNode volume(JsonNode podSpec, String name) {
    for (JsonNode v : podSpec.path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name);
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> m = new HashMap<>();
    node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  private static void assertSubset(Map<String, String> selector, Map<String, String> labels,
      String what) {
    assertFalse(selector.isEmpty(), what + " is empty");
    selector.forEach((k, v) -> assertEquals(v, labels.get(k), what + " " + k + "=" + v));
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
