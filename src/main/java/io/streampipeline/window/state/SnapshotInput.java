package io.streampipeline.window.state;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Reads what {@link SnapshotOutput} writes; any malformed input is an IllegalArgumentException. */
public final class SnapshotInput {
  private final byte[] buf;
  private int pos;
  private final List<String> seen = new ArrayList<>();

  public SnapshotInput(byte[] buf) {
    this.buf = buf;
  }

  public boolean atEnd() {
    return pos == buf.length;
  }

  public int readByte() {
    need(1);
    return buf[pos++] & 0xFF;
  }

  public long readVarLong() {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (value < 0) {
          throw corrupt("varint out of range");
        }
        return value;
      }
    }
    throw corrupt("varint too long");
  }

  /** A varint that must fit a non-negative int: a type ordinal, a kind, a capacity. */
  public int readInt() {
    long n = readVarLong();
    if (n > Integer.MAX_VALUE) {
      throw corrupt("value out of range: " + n);
    }
    return (int) n;
  }

  /** The number of items that follow, each written in at least one byte. */
  public int readCount() {
    return readCount(1);
  }

  /**
   * The number of items that follow, each written in at least {@code bytesEach} bytes. A count the remaining
   * bytes cannot hold is corrupt, found before anything is allocated for it: the caller may size an array by it.
   */
  public int readCount(int bytesEach) {
    long n = readVarLong();
    if (n > (buf.length - pos) / bytesEach) {
      throw corrupt("truncated, or a count of " + n + " more than the remaining " + (buf.length - pos)
          + " bytes can hold");
    }
    return (int) n;
  }

  public long readZigZag() {
    long n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      n |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return (n >>> 1) ^ -(n & 1);
      }
    }
    throw corrupt("varint too long");
  }

  public long readFixedLong() {
    need(8);
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value |= (buf[pos++] & 0xFFL) << (8 * i);
    }
    return value;
  }

  public String readString() {
    long ref = readVarLong();
    if (ref > 0) {
      if (ref > seen.size()) {
        throw corrupt("string reference " + ref + " before its definition");
      }
      return seen.get((int) (ref - 1));
    }
    int length = readCount();
    need(length);
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buf, pos, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw corrupt("invalid UTF-8 string");
    }
    pos += length;
    seen.add(s);
    return s;
  }

  public IllegalArgumentException corrupt(String why) {
    return new IllegalArgumentException("corrupt window snapshot at byte " + pos + ": " + why);
  }

  private void need(int n) {
    if (n < 0 || n > buf.length - pos) {
      throw corrupt("truncated");
    }
  }
}
