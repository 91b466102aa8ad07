package io.drift.migration.codec;

import java.util.Arrays;

/**
 * An encoded object: its class name and its CBOR bytes. A unit's state and a job's result travel
 * as payloads, so a node that lacks the class can still carry (but not run) them.
 *
 * @param className the class to decode into; empty for a null value
 */
public record Payload(String className, byte[] bytes) {

  public static final Payload NULL = new Payload("", new byte[0]);

  public boolean isNull() {
    return className.isEmpty();
  }

  public int size() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Payload p && p.className.equals(className) && Arrays.equals(p.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return className.hashCode() * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Payload[" + className + ", " + bytes.length + " bytes]";
  }
}
