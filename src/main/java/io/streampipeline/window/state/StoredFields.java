package io.streampipeline.window.state;

import java.util.ArrayList;
import java.util.List;

/**
 * The stored fields of one aggregate type, in stored order: the one description that the snapshot codec, the delta
 * codec and the restore copy all follow, so a new counter is added here (and to the output contract) and nowhere
 * else in the state format.
 *
 * @param <T> the aggregate
 */
public final class StoredFields<T> {
  private final List<StoredField<? super T>> fields;
  private final int version;

  private StoredFields(List<StoredField<? super T>> fields) {
    this.fields = List.copyOf(fields);
    this.version = this.fields.stream().mapToInt(StoredField::since).max().orElse(1);
  }

  @SafeVarargs
  public static <T> StoredFields<T> of(StoredField<? super T>... fields) {
    return new StoredFields<T>(List.of(fields));
  }

  /** These fields followed by {@code more}'s, for an aggregate that extends {@code T}. */
  public <S extends T> StoredFields<S> then(StoredFields<? super S> more) {
    List<StoredField<? super S>> all = new ArrayList<>(fields);
    all.addAll(more.fields);
    return new StoredFields<>(all);
  }

  public List<StoredField<? super T>> fields() {
    return fields;
  }

  /** The highest format version of any field: what the codecs write. */
  public int version() {
    return version;
  }

  public void write(SnapshotOutput out, T target) {
    for (StoredField<? super T> field : fields) {
      field.write(out, target);
    }
  }

  /** Reads the fields a state of format {@code version} holds; the others keep their initial values. */
  public void read(SnapshotInput in, T target, long version) {
    for (StoredField<? super T> field : fields) {
      if (field.since() <= version) {
        field.read(in, target);
      }
    }
  }

  /** The restore copy: every stored field of {@code from} onto {@code to}. */
  public void copy(T from, T to) {
    for (StoredField<? super T> field : fields) {
      field.copy(from, to);
    }
  }
}
