package io.streampipeline.window;

import io.streampipeline.window.state.StoredField;
import io.streampipeline.window.state.StoredFields;

/**
 * What the stored window state holds of each aggregate, in stored order (docs/design.md#window-state-storage). A
 * new counter of windows and sessions is one line in {@link #COUNTS}; a field stored from a later format version
 * is marked {@code .since(n)}, and state written before it is read without it.
 *
 * <p>Not listed, because the codecs write them as the aggregate's key or rebuild them: a window's type, start and
 * end and a session's user and session id (the key, written before the fields), a window's distinct users (written
 * as a list that a delta extends), a session's hash (of its key) and expiry position (queued again on restore).
 */
public final class WindowFields {
  /** The counters shared by tumbling windows and sessions. */
  static final StoredFields<Aggregate> COUNTS = StoredFields.of(
      StoredField.count("eventCount", a -> a.eventCount, (a, v) -> a.eventCount = v),
      StoredField.count("pageViews", a -> a.pageViews, (a, v) -> a.pageViews = v),
      StoredField.count("addToCarts", a -> a.addToCarts, (a, v) -> a.addToCarts = v),
      StoredField.count("purchases", a -> a.purchases, (a, v) -> a.purchases = v),
      StoredField.signed("revenueCents", a -> a.revenueCents, (a, v) -> a.revenueCents = v),
      StoredField.tally("products", a -> a.products, (a, v) -> a.products = v, Aggregate::tallyCapacity),
      StoredField.tally("categories", a -> a.categories, (a, v) -> a.categories = v, Aggregate::tallyCapacity));

  /** A tumbling window of any type in {@link WindowDefinitions#TUMBLING}. */
  public static final StoredFields<OpenWindow> TUMBLING = StoredFields.<OpenWindow>of().then(COUNTS);

  /**
   * A session: its span, then its counters. {@code last} is stored relative to {@code first}, which is therefore
   * read (and copied) before it.
   */
  public static final StoredFields<Session> SESSION = StoredFields.<Session>of(
      StoredField.signed("first", s -> s.first, (s, v) -> s.first = v),
      StoredField.count("last", s -> s.last - s.first, (s, v) -> s.last = s.first + v))
      .then(COUNTS);

  private WindowFields() {
  }
}
