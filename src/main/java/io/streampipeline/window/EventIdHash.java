package io.streampipeline.window;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * XXH64 (seed 0) of a string's UTF-8 bytes, exactly as {@code s.getBytes(UTF_8)} produces them (an unpaired
 * surrogate becomes '?'). The hashes are stored in window snapshots, so this function is part of the
 * snapshot format and must never change. Encodes into a reused buffer: not thread-safe.
 */
final class EventIdHash {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] scratch = new byte[128];

  long hash(String s) {
    int length = utf8(s);
    return xxh64(scratch, 0, length);
  }

  private int utf8(String s) {
    int n = s.length();
    if (scratch.length < n * 3) {
      scratch = new byte[n * 3];
    }
    byte[] out = scratch;
    int p = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out[p++] = (byte) c;
      } else if (c < 0x800) {
        out[p++] = (byte) (0xC0 | (c >> 6));
        out[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          out[p++] = (byte) (0xF0 | (cp >> 18));
          out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          out[p++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          out[p++] = (byte) '?';
        }
      } else {
        out[p++] = (byte) (0xE0 | (c >> 12));
        out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[p++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return p;
  }

  static long xxh64(byte[] b, int offset, int length) {
    int end = offset + length;
    int p = offset;
    long h;
    if (length >= 32) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      int limit = end - 32;
      do {
        v1 = round(v1, (long) LONG_LE.get(b, p));
        v2 = round(v2, (long) LONG_LE.get(b, p + 8));
        v3 = round(v3, (long) LONG_LE.get(b, p + 16));
        v4 = round(v4, (long) LONG_LE.get(b, p + 24));
        p += 32;
      } while (p <= limit);
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = P5;
    }
    h += length;
    while (p + 8 <= end) {
      h ^= round(0, (long) LONG_LE.get(b, p));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      p += 8;
    }
    if (p + 4 <= end) {
      h ^= ((int) INT_LE.get(b, p) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      p += 4;
    }
    while (p < end) {
      h ^= (b[p] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      p++;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long merge(long acc, long value) {
    acc ^= round(0, value);
    return acc * P1 + P4;
  }
}
