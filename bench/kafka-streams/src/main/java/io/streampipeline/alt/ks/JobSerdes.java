package io.streampipeline.alt.ks;

import io.streampipeline.event.EventType;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The serdes of this job's own types: the window event on the repartition topics, and the window aggregates. */
final class JobSerdes {
  private static final EventType[] TYPES = EventType.values();

  private JobSerdes() {
  }

  static Serde<WindowEvent> windowEvent() {
    return Serdes.serdeFrom(
        (topic, e) -> e == null ? null : encode(e),
        (topic, data) -> data == null ? null : decode(data));
  }

  static Serde<WindowAggregate> aggregate() {
    return Serdes.serdeFrom(
        (topic, a) -> a == null ? null : a.toBytes(),
        (topic, data) -> data == null ? null : WindowAggregate.fromBytes(data));
  }

  static byte[] encode(WindowEvent e) {
    Binary.Out out = new Binary.Out(96);
    out.writeInt(e.partition());
    out.writeByte(e.type().ordinal());
    out.writeLong(e.timestamp());
    out.writeString(e.userId());
    out.writeString(e.sessionId());
    out.writeString(e.productId());
    out.writeString(e.productCategory());
    out.writeLong(e.revenueCents());
    return out.toByteArray();
  }

  static WindowEvent decode(byte[] data) {
    Binary.In in = new Binary.In(data);
    return new WindowEvent(in.readInt(), TYPES[in.readByte()], in.readLong(), in.readString(), in.readString(),
        in.readString(), in.readString(), in.readLong());
  }
}
