package io.drift.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.drift.node.http.Json;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A node's operator verbs ({@link NodeControl}) for other nodes: the dashboard served by one
 * node drains or blocks another through it. Spawned as {@code /user/control}.
 */
public final class ControlActor {
  private ControlActor() {}

  public static final String NAME = "control";

  /** Run {@code verb} on this node. */
  public record Run(String verb, String within, boolean force, ActorRef<Done> replyTo)
      implements GatewayWire {}

  /** The verb's HTTP status and its answer as JSON. */
  public record Done(int status, String json) implements GatewayWire {}

  public static Behavior<Run> create(NodeControl control) {
    return Behaviors.receiveMessage(r -> {
      control.run(r.verb(), r.within(), r.force()).whenComplete((a, e) -> r.replyTo().tell(
          e != null ? new Done(500, "{\"error\": " + quote(String.valueOf(e)) + "}")
              : new Done(a.status(), write(a.body()))));
      return Behaviors.same();
    });
  }

  private static String write(Object body) {
    try {
      return Json.mapper().writeValueAsString(body);
    } catch (JsonProcessingException e) {
      return "{\"error\": " + quote(e.getMessage()) + "}";
    }
  }

  private static String quote(String s) {
    try {
      return Json.mapper().writeValueAsString(s);
    } catch (JsonProcessingException e) {
      return "\"?\"";
    }
  }
}
