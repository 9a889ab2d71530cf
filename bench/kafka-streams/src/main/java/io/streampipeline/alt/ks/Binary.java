package io.streampipeline.alt.ks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The small binary format of this job's own serdes (window events, aggregates): fixed-width numbers and
 * length-prefixed UTF-8 strings, -1 for null. Hand-written rather than Avro or Java serialization because Kafka
 * Streams serializes an aggregate on every update (its cache and stores hold bytes), so this is on the hot path.
 */
final class Binary {

  private Binary() {
  }

  /** A growing output buffer. */
  static final class Out {
    private byte[] buf;
    private int size;

    Out(int capacity) {
      buf = new byte[Math.max(1, capacity)];
    }

    void writeByte(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void writeInt(int v) {
      ensure(4);
      ByteBuffer.wrap(buf, size, 4).putInt(v);
      size += 4;
    }

    void writeLong(long v) {
      ensure(8);
      ByteBuffer.wrap(buf, size, 8).putLong(v);
      size += 8;
    }

    void writeString(String s) {
      if (s == null) {
        writeInt(-1);
        return;
      }
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      writeInt(utf8.length);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, buf, size, utf8.length);
      size += utf8.length;
    }

    void writeBytes(byte[] src, int offset, int n) {
      ensure(n);
      System.arraycopy(src, offset, buf, size, n);
      size += n;
    }

    /** The bytes written; no copy when the buffer was sized exactly. */
    byte[] toByteArray() {
      return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }
  }

  /** Reads what {@link Out} wrote. */
  static final class In {
    private final ByteBuffer buf;

    In(byte[] data) {
      buf = ByteBuffer.wrap(data);
    }

    int readByte() {
      return buf.get();
    }

    int readInt() {
      return buf.getInt();
    }

    long readLong() {
      return buf.getLong();
    }

    void readBytes(byte[] dst, int offset, int n) {
      buf.get(dst, offset, n);
    }

    String readString() {
      int length = buf.getInt();
      if (length < 0) {
        return null;
      }
      String s = new String(buf.array(), buf.position(), length, StandardCharsets.UTF_8);
      buf.position(buf.position() + length);
      return s;
    }
  }
}
