package io.drift.migration.executor;

import io.drift.migration.executor.Executor.FileOp;
import io.drift.migration.executor.Executor.FileOpKind;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of file writes as it goes over the side channel (decision 0016): the count (4 bytes),
 * then for each write its sequence number (8), kind (1), path (as {@code writeUTF}), offset (8),
 * the size of its call (8), and its data as a length (4) and the bytes. Plain binary: the data
 * is copied once into the message and read once out of it.
 */
final class FileData {
  private FileData() {}

  /** The exact size {@link #write} writes. */
  static long size(List<FileOp> ops) {
    long size = 4;
    for (FileOp op : ops) {
      size += 8 + 1 + 2 + utfBytes(op.path()) + 8 + 8 + 4 + op.data().length;
    }
    return size;
  }

  /** Bytes of {@code s} in modified UTF-8, as {@link DataOutputStream#writeUTF} writes it. */
  private static int utfBytes(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c >= 0x0001 && c <= 0x007F ? 1 : c > 0x07FF ? 3 : 2;
    }
    return n;
  }

  static byte[] encode(List<FileOp> ops) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) size(ops));
    write(ops, bytes);
    return bytes.toByteArray();
  }

  /** Writes the batch to {@code to} (straight to the wire: no copy of it all in between). */
  static void write(List<FileOp> ops, java.io.OutputStream to) throws IOException {
    DataOutputStream out = new DataOutputStream(to);
    out.writeInt(ops.size());
    for (FileOp op : ops) {
      out.writeLong(op.seq());
      out.writeByte(op.kind().ordinal());
      out.writeUTF(op.path());
      out.writeLong(op.offset());
      out.writeLong(op.callBytes());
      out.writeInt(op.data().length);
      out.write(op.data());
    }
    out.flush();
  }

  /** Reads a batch of {@code size} bytes; a malformed one is an IOException, not a batch. */
  static List<FileOp> decode(java.io.InputStream from, long size) throws IOException {
    DataInputStream in = new DataInputStream(from);
    int n = in.readInt();
    if (n < 0 || n > size / 27) {
      throw new IOException("a batch of " + n + " file writes in " + size + " bytes");
    }
    FileOpKind[] kinds = FileOpKind.values();
    List<FileOp> ops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long seq = in.readLong();
      int kind = in.readUnsignedByte();
      if (kind >= kinds.length) {
        throw new IOException("a file write of kind " + kind);
      }
      String path = in.readUTF();
      long offset = in.readLong();
      long callBytes = in.readLong();
      int length = in.readInt();
      if (length < 0 || length > size) {
        throw new IOException("a file write of " + length + " bytes in a batch of " + size);
      }
      byte[] data = new byte[length];
      in.readFully(data);
      ops.add(new FileOp(seq, kinds[kind], path, offset, data, callBytes));
    }
    return ops;
  }

  /** For {@link SideChannel#expect}: the batch, decoded as it arrives. */
  static final SideChannel.Reader READER = (className, format, size, in) -> decode(in, size);
}
