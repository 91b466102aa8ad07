package io.drift.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.drift.api.JobId;

/** JSON for people (HTTP routes, {@code drift ps --json}): indented, job ids as plain strings. */
public final class Json {
  private Json() {}

  public static ObjectMapper mapper() {
    return new ObjectMapper()
        .registerModule(new SimpleModule().addSerializer(JobId.class, ToStringSerializer.instance))
        .enable(SerializationFeature.INDENT_OUTPUT);
  }
}
