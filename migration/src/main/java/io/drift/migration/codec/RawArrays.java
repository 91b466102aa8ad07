package io.drift.migration.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.IOException;
import java.util.List;

/**
 * Large {@code byte[]} values kept out of a CBOR document, the way Dask and pickle 5 keep
 * buffers out of band: when an encoding carries the attribute {@link #KEY} (a list), each
 * {@code byte[]} of at least {@link #MIN_BYTES} is written as a tagged index into that list and
 * the array itself is added to it, to travel raw beside the document; decoding with the list as
 * the same attribute puts the arrays back. Without the attribute, byte arrays are plain CBOR
 * byte strings, so every other encoding is unchanged.
 */
final class RawArrays {
  private RawArrays() {}

  static final String KEY = "drift.raw-arrays";
  /** A CBOR tag number of the first-come range no registry entry uses: "DRFT". */
  static final int TAG = 0x44524654;
  static final int MIN_BYTES = 64 * 1024;

  static SimpleModule module() {
    return new SimpleModule("drift-raw-arrays")
        .addSerializer(byte[].class, new Ser())
        .addDeserializer(byte[].class, new Deser());
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
        if (!(ctxt.getAttribute(KEY) instanceof List<?> list)) {
          throw ctxt.weirdStringException("raw", byte[].class,
              "an out-of-band array where none was sent");
        }
        int i = p.getIntValue();
        if (i < 0 || i >= list.size()) {
          throw ctxt.weirdNumberException(i, byte[].class, "no out-of-band array " + i);
        }
        return (byte[]) list.get(i);
      }
      if (p.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT
          && p.getEmbeddedObject() instanceof byte[] b) {
        return b;
      }
      return p.getBinaryValue(ctxt.getBase64Variant());
    }
  }
}
