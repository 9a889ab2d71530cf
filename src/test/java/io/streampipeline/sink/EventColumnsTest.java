package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventColumnsTest {
  @Test
  void aCheckpointOfFewerThanTwoChunksGoesInOneStatement() {
    assertEquals(List.of(List.of()), EventColumns.chunks(List.of(), 3));
    assertEquals(List.of(List.of(1, 2, 3, 4, 5)), EventColumns.chunks(List.of(1, 2, 3, 4, 5), 3));
  }

  @Test
  void aLargeCheckpointIsSplitInOrderAndTheLastChunkTakesTheRest() {
    assertEquals(List.of(List.of(1, 2, 3), List.of(4, 5, 6)), EventColumns.chunks(List.of(1, 2, 3, 4, 5, 6), 3));
    List<Integer> rows = IntStream.range(0, 8_437).boxed().toList();
    List<List<Integer>> chunks = EventColumns.chunks(rows, 2_000);
    assertEquals(List.of(2_000, 2_000, 2_000, 2_437), chunks.stream().map(List::size).toList());
    List<Integer> joined = new ArrayList<>();
    chunks.forEach(joined::addAll);
    assertEquals(rows, joined);
  }
}
