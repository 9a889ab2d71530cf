package io.streampipeline.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.streampipeline.event.ClickstreamCodec;
import io.streampipeline.event.ClickstreamEvent;
import io.streampipeline.event.DecodeException;
import io.streampipeline.event.EventType;
import io.streampipeline.event.RegistryFraming;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RegistryFramingTest {

  @Test
  void theIdIsFourBytesBigEndianAfterTheZeroByte() throws DecodeException {
    byte[] header = RegistryFraming.header(0x01020304);
    assertArrayEquals(new byte[] {0, 1, 2, 3, 4}, header);
    byte[] message = RegistryFraming.frame(0x01020304, new byte[] {9, 9, 7, 8}, 2);
    assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 7, 8}, message);
    assertTrue(RegistryFraming.isFramed(message));
    assertEquals(0x01020304, RegistryFraming.schemaId(message));
    assertEquals(0x01020304, RegistryFraming.idToLookUp(message));
    assertEquals(255, RegistryFraming.schemaId(new byte[] {0, 0, 0, 0, (byte) 0xff}));
  }

  @Test
  void otherMessagesAreNotFramed() {
    byte[] singleObject = ClickstreamCodec.v1Header();
    assertFalse(RegistryFraming.isFramed(singleObject));
    assertEquals(-1, RegistryFraming.idToLookUp(singleObject));
    assertFalse(RegistryFraming.isFramed(new byte[0]));
    assertFalse(RegistryFraming.isFramed(null));
    assertEquals(-1, RegistryFraming.idToLookUp(new byte[] {2, 0, 0, 0, 1}));
  }

  @Test
  void aShortHeaderIsRefusedAndNeverLookedUp() {
    for (int length = 1; length < RegistryFraming.HEADER_LENGTH; length++) {
      byte[] cut = new byte[length];
      assertEquals(-1, RegistryFraming.idToLookUp(cut));
      DecodeException e = assertThrows(DecodeException.class, () -> RegistryFraming.schemaId(cut));
      assertEquals("truncated schema registry header (" + length + " bytes)", e.getMessage());
    }
  }

  @Test
  void aNegativeIdIsRefused() {
    byte[] message = {0, (byte) 0x80, 0, 0, 1, 2};
    assertEquals(-1, RegistryFraming.idToLookUp(message));
    DecodeException e = assertThrows(DecodeException.class, () -> RegistryFraming.schemaId(message));
    assertEquals("schema registry id out of range: 2147483649", e.getMessage());
  }

  @Test
  void singleObjectMessagesKeepTheirBodyUnderTheNewHeader() {
    ClickstreamCodec codec = new ClickstreamCodec();
    byte[] singleObject = codec.encode(new ClickstreamEvent("e-1", EventType.PAGE_VIEW, 1_700_000_000_000L, "u-1",
        "s-1", null, null, null, null, null, "https://shop.example/", null, "Mozilla/5.0", "10.0.0.1", "US", null));
    byte[] framed = RegistryFraming.fromSingleObject(singleObject, 42);
    assertArrayEquals(RegistryFraming.header(42), Arrays.copyOf(framed, 5));
    assertArrayEquals(Arrays.copyOfRange(singleObject, 10, singleObject.length),
        Arrays.copyOfRange(framed, 5, framed.length));
    assertThrows(IllegalArgumentException.class, () -> RegistryFraming.fromSingleObject(new byte[] {0, 0, 0}, 1));
  }
}
