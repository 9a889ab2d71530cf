package io.streampipeline.alt.ks;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * String → count, kept as the bytes it is stored as: entries {@code [int length][UTF-8 key][long count]} one after
 * the other. Kafka Streams' stores and cache hold an aggregate as bytes, so every event deserializes its windows'
 * aggregates and serializes them back; a HashMap or HashSet of Strings spent most of the job's CPU being rebuilt
 * (a profile of a first version: 40 % of the stream thread in the aggregate serde). Kept as bytes, reading and
 * writing an aggregate is an array copy, and counting a key is a scan comparing bytes: the tallies of one
 * window (its users, products, categories) are hundreds of short keys, where a scan costs about what hashing
 * and allocating Strings would.
 */
final class Tally {
  private static final int HEADROOM = 256;
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] buf;
  private int length;
  private int size;

  Tally() {
    buf = new byte[64];
  }

  private Tally(byte[] buf, int length, int size) {
    this.buf = buf;
    this.length = length;
    this.size = size;
  }

  /** Number of distinct keys. */
  int size() {
    return size;
  }

  void add(String key, long n) {
    add(key.getBytes(StandardCharsets.UTF_8), n);
  }

  void add(byte[] key, long n) {
    for (int pos = 0; pos < length; ) {
      int keyLength = getInt(pos);
      int keyStart = pos + 4;
      int countAt = keyStart + keyLength;
      if (keyLength == key.length && Arrays.equals(buf, keyStart, countAt, key, 0, key.length)) {
        putLong(countAt, getLong(countAt) + n);
        return;
      }
      pos = countAt + 8;
    }
    ensure(4 + key.length + 8);
    putInt(length, key.length);
    System.arraycopy(key, 0, buf, length + 4, key.length);
    putLong(length + 4 + key.length, n);
    length += 4 + key.length + 8;
    size++;
  }

  /** Adds every count of {@code other} (two sessions merged into one). */
  void addAll(Tally other) {
    for (int pos = 0; pos < other.length; ) {
      int keyLength = other.getInt(pos);
      byte[] key = Arrays.copyOfRange(other.buf, pos + 4, pos + 4 + keyLength);
      add(key, other.getLong(pos + 4 + keyLength));
      pos += 4 + keyLength + 8;
    }
  }

  /** The entries by count descending, then key ascending (the pipeline's order of top lists). */
  List<Map.Entry<String, Long>> ranked() {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(size);
    for (int pos = 0; pos < length; ) {
      int keyLength = getInt(pos);
      String key = new String(buf, pos + 4, keyLength, StandardCharsets.UTF_8);
      entries.add(new AbstractMap.SimpleImmutableEntry<>(key, getLong(pos + 4 + keyLength)));
      pos += 4 + keyLength + 8;
    }
    entries.sort((x, y) -> {
      int byCount = Long.compare(y.getValue(), x.getValue());
      return byCount != 0 ? byCount : x.getKey().compareTo(y.getKey());
    });
    return entries;
  }

  void writeTo(Binary.Out out) {
    out.writeInt(size);
    out.writeInt(length);
    out.writeBytes(buf, 0, length);
  }

  static Tally readFrom(Binary.In in) {
    int size = in.readInt();
    int length = in.readInt();
    // Room to add a few keys before the next copy: the aggregate is read to be updated.
    byte[] buf = new byte[length + HEADROOM];
    in.readBytes(buf, 0, length);
    return new Tally(buf, length, size);
  }

  int serializedSize() {
    return 8 + length;
  }

  private void ensure(int more) {
    if (length + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
    }
  }

  private int getInt(int at) {
    return (int) INT.get(buf, at);
  }

  private long getLong(int at) {
    return (long) LONG.get(buf, at);
  }

  private void putInt(int at, int v) {
    INT.set(buf, at, v);
  }

  private void putLong(int at, long v) {
    LONG.set(buf, at, v);
  }
}
