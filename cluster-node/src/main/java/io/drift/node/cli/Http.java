package io.drift.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drift.api.DriftException;
import io.drift.node.http.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * A node's management HTTP address, for the commands that talk to it there ({@code ctl},
 * {@code members}, {@code why}, {@code mon}), and the calls they make.
 */
final class Http {

  @Option(names = "--http", paramLabel = "HOST:PORT",
      defaultValue = "${env:DRIFT_HTTP:-127.0.0.1:8558}",
      description = "the node's management HTTP address (default: $DRIFT_HTTP or ${DEFAULT-VALUE})")
  String address;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:DRIFT_TOKEN}",
      description = "the node's management token, for verbs that change something"
          + " (default: $DRIFT_TOKEN)")
  String token;

  /** A response: its status and its body as JSON (null if it is not JSON). */
  record Answer(int status, String body, JsonNode json) {
    boolean ok() {
      return status / 100 == 2;
    }

    /** The route's own error message, or the body. */
    String error() {
      return json != null && json.has("error") ? json.get("error").asText() : body;
    }
  }

  Answer get(String path) {
    return call(HttpRequest.newBuilder(uri(path)).GET().timeout(Duration.ofSeconds(30)).build());
  }

  Answer post(String path, Duration timeout) {
    return post(path, HttpRequest.BodyPublishers.noBody(), timeout);
  }

  /** A POST with a JSON object as its body (the routes take fields there or in the query). */
  Answer postJson(String path, java.util.Map<String, Object> body, Duration timeout) {
    try {
      return post(path, HttpRequest.BodyPublishers.ofString(
          Json.mapper().writeValueAsString(body)), timeout);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Answer post(String path, HttpRequest.BodyPublisher body, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
        .POST(body).timeout(timeout).header("Content-Type", "application/json");
    if (token != null && !token.isBlank()) {
      b.header("Authorization", "Bearer " + token.strip());
    }
    return call(b.build());
  }

  private URI uri(String path) {
    try {
      return URI.create("http://" + address + path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--http is HOST:PORT, not " + address);
    }
  }

  private Answer call(HttpRequest request) {
    HttpResponse<String> r;
    try {
      r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new DriftException("cannot reach the node's management HTTP at " + address
          + " (is the node up? its HTTP port is drift node --http-port; or set --http)");
    } catch (HttpTimeoutException e) {
      throw new DriftException("the node at " + address + " did not answer in time");
    } catch (IOException e) {
      throw new DriftException("talking to " + address + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriftException("interrupted while talking to " + address);
    }
    JsonNode json = null;
    try {
      json = Json.mapper().readTree(r.body());
    } catch (IOException notJson) {
      // some routes (Pekko's health checks) answer in plain text
    }
    return new Answer(r.statusCode(), r.body(), json);
  }

  /** The exit code for a status that is not 2xx. */
  static int exitCode(int status) {
    return switch (status) {
      case 409 -> ExitCodes.JOB_FAILED;
      case 400, 401, 403, 404, 405 -> ExitCodes.BAD_INPUT;
      default -> status / 100 == 2 ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    };
  }
}
