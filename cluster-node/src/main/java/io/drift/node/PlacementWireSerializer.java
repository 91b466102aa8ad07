package io.drift.node;

import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.home.HomeProxy;
import io.drift.migration.codec.Payload;
import io.drift.migration.executor.Executor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The messages every placement sends between nodes and clients, in a fixed binary layout
 * instead of Jackson CBOR (decision 0030): a submission and its answer, the start of the unit
 * and the host's answer, its reports and end, and what home tells the client of it. Jackson
 * wrote each field by name and built each record through its property-based creator; these are
 * a few per placement, so they are most of what a busy node serializes. Every other message
 * stays with its module's Jackson binding. The bindings (cluster-node's reference.conf) name the
 * classes, which Pekko prefers to the modules' marker interfaces.
 */
public final class PlacementWireSerializer extends SerializerWithStringManifest {

  /** Unique among a node's serializers (7301 is the load sample's; Pekko keeps 0-40). */
  public static final int ID = 7302;

  private static final String SUBMIT = "Su1";
  private static final String SUBMITTED = "Sd1";
  private static final String REJECTED = "Rj1";
  private static final String UPDATE = "Up1";
  private static final String COMPLETED = "Co1";
  private static final String START = "St1";
  private static final String ACCEPTED = "Ac1";
  private static final String FINISHED = "Fi1";
  private static final String REPORT = "Re1";

  private final ActorRefResolver refs;

  public PlacementWireSerializer(ExtendedActorSystem system) {
    this.refs = ActorRefResolver.get(Adapter.toTyped(system));
  }

