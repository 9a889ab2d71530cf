package io.streampipeline.generator;

import java.util.function.IntFunction;

/**
 * A fixed-size table whose entries are made on first use, in chunks: PRODUCER_NUM_USERS may be up to 10^8,
 * and memory should follow the users and products that actually appear, not the configured maximum.
 * Not thread-safe.
 */
final class LazyTable<T> {
  private static final int CHUNK_BITS = 12;
  private static final int CHUNK_MASK = (1 << CHUNK_BITS) - 1;

  private final Object[][] chunks;
  private final IntFunction<T> factory;

  LazyTable(int size, IntFunction<T> factory) {
    this.chunks = new Object[((size - 1) >>> CHUNK_BITS) + 1][];
    this.factory = factory;
  }

  @SuppressWarnings("unchecked")
  T get(int index) {
    Object[] chunk = chunks[index >>> CHUNK_BITS];
    if (chunk == null) {
      chunk = new Object[1 << CHUNK_BITS];
      chunks[index >>> CHUNK_BITS] = chunk;
    }
    Object value = chunk[index & CHUNK_MASK];
    if (value == null) {
      value = factory.apply(index);
      chunk[index & CHUNK_MASK] = value;
    }
    return (T) value;
  }
}
