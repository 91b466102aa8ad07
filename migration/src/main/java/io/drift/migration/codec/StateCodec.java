package io.drift.migration.codec;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes user objects (work units and their results) with Jackson CBOR, the format Pekko's
 * {@code jackson-cbor} serializer uses for our messages, with the same Jackson modules. It differs
 * in one respect on purpose: it reads and writes fields of any visibility and ignores getters,
 * because a unit's fields are its state (DESIGN: work units). Thread-safe.
 */
public final class StateCodec {

  /** Drift's own class loader: what it loads stays loaded as long as this class does. */
  private static final ClassLoader OWN = StateCodec.class.getClassLoader();
  /** Bounds {@link #ownTypes}: names come from the wire, though only loadable ones are kept. */
  private static final int MAX_OWN_TYPES = 4096;

  private final ObjectMapper cbor;
  private final ObjectMapper json = new ObjectMapper();
  // Class.forName takes the loader's lock and asks its parents every time: in workload (a)
  // of issue 9 it was 1.4% of a node's busy time (the gateway's check and the executor's
  // decode) and 3.4% of a client's (each result). Classes of Drift's own class path are kept
  // by name; a job's jar has a loader of its own, which is never cached here (it must be
  // free to be unloaded with the job).
  private final java.util.concurrent.ConcurrentHashMap<String, Class<?>> ownTypes =
      new java.util.concurrent.ConcurrentHashMap<>();

  public StateCodec() {
    cbor =
        CBORMapper.builder()
            .addModule(new ParameterNamesModule())
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .addModule(RawArrays.module())
            .visibility(PropertyAccessor.ALL, Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, Visibility.ANY)
            .visibility(PropertyAccessor.CREATOR, Visibility.ANY)
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            // a checkpoint must restore exactly what was saved: unknown fields are an error
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
  }

  /** Encodes a value (null too) with its runtime class name. */
  public Payload encode(Object value) throws StateCodecException {
    if (value == null) {
      return Payload.NULL;
    }
    try {
      return new Payload(value.getClass().getName(), cbor.writeValueAsBytes(value));
    } catch (IOException | RuntimeException e) {
      throw new StateCodecException(
          "cannot encode " + value.getClass().getName() + ": " + rootMessage(e), e);
    }
  }

  /**
   * Encodes a value (not null) into {@code out}, which stays open: the same bytes as
   * {@link #encode}, without holding them all.
   */
  public void encodeTo(Object value, OutputStream out) throws StateCodecException, IOException {
    try {
      cbor.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(out, value);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new StateCodecException(
          "cannot encode " + value.getClass().getName() + ": " + rootMessage(e), e);
    }
  }

  /**
   * Decodes a value of class {@code className} from {@code in}, reading exactly its bytes.
   *
   * @throws IOException the stream failed (not the data)
   */
  public Object decodeFrom(String className, InputStream in, ClassLoader loader)
      throws StateCodecException, ClassNotFoundException, IOException {
    Class<?> type = type(className, loader);
    try {
      return cbor.readerFor(type).without(JsonParser.Feature.AUTO_CLOSE_SOURCE).readValue(in);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new StateCodecException("cannot decode " + className + ": " + rootMessage(e), e);
    }
  }

  /**
   * A value split for the wire: a CBOR document, and its {@code byte[]} of 64 KiB and more
   * kept out of it, raw, in the order the document refers to them.
   */
  public record Split(byte[] document, List<byte[]> arrays) {}

  /** Encodes a value with its large byte arrays out of band (see {@link Split}). */
  public Split split(Object value) throws StateCodecException {
    List<byte[]> arrays = new ArrayList<>();
    try {
      byte[] doc = cbor.writer().withAttribute(RawArrays.KEY, arrays).writeValueAsBytes(value);
      return new Split(doc, arrays);
    } catch (IOException | RuntimeException e) {
      throw new StateCodecException(
          "cannot encode " + value.getClass().getName() + ": " + rootMessage(e), e);
    }
  }

  /** The value a {@link #split} made, put together again. */
  public Object join(String className, Split split, ClassLoader loader)
      throws StateCodecException, ClassNotFoundException {
    Class<?> type = type(className, loader);
    try {
      return cbor.readerFor(type).withAttribute(RawArrays.KEY, split.arrays())
          .readValue(split.document());
    } catch (IOException | RuntimeException e) {
      throw new StateCodecException("cannot decode " + className + ": " + rootMessage(e), e);
    }
  }

  /**
   * Decodes a payload with the given class loader.
   *
   * @throws ClassNotFoundException the class is not visible to that loader
   */
  public Object decode(Payload payload, ClassLoader loader)
      throws StateCodecException, ClassNotFoundException {
    if (payload.isNull()) {
      return null;
    }
    Class<?> type = type(payload.className(), loader);
    try {
      return cbor.readValue(payload.bytes(), type);
    } catch (IOException | RuntimeException e) {
      throw new StateCodecException(
          "cannot decode " + payload.className() + ": " + rootMessage(e), e);
    }
  }

  private Class<?> type(String className, ClassLoader loader) throws ClassNotFoundException {
    if (loader != OWN) {
      return Class.forName(className, false, loader);
    }
    Class<?> type = ownTypes.get(className);
    if (type == null) {
      type = Class.forName(className, false, loader);
      if (ownTypes.size() < MAX_OWN_TYPES) {
        ownTypes.put(className, type);
      }
    }
    return type;
  }

  /**
   * Encodes then decodes a value, so an object that would fail at its first migration fails
   * now instead, while the submitter is still there to be told.
   */
  public Payload encodeChecked(Object value, ClassLoader loader) throws StateCodecException {
    Payload p = encode(value);
    Object copy;
    try {
      copy = decode(p, loader);
    } catch (ClassNotFoundException e) {
      throw new StateCodecException("cannot decode " + p.className() + ": class not found", e);
    }
    // A constructor Jackson decodes through may change the fields it sets (total * 1000):
    // then every move would change the state. Compare trees, so map order does not count.
    try {
      if (!cbor.readTree(p.bytes()).equals(cbor.readTree(encode(copy).bytes()))) {
        throw new StateCodecException("the state of " + p.className() + " changes when decoded:"
            + " give it a no-argument constructor (private is fine) so its fields are restored"
            + " exactly", null);
      }
    } catch (IOException e) {
      throw new StateCodecException("cannot re-read the state of " + p.className(), e);
    }
    return p;
  }

  /** Renders a payload as JSON text for people (status pages, logs); never fails. */
  public String toJson(Payload payload) {
    if (payload.isNull()) {
      return "null";
    }
    try {
      JsonNode tree = cbor.readTree(payload.bytes());
      return json.writeValueAsString(tree);
    } catch (IOException e) {
      return "\"<" + payload.size() + " bytes of " + payload.className() + ">\"";
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    if (m != null) {
      int nl = m.indexOf('\n'); // Jackson appends a reference chain on later lines
      m = nl > 0 ? m.substring(0, nl) : m;
    }
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
