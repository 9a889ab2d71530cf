package io.streampipeline.config;

/**
 * A password, token or other credential from the configuration. Its {@link #toString()} never shows the value,
 * so a config record, an exception message or a log line that prints it by accident leaks nothing.
 */
public final class Secret {
  public static final String REDACTED = "<redacted>";

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    return value == null ? null : new Secret(value);
  }

  /** The credential itself; hand it only to the client that needs it. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return REDACTED;
  }
}
