# The Drift node image for Kubernetes (k8s/, docs/kubernetes.md). It packs what Maven builds;
# build that first, then the image:
#   mvn -B package -DskipTests          # cluster-node/target/drift-node.jar + target/lib/
#   docker build -t REGISTRY/drift-node:0.1.0 .
# Not built in this project's CI (no container tooling there); K8sManifestsTest checks the
# manifests, the config and this file's paths against each other.
FROM eclipse-temurin:17-jre

# a fixed non-root user: the StatefulSet's securityContext runs as 10001
RUN groupadd --system --gid 10001 drift \
 && useradd --system --uid 10001 --gid drift --home-dir /var/lib/drift --no-create-home drift \
 && mkdir -p /var/lib/drift /etc/drift \
 && chown drift:drift /var/lib/drift

# the jar's manifest puts lib/*.jar on its class path, so the two stay side by side
COPY cluster-node/target/lib/ /opt/drift/lib/
COPY cluster-node/target/drift-node.jar /opt/drift/drift-node.jar
# the node's JVM defaults, as bin/drift passes them
COPY conf/jvm.options /opt/drift/jvm.options
# the k8s profile, for reference; the pods mount the ConfigMap's copy over /etc/drift
COPY conf/k8s.conf /etc/drift/k8s.conf

USER 10001
WORKDIR /var/lib/drift
# cluster (Artery) and management HTTP
EXPOSE 2551 8558

# exec form: java is PID 1 and gets SIGTERM itself, which drains the node before it leaves.
# The heap follows the container's memory limit, leaving room for a client run beside it.
ENTRYPOINT ["java", "@/opt/drift/jvm.options", "-XX:MaxRAMPercentage=60", "-jar", "/opt/drift/drift-node.jar"]
CMD ["node", "--config", "/etc/drift/k8s.conf"]
