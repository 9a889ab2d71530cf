package io.streampipeline.alt.ks;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Records read, valid events and dead letters per source partition, in a state store (with its changelog) rather
 * than in memory: with exactly_once_v2 a task that is retried restores its store to the last commit and reads its
 * uncommitted records again, so these counts stay exact where a counter in memory would count them twice.
 * The rules processor writes its partition's counts after every record; the record cache keeps that to one
 * changelog record per partition and commit.
 */
record RecordCounts(long read, long stored, long deadLetters) {
  static final String STORE = "record-counts";
  static final RecordCounts NONE = new RecordCounts(0, 0, 0);

  static StoreBuilder<KeyValueStore<Integer, byte[]>> storeBuilder() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.Integer(), Serdes.ByteArray())
        .withCachingEnabled();
  }

  RecordCounts plus(long read, long stored, long deadLetters) {
    return new RecordCounts(this.read + read, this.stored + stored, this.deadLetters + deadLetters);
  }

  byte[] toBytes() {
    return ByteBuffer.allocate(24).putLong(read).putLong(stored).putLong(deadLetters).array();
  }

  static RecordCounts fromBytes(byte[] b) {
    if (b == null) {
      return NONE;
    }
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new RecordCounts(buf.getLong(), buf.getLong(), buf.getLong());
  }

  /** The counts of every partition in the store, added up. */
  static RecordCounts sum(ReadOnlyKeyValueStore<Integer, byte[]> store) {
    RecordCounts total = NONE;
    try (KeyValueIterator<Integer, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<Integer, byte[]> e = all.next();
        RecordCounts c = fromBytes(e.value);
        total = total.plus(c.read, c.stored, c.deadLetters);
      }
    }
    return total;
  }
}
