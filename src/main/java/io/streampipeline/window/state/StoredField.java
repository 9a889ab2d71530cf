package io.streampipeline.window.state;

import io.streampipeline.window.CountMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * One stored field of a window aggregate: its name, how it is written and read in the state formats, and how a
 * restore copies it from a stored aggregate onto a live one. {@link StoredFields} lists them in stored order.
 *
 * @param <T> the aggregate the field belongs to
 */
public sealed interface StoredField<T> permits StoredField.LongField, StoredField.TallyField {

  /** The aggregate's field name: the field-list test compares it with the class. */
  String name();

  /**
   * The format version that first stored the field: state of an older version is read without it (the field
   * keeps its initial value), and the formats are written with the highest version of any field.
   */
  int since();

  void write(SnapshotOutput out, T target);

  void read(SnapshotInput in, T target);

  /** Sets the field of {@code to} to the value of {@code from}'s. */
  void copy(T from, T to);

  /** The same field, first stored by format {@code version}. */
  StoredField<T> since(int version);

  /** A count: an unsigned varint. */
  static <T> StoredField<T> count(String name, ToLongFunction<T> get, ObjLongConsumer<T> set) {
    return new LongField<>(name, 1, false, get, set);
  }

  /** A value that may be negative (a time, an amount): a zigzag varint. */
  static <T> StoredField<T> signed(String name, ToLongFunction<T> get, ObjLongConsumer<T> set) {
    return new LongField<>(name, 1, true, get, set);
  }

  /**
   * A tally of string keys (null while empty): varint n, n × (string key, varint count). Read into a tally of at
   * least {@code capacity} slots.
   */
  static <T> StoredField<T> tally(String name, Function<T, CountMap> get, BiConsumer<T, CountMap> set,
      ToIntFunction<T> capacity) {
    return new TallyField<>(name, 1, get, set, capacity);
  }

  /** A long, as a varint or (signed) a zigzag varint. */
  record LongField<T>(String name, int since, boolean signed, ToLongFunction<T> get, ObjLongConsumer<T> set)
      implements StoredField<T> {
    @Override
    public void write(SnapshotOutput out, T target) {
      long value = get.applyAsLong(target);
      if (signed) {
        out.writeZigZag(value);
      } else {
        out.writeVarLong(value);
      }
    }

    @Override
    public void read(SnapshotInput in, T target) {
      set.accept(target, signed ? in.readZigZag() : in.readVarLong());
    }

    @Override
    public void copy(T from, T to) {
      set.accept(to, get.applyAsLong(from));
    }

    @Override
    public StoredField<T> since(int version) {
      return new LongField<>(name, version, signed, get, set);
    }
  }

  /** A string → count tally. */
  record TallyField<T>(String name, int since, Function<T, CountMap> get, BiConsumer<T, CountMap> set,
      ToIntFunction<T> capacity) implements StoredField<T> {
    @Override
    public void write(SnapshotOutput out, T target) {
      CountMap tally = get.apply(target);
      if (tally == null) {
        out.writeVarLong(0);
        return;
      }
      out.writeVarLong(tally.size());
      tally.forEach((key, count) -> {
        out.writeString(key);
        out.writeVarLong(count);
      });
    }

    @Override
    public void read(SnapshotInput in, T target) {
      int n = in.readCount();
      if (n == 0) {
        set.accept(target, null);
        return;
      }
      CountMap tally = new CountMap(Math.max(capacity.applyAsInt(target), Math.min(n * 2, 1 << 20)));
      for (int i = 0; i < n; i++) {
        tally.add(in.readString(), in.readVarLong());
      }
      set.accept(target, tally);
    }

    /** The stored aggregate is thrown away after the copy, so its tally is taken over rather than copied. */
    @Override
    public void copy(T from, T to) {
      set.accept(to, get.apply(from));
    }

    @Override
    public StoredField<T> since(int version) {
      return new TallyField<>(name, version, get, set, capacity);
    }
  }
}
