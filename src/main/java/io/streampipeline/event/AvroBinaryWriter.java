package io.streampipeline.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A growable buffer that writes Avro binary primitives. The event codec reuses one per thread to avoid per-event
 * garbage; the window rows' encoder takes a fresh one per message, since lanes encode in parallel.
 */
public final class AvroBinaryWriter {
  private byte[] buf;
  private int pos;

  public AvroBinaryWriter() {
    this(512);
  }

  public AvroBinaryWriter(int initialCapacity) {
    buf = new byte[initialCapacity];
  }

  void reset() {
    pos = 0;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  public void writeRaw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  public void writeLong(long value) {
    ensure(10);
    long n = (value << 1) ^ (value >> 63);
    while ((n & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    buf[pos++] = (byte) n;
  }

  public void writeString(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    writeLong(bytes.length);
    writeRaw(bytes);
  }

  /**
   * An array of strings: one block of {@code n} items then the end marker 0, or only the 0 when empty, as Avro's
   * own writer blocks it.
   */
  public void writeStringArray(List<String> values) {
    if (!values.isEmpty()) {
      writeLong(values.size());
      for (String v : values) {
        writeString(v);
      }
    }
    writeLong(0);
  }

  /** The first {@code n} longs (at most all of them) as an Avro array, blocked like {@link #writeStringArray}. */
  public void writeLongArray(long[] values, int n) {
    int count = Math.min(n, values.length);
    if (count > 0) {
      writeLong(count);
      for (int i = 0; i < count; i++) {
        writeLong(values[i]);
      }
    }
    writeLong(0);
  }

  public void writeOptionalString(String value) {
    if (value == null) {
      writeLong(0);
    } else {
      writeLong(1);
      writeString(value);
    }
  }

  void writeOptionalLong(Long value) {
    if (value == null) {
      writeLong(0);
    } else {
      writeLong(1);
      writeLong(value);
    }
  }

  private void ensure(int extra) {
    if (pos + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
    }
  }
}
