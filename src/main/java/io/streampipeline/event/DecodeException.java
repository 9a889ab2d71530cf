package io.streampipeline.event;

/** A message that cannot be decoded as a ClickstreamEvent; the message is the DLQ reason. */
public final class DecodeException extends Exception {
  public DecodeException(String reason) {
    super(reason, null, false, false);
  }
}
