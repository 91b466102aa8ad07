package io.drift.migration.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.deser.std.PrimitiveArrayDeserializers;
import com.fasterxml.jackson.databind.ser.std.StdArraySerializers;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.IOException;
import java.util.List;

/**
 * Large primitive arrays kept out of a CBOR document, the way Dask and pickle 5 keep buffers
 * out of band: when an encoding carries the attribute {@link #KEY} (a list), each {@code
 * byte[]} of at least {@link #MIN_BYTES} is written as a tagged index into that list and the
 * array itself is added to it, to travel raw beside the document; {@code double[]}, {@code
 * long[]}, {@code int[]} and {@code float[]} as large go the same way as their big-endian bytes
 * (one copy, against a CBOR number per element). Decoding with the list as the same attribute
 * puts the arrays back. Without the attribute, every array is encoded as Jackson always does,
 * so every other encoding is unchanged.
 */
final class RawArrays {
  private RawArrays() {}

  static final String KEY = "drift.raw-arrays";
  /** A CBOR tag number of the first-come range no registry entry uses: "DRFT". */
  static final int TAG = 0x44524654;
  static final int MIN_BYTES = 64 * 1024;

  static SimpleModule module() {
    SimpleModule m = new SimpleModule("drift-raw-arrays")
        .addSerializer(byte[].class, new Ser())
        .addDeserializer(byte[].class, new Deser());
    add(m, double[].class, Double.TYPE, 8,
        (a, b) -> b.asDoubleBuffer().put(a), (b, n) -> {
          double[] a = new double[n];
          b.asDoubleBuffer().get(a);
          return a;
        });
    add(m, long[].class, Long.TYPE, 8,
        (a, b) -> b.asLongBuffer().put(a), (b, n) -> {
          long[] a = new long[n];
          b.asLongBuffer().get(a);
          return a;
        });
    add(m, int[].class, Integer.TYPE, 4,
        (a, b) -> b.asIntBuffer().put(a), (b, n) -> {
          int[] a = new int[n];
          b.asIntBuffer().get(a);
          return a;
        });
    add(m, float[].class, Float.TYPE, 4,
        (a, b) -> b.asFloatBuffer().put(a), (b, n) -> {
          float[] a = new float[n];
          b.asFloatBuffer().get(a);
          return a;
        });
    return m;
  }

  /** Copies an array into a big-endian buffer of its size. */
  interface Put<A> {
    void put(A array, java.nio.ByteBuffer into);
  }

  /** Makes an array of {@code n} elements from a big-endian buffer. */
  interface Get<A> {
    A get(java.nio.ByteBuffer from, int n);
  }

  @SuppressWarnings("unchecked")
  private static <A> void add(SimpleModule m, Class<A> type, Class<?> element, int width,
      Put<A> put, Get<A> get) {
    JsonSerializer<Object> plainSer =
        (JsonSerializer<Object>) StdArraySerializers.findStandardImpl(type);
    JsonDeserializer<?> plainDeser = PrimitiveArrayDeserializers.forType(element);
    m.addSerializer(type, new StdSerializer<A>(type) {
      @Override
      public void serialize(A value, JsonGenerator gen, SerializerProvider provider)
          throws IOException {
        int n = java.lang.reflect.Array.getLength(value);
        Object raw = provider.getAttribute(KEY);
        if (raw instanceof List<?> list && (long) n * width >= MIN_BYTES
            && gen instanceof CBORGenerator cbor) {
          byte[] bytes = new byte[n * width];
          put.put(value, java.nio.ByteBuffer.wrap(bytes));
          cbor.writeTag(TAG);
          cbor.writeNumber(list.size());
          ((List<byte[]>) list).add(bytes);
        } else {
          plainSer.serialize(value, gen, provider);
        }
      }
    });
    m.addDeserializer(type, new StdDeserializer<A>(type) {
      @Override
      public A deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p instanceof CBORParser cbor && cbor.getCurrentTag() == TAG
            && p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
          byte[] bytes = outOfBand(p, ctxt, type);
          if (bytes.length % width != 0) {
            throw ctxt.weirdNumberException(bytes.length, type, "not a whole number of elements");
          }
          return get.get(java.nio.ByteBuffer.wrap(bytes), bytes.length / width);
        }
        return (A) plainDeser.deserialize(p, ctxt);
      }
    });
  }

  /** The out-of-band array the current (tagged) index names. */
  private static byte[] outOfBand(JsonParser p, DeserializationContext ctxt, Class<?> type)
      throws IOException {
    if (!(ctxt.getAttribute(KEY) instanceof List<?> list)) {
      throw ctxt.weirdStringException("raw", type, "an out-of-band array where none was sent");
    }
    int i = p.getIntValue();
    if (i < 0 || i >= list.size()) {
      throw ctxt.weirdNumberException(i, type, "no out-of-band array " + i);
    }
    return (byte[]) list.get(i);
  }

  private static final class Ser extends StdSerializer<byte[]> {
    Ser() {
      super(byte[].class);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void serialize(byte[] value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      Object raw = provider.getAttribute(KEY);
      if (raw instanceof List<?> list && value.length >= MIN_BYTES
          && gen instanceof CBORGenerator cbor) {
        cbor.writeTag(TAG);
        cbor.writeNumber(list.size());
        ((List<byte[]>) list).add(value);
      } else {
        gen.writeBinary(provider.getConfig().getBase64Variant(), value, 0, value.length);
      }
    }
  }

  private static final class Deser extends StdDeserializer<byte[]> {
    Deser() {
      super(byte[].class);
    }

    @Override
    public byte[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p instanceof CBORParser cbor && cbor.getCurrentTag() == TAG
          && p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
        return outOfBand(p, ctxt, byte[].class);
      }
      if (p.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT
          && p.getEmbeddedObject() instanceof byte[] b) {
        return b;
      }
      return p.getBinaryValue(ctxt.getBase64Variant());
    }
  }
}
