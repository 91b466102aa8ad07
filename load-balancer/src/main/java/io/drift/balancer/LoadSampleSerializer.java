package io.drift.balancer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * {@link LoadSample} in a fixed binary layout instead of Jackson CBOR (decision 0029). Samples
 * are what Distributed Data carries most: every write goes into delta propagation to every node,
 * into gossip, and into the SHA-1 digests the replicator takes of the whole map; with Jackson,
 * reading and writing them was a sixth of the replicator's time under load. The counts of
 * guests by cluster are written in key order, so equal samples give equal bytes (and equal
 * digests) on every node.
 */
public final class LoadSampleSerializer extends SerializerWithStringManifest {

  /** Unique among the serializers of a Drift node; Pekko keeps 0-40 for its own. */
  public static final int ID = 7301;

  private static final String MANIFEST = "S1";
  private static final byte VERSION = 1;

  @Override
  public int identifier() {
    return ID;
  }

  @Override
  public String manifest(Object o) {
    return MANIFEST;
  }

  @Override
  public byte[] toBinary(Object o) {
    if (!(o instanceof LoadSample s)) {
      throw new IllegalArgumentException("not a LoadSample: " + o.getClass().getName());
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(
        96 + s.node().length() + s.executorPath().length());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeUTF(s.node());
      out.writeUTF(s.executorPath());
      out.writeLong(s.sequence());
      out.writeInt(s.slots());
      out.writeInt(s.runnable());
      out.writeInt(s.guests());
      out.writeLong(s.admitted());
      out.writeDouble(s.speed());
      out.writeLong(s.freeMemoryBytes());
      out.writeLong(s.totalMemoryBytes());
      out.writeBoolean(s.acceptingGuests());
      out.writeDouble(s.localRunQueue());
      out.writeDouble(s.exportedRunQueue());
      out.writeBoolean(s.cluster() != null);
      if (s.cluster() != null) {
        out.writeUTF(s.cluster());
      }
      Map<String, Integer> byCluster = new TreeMap<>(s.guestsByCluster());
      out.writeInt(byCluster.size());
      for (Map.Entry<String, Integer> e : byCluster.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    if (!MANIFEST.equals(manifest)) {
      throw new NotSerializableException("LoadSampleSerializer: unknown manifest '" + manifest
          + "'");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new NotSerializableException("a load sample of layout " + version + "; this node"
            + " reads layout " + VERSION);
      }
      String node = in.readUTF();
      String executorPath = in.readUTF();
      long sequence = in.readLong();
      int slots = in.readInt();
      int runnable = in.readInt();
      int guests = in.readInt();
      long admitted = in.readLong();
      double speed = in.readDouble();
      long free = in.readLong();
      long total = in.readLong();
      boolean accepting = in.readBoolean();
      double local = in.readDouble();
      double exported = in.readDouble();
      String cluster = in.readBoolean() ? in.readUTF() : null;
      int n = in.readInt();
      if (n < 0 || n > bytes.length) {
        throw new NotSerializableException("a load sample with " + n + " clusters of guests");
      }
      Map<String, Integer> byCluster = new HashMap<>();
      for (int i = 0; i < n; i++) {
        byCluster.put(in.readUTF(), in.readInt());
      }
      if (in.available() != 0) {
        throw new NotSerializableException("a load sample with " + in.available()
            + " bytes too many");
      }
      return new LoadSample(node, executorPath, sequence, slots, runnable, guests, admitted,
          speed, free, total, accepting, local, exported, cluster, byCluster);
    } catch (NotSerializableException e) {
      throw e;
    } catch (IOException e) {
      NotSerializableException x = new NotSerializableException("a load sample cut short: " + e);
      x.initCause(e);
      throw x;
    }
  }
}
