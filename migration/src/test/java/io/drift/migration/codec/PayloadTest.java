package io.drift.migration.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PayloadTest {

  @Test
  void equalityComparesTheBytesNotTheArray() {
    Payload a = new Payload("x.Y", new byte[] {1, 2, 3});
    Payload b = new Payload("x.Y", new byte[] {1, 2, 3});
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, new Payload("x.Y", new byte[] {1, 2, 4}));
    assertNotEquals(a, new Payload("x.Z", new byte[] {1, 2, 3}));
  }

  @Test
  void nullIsTheEmptyClassName() {
    assertTrue(Payload.NULL.isNull());
    assertEquals(0, Payload.NULL.size());
    assertFalse(new Payload("x.Y", new byte[0]).isNull());
    assertEquals(3, new Payload("x.Y", new byte[3]).size());
  }

  @Test
  void toStringShowsClassAndSizeNotTheBytes() {
    assertEquals("Payload[x.Y, 3 bytes]", new Payload("x.Y", new byte[] {7, 8, 9}).toString());
  }
}
