package io.streampipeline.window.state;

import io.streampipeline.window.NumberedStrings;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the primitives of the window snapshot format: unsigned LEB128 varints, zigzag varints for values
 * that may be negative, fixed 8-byte little-endian longs, and strings through an inline dictionary (the
 * first occurrence is written out, later ones by number) since the same user, product and category ids
 * recur across windows and sessions. The reader numbers every string written out, in order; a string the
 * caller knows will not recur ({@link #writeStringOnce}) is written out without a dictionary entry, so the
 * writer keeps, per dictionary entry, the number the reader gives it.
 */
public final class SnapshotOutput {
  private static final int MIN_BYTES = 4096;
  private static final int MIN_STRINGS = 1024;

  private byte[] buf;
  private int pos;
  private final NumberedStrings seen;
  /** Per dictionary entry (by its number in {@link #seen}), the number the reader gives the string. */
  private int[] readerNumbers;
  /** Strings written out so far: the reader's number for the next one. */
  private int writtenOut;

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
    readerNumbers = new int[Math.max(MIN_STRINGS, expectedStrings)];
  }

  /** Strings in the dictionary (those written by {@link #writeString}). */
  int dictionarySize() {
    return seen.size();
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

  /** 0 followed by the UTF-8 length and bytes for a new string; n + 1 for the n-th string written out before. */
  public void writeString(String s) {
    int ref = seen.numberOrAdd(s);
    if (ref >= 0) {
      writeVarLong(readerNumbers[ref] + 1L);
      return;
    }
    int entry = seen.size() - 1;
    if (entry == readerNumbers.length) {
      readerNumbers = Arrays.copyOf(readerNumbers, entry * 2);
    }
    readerNumbers[entry] = writtenOut;
    writeOut(s);
  }

  /**
   * A string that is not expected again in this snapshot or delta (a session id: nearly every session has its
   * own), written out without the dictionary's lookup and entry; with many users most strings of a snapshot are
   * such ids. One that does recur is only written out again: the format is the same either way.
   */
  public void writeStringOnce(String s) {
    writeOut(s);
  }

  private void writeOut(String s) {
    writtenOut++;
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
