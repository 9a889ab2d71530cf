package io.streampipeline.window.state;

import io.streampipeline.window.NumberedStrings;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the primitives of the window snapshot format: unsigned LEB128 varints, zigzag varints for values
 * that may be negative, fixed 8-byte little-endian longs, and strings through an inline dictionary (the
 * first occurrence is written out, later ones by number) since the same user, product and category ids
 * recur across windows and sessions.
 */
public final class SnapshotOutput {
  private static final int MIN_BYTES = 4096;
  private static final int MIN_STRINGS = 1024;

  private byte[] buf;
  private int pos;
  private final NumberedStrings seen;

  public SnapshotOutput() {
    this(0, 0);
  }

  /**
   * Sized for what the caller expects to write, so that writing megabytes of state does not copy the buffer and
   * rehash the dictionary again and again as they grow.
   */
  public SnapshotOutput(int expectedBytes, int expectedStrings) {
    buf = new byte[Math.max(MIN_BYTES, expectedBytes)];
    seen = new NumberedStrings(Math.max(MIN_STRINGS, expectedStrings));
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  public void writeByte(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
  }

  public void writeVarLong(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative varint " + value);
    }
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buf[pos++] = (byte) value;
  }

  public void writeZigZag(long value) {
    long n = (value << 1) ^ (value >> 63);
    ensure(10);
    while ((n & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((n & 0x7F) | 0x80);
      n >>>= 7;
    }
    buf[pos++] = (byte) n;
  }

  public void writeFixedLong(long value) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (value >>> (8 * i));
    }
  }

  /** 0 followed by the UTF-8 length and bytes for a new string; n + 1 for the n-th string written before. */
  public void writeString(String s) {
    int ref = seen.numberOrAdd(s);
    if (ref >= 0) {
      writeVarLong(ref + 1L);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    writeVarLong(0);
    writeVarLong(bytes.length);
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  private void ensure(int extra) {
    if (pos + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
    }
  }
}
