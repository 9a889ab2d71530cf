package io.streampipeline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WindowColumnsTest {
  @Test
  void textArraysQuoteEveryElementAndEscapeQuotesAndBackslashes() {
    assertEquals("{}", WindowColumns.textArray(new String[0]));
    assertEquals("{\"a\",\"b c\",\"\"}", WindowColumns.textArray(new String[] {"a", "b c", ""}));
    assertEquals("{\"say \\\"hi\\\"\",\"C:\\\\x\",\"NULL\"}",
        WindowColumns.textArray(new String[] {"say \"hi\"", "C:\\x", "NULL"}));
  }

  @Test
  void numberArrays() {
    assertEquals("{}", WindowColumns.numberArray(new long[0]));
    assertEquals("{1,-2,9223372036854775807}", WindowColumns.numberArray(new long[] {1, -2, Long.MAX_VALUE}));
  }
}
