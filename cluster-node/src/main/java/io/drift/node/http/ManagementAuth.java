package io.drift.node.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who may change things over the management port: every request that is not a read (GET, HEAD,
 * OPTIONS) must carry {@code Authorization: Bearer TOKEN} with the node's
 * {@code drift.management.token}. It guards Drift's routes and Pekko's alike (Pekko's
 * {@code PUT/DELETE /cluster/members} when they are writable). A missing token is a 401, a wrong
 * one a 403. A node whose routes are writable must have a token: it refuses to start without
 * one, so an open, unauthenticated management port cannot happen by accident.
 */
public final class ManagementAuth extends AllDirectives {

  /** Shortest token accepted: 16 characters, about 96 bits when random. */
  static final int MIN_TOKEN_LENGTH = 16;

  private static final Set<HttpMethod> READS =
      Set.of(HttpMethods.GET, HttpMethods.HEAD, HttpMethods.OPTIONS);

  private final byte[] token; // null: none configured, so the routes are read-only

  private ManagementAuth(byte[] token) {
    this.token = token;
  }

  /**
   * From {@code drift.management.token} (or {@code DRIFT_TOKEN}).
   *
   * @throws ConfigException the routes are writable without a token, or the token is too short
   */
  public static ManagementAuth fromConfig(Config c) {
    String t = c.getString("drift.management.token").strip();
    boolean writable = !c.getBoolean("pekko.management.http.route-providers-read-only");
    if (t.isEmpty()) {
      if (writable && c.getBoolean("drift.node.management")) {
        throw new ConfigException.BadValue("drift.management.token", "the management routes are"
            + " writable (pekko.management.http.route-providers-read-only = false), so they need"
            + " a token: set drift.management.token or the environment variable DRIFT_TOKEN"
            + " (e.g. export DRIFT_TOKEN=$(openssl rand -hex 16)), or make them read-only");
      }
      return new ManagementAuth(null);
    }
    if (t.length() < MIN_TOKEN_LENGTH) {
      throw new ConfigException.BadValue("drift.management.token", "a token has at least "
          + MIN_TOKEN_LENGTH + " characters (this one has " + t.length() + ");"
          + " e.g. openssl rand -hex 16");
    }
    return new ManagementAuth(t.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads pass; anything else needs the token, when one is configured. The body is read
   * whole first (it is at most drift.management.max-request-body): a route that answers
   * without reading it would otherwise make the server close the connection with the body
   * unread, and the client could lose the answer (FuzzTest saw it).
   */
  public Route guard(Route inner) {
    Route guarded = token == null
        ? inner // read-only: the routes themselves refuse to change anything
        : extractMethod(m -> READS.contains(m) ? inner
            : optionalHeaderValueByName("Authorization", h -> check(h, inner)));
    return toStrictEntity(java.time.Duration.ofSeconds(10), () -> guarded);
  }

  private Route check(Optional<String> header, Route inner) {
    if (header.isEmpty() || !header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      return respondWithHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "drift")),
          () -> complete(refusal(StatusCodes.UNAUTHORIZED, "this request changes the cluster:"
              + " send the node's management token as 'Authorization: Bearer TOKEN'"
              + " (bin/drift --token, or DRIFT_TOKEN)")));
    }
    byte[] given = header.get().substring(7).strip().getBytes(StandardCharsets.UTF_8);
    // constant time: how much of a guess matched must not show in the answer's timing
    if (!MessageDigest.isEqual(given, token)) {
      return complete(refusal(StatusCodes.FORBIDDEN, "the management token is wrong:"
          + " use this node's drift.management.token"));
    }
    return inner;
  }

  private static HttpResponse refusal(StatusCode code, String message) {
    try {
      return HttpResponse.create().withStatus(code).withEntity(HttpEntities.create(
          ContentTypes.APPLICATION_JSON, Json.mapper().writeValueAsString(
              Map.of("error", message))));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
