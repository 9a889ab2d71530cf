package io.streampipeline.window.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.window.CountMap;
import org.junit.jupiter.api.Test;

/** A field description writes, reads and copies its fields in order, and reads older versions without newer fields. */
class StoredFieldsTest {
  private static final class Counts {
    long views;
    long balance;
    long added;
    CountMap tags;
  }

  private static final StoredFields<Counts> V1 = StoredFields.of(
      StoredField.count("views", c -> c.views, (c, v) -> c.views = v),
      StoredField.signed("balance", c -> c.balance, (c, v) -> c.balance = v),
      StoredField.tally("tags", c -> c.tags, (c, v) -> c.tags = v, c -> 4));

  private static final StoredFields<Counts> V2 = StoredFields.<Counts>of(
      StoredField.count("views", c -> c.views, (c, v) -> c.views = v),
      StoredField.signed("balance", c -> c.balance, (c, v) -> c.balance = v),
      StoredField.tally("tags", c -> c.tags, (c, v) -> c.tags = v, c -> 4),
      StoredField.<Counts>count("added", c -> c.added, (c, v) -> c.added = v).since(2));

  private static Counts sample() {
    Counts c = new Counts();
    c.views = 3;
    c.balance = -250;
    c.added = 9;
    c.tags = new CountMap(4);
    c.tags.add("a", 2);
    return c;
  }

  @Test
  void theVersionIsTheNewestFieldsSince() {
    assertEquals(1, V1.version());
    assertEquals(2, V2.version());
  }

  @Test
  void fieldsRoundTripInOrder() {
    SnapshotOutput out = new SnapshotOutput();
    V2.write(out, sample());
    SnapshotInput in = new SnapshotInput(out.toByteArray());
    Counts read = new Counts();
    V2.read(in, read, 2);
    assertTrue(in.atEnd());
    assertEquals(3, read.views);
    assertEquals(-250, read.balance);
    assertEquals(9, read.added);
    assertEquals(1, read.tags.size());
  }

  @Test
  void stateOfAnOlderVersionIsReadWithoutTheFieldsAddedSince() {
    SnapshotOutput out = new SnapshotOutput();
    V1.write(out, sample());
    SnapshotInput in = new SnapshotInput(out.toByteArray());
    Counts read = new Counts();
    V2.read(in, read, 1);
    assertTrue(in.atEnd());
    assertEquals(-250, read.balance);
    assertEquals(0, read.added);
  }

  @Test
  void theCopyTakesEveryField() {
    Counts to = new Counts();
    V2.copy(sample(), to);
    assertEquals(3, to.views);
    assertEquals(-250, to.balance);
    assertEquals(9, to.added);
    assertEquals(1, to.tags.size());
    Counts empty = new Counts();
    V2.copy(new Counts(), empty);
    assertNull(empty.tags);
  }
}