  @Override
  public int identifier() {
    return ID;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof Gateway.Submit) {
      return SUBMIT;
    } else if (o instanceof Gateway.Submitted) {
      return SUBMITTED;
    } else if (o instanceof Gateway.Rejected) {
      return REJECTED;
    } else if (o instanceof HomeProxy.Update) {
      return UPDATE;
    } else if (o instanceof HomeProxy.Completed) {
      return COMPLETED;
    } else if (o instanceof Executor.Start) {
      return START;
    } else if (o instanceof Executor.Accepted) {
      return ACCEPTED;
    } else if (o instanceof Executor.Finished) {
      return FINISHED;
    } else if (o instanceof Executor.Report) {
      return REPORT;
    }
    throw new IllegalArgumentException("PlacementWireSerializer does not write "
        + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    String manifest = manifest(o); // refuses what it does not write, before any byte
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      switch (manifest) {
        case SUBMIT -> {
          Gateway.Submit s = (Gateway.Submit) o;
          str(out, s.name());
          payload(out, s.unit());
          out.writeLong(s.memoryMb());
          out.writeBoolean(s.migratable());
          str(out, s.workspace());
          str(out, s.code());
          str(out, s.startOn());
          out.writeBoolean(s.queue() != null);
          if (s.queue() != null) {
            out.writeInt(s.queue());
          }
          ref(out, s.replyTo());
          jobId(out, s.jobId());
          ref(out, s.subscriber());
        }
        case SUBMITTED -> {
          Gateway.Submitted s = (Gateway.Submitted) o;
          jobId(out, s.jobId());
          str(out, s.homeNode());
          str(out, s.home()); // a reference's serialization format: the same bytes as ref()
        }
        case REJECTED -> {
          Gateway.Rejected r = (Gateway.Rejected) o;
          str(out, r.reason());
          jobId(out, r.jobId());
        }
        case UPDATE -> info(out, ((HomeProxy.Update) o).info());
        case COMPLETED -> {
          HomeProxy.Completed c = (HomeProxy.Completed) o;
          info(out, c.info());
          payload(out, c.result());
        }
        case START -> {
          Executor.Start s = (Executor.Start) o;
          jobId(out, s.jobId());
          out.writeLong(s.epoch());
          str(out, s.jobName());
          str(out, s.homeNode());
          payload(out, s.unit());
          out.writeLong(s.firstSeq());
          out.writeLong(s.cpuNanosSoFar());
          out.writeLong(s.stepsSoFar());
          out.writeInt(s.believedRunQueue());
          out.writeLong(s.firstFileSeq());
          str(out, s.code());
          ref(out, s.home());
          ref(out, s.replyTo());
        }
        case ACCEPTED -> {
          Executor.Accepted a = (Executor.Accepted) o;
          jobId(out, a.jobId());
          out.writeLong(a.epoch());
          str(out, a.host());
        }
        case FINISHED -> {
          Executor.Finished f = (Executor.Finished) o;
          jobId(out, f.jobId());
          out.writeLong(f.epoch());
          payload(out, f.result());
          out.writeLong(f.cpuNanos());
          out.writeLong(f.steps());
        }
        case REPORT -> {
          Executor.Report r = (Executor.Report) o;
          jobId(out, r.jobId());
          out.writeLong(r.epoch());
          out.writeDouble(r.progress());
          out.writeLong(r.cpuNanos());
          out.writeLong(r.steps());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      Object o = switch (manifest) {
        case SUBMIT -> new Gateway.Submit(str(in), payload(in), in.readLong(), in.readBoolean(),
            str(in), str(in), str(in), in.readBoolean() ? in.readInt() : null, ref(in),
            jobId(in), ref(in));
        case SUBMITTED -> new Gateway.Submitted(jobId(in), str(in), str(in));
        case REJECTED -> new Gateway.Rejected(str(in), jobId(in));
        case UPDATE -> new HomeProxy.Update(info(in));
        case COMPLETED -> new HomeProxy.Completed(info(in), payload(in));
        case START -> new Executor.Start(jobId(in), in.readLong(), str(in), str(in), payload(in),
            in.readLong(), in.readLong(), in.readLong(), in.readInt(), in.readLong(), str(in),
            ref(in), ref(in));
        case ACCEPTED -> new Executor.Accepted(jobId(in), in.readLong(), str(in));
        case FINISHED -> new Executor.Finished(jobId(in), in.readLong(), payload(in),
            in.readLong(), in.readLong());
        case REPORT -> new Executor.Report(jobId(in), in.readLong(), in.readDouble(),
            in.readLong(), in.readLong());
        default -> throw new NotSerializableException("PlacementWireSerializer: unknown"
            + " manifest '" + manifest + "' (a node of another release?)");
      };
      if (in.available() != 0) {
        throw new NotSerializableException(manifest + ": " + in.available() + " bytes too many");
      }
      return o;
    } catch (NotSerializableException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // cut short, or a field its record refuses (a malformed job id, say)
      NotSerializableException x = new NotSerializableException(manifest + ": " + e);
      x.initCause(e);
      throw x;
    }
  }

  // ---- fields: every reference and string may be null ------------------------------------

  /** Strings by byte length, not writeUTF: a result or an error may pass its 64 KiB. */
  private static void str(DataOutputStream out, String s) throws IOException {
    bytes(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
  }

  private static String str(DataInputStream in) throws IOException {
    byte[] b = bytes(in, "string");
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static void payload(DataOutputStream out, Payload p) throws IOException {
    out.writeBoolean(p != null);
    if (p != null) {
      str(out, p.className());
      bytes(out, p.bytes());
    }
  }

  private static Payload payload(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    String className = str(in);
    byte[] b = bytes(in, "payload");
    if (b == null) {
      throw new IOException("a payload without bytes");
    }
    return new Payload(className, b);
  }

  /** A length, -1 for null, then the bytes. */
  private static void bytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b == null ? -1 : b.length);
    if (b != null) {
      out.write(b);
    }
  }

  private static byte[] bytes(DataInputStream in, String what) throws IOException {
    int n = in.readInt();
    if (n < -1 || n > in.available()) {
      throw new IOException("a " + what + " of " + n + " bytes");
    }
    if (n == -1) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  private static void jobId(DataOutputStream out, JobId id) throws IOException {
    str(out, id == null ? null : id.value());
  }

  private static JobId jobId(DataInputStream in) throws IOException {
    String s = str(in);
    return s == null ? null : JobId.of(s);
  }

  private void ref(DataOutputStream out, ActorRef<?> ref) throws IOException {
    str(out, ref == null ? null : refs.toSerializationFormat(ref));
  }

  private <T> ActorRef<T> ref(DataInputStream in) throws IOException {
    String s = str(in);
    return s == null ? null : refs.resolveActorRef(s);
  }

  private static void info(DataOutputStream out, JobInfo i) throws IOException {
    jobId(out, i.id());
    str(out, i.name());
    str(out, i.unitClass());
    str(out, i.home());
    str(out, i.host());
    str(out, i.state() == null ? null : i.state().name()); // by name: the enum may be reordered
    out.writeLong(i.epoch());
    out.writeLong(i.cpuNanos());
    out.writeLong(i.steps());
    out.writeDouble(i.progress());
    out.writeLong(i.outputLines());
    out.writeLong(i.submittedAtMillis());
    str(out, i.error());
    str(out, i.resultJson());
    out.writeInt(i.migrations());
    out.writeLong(i.bytesMoved());
    out.writeLong(i.frozenMicros());
  }

  private static JobInfo info(DataInputStream in) throws IOException {
    JobId id = jobId(in);
    String name = str(in);
    String unitClass = str(in);
    String home = str(in);
    String host = str(in);
    String state = str(in);
    return new JobInfo(id, name, unitClass, home, host,
        state == null ? null : JobState.valueOf(state),
        in.readLong(), in.readLong(), in.readLong(), in.readDouble(), in.readLong(),
        in.readLong(), str(in), str(in), in.readInt(), in.readLong(), in.readLong());
  }
}
