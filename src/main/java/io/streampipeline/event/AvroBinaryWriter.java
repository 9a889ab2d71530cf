package io.streampipeline.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable buffer that writes Avro binary primitives; reused per thread to avoid per-event garbage. */
final class AvroBinaryWriter {
  private byte[] buf = new byte[512];
  private int pos;

  void reset() {
    pos = 0;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  void writeRaw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  void writeLong(long value) {
    ensure(10);
    long n = (value << 1) ^ (value >> 63);
    while ((n & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    buf[pos++] = (byte) n;
  }

  void writeString(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    writeLong(bytes.length);
    writeRaw(bytes);
  }

  void writeOptionalString(String value) {
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
