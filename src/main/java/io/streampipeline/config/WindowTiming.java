package io.streampipeline.config;

/**
 * The windows' event-time parameters (WINDOW_*), in milliseconds. Five durations of one type: build it with
 * {@link #builder()}, which names each one, rather than the positional constructor. Built by
 * {@link WindowReader}.
 */
public record WindowTiming(long tumblingMs, long revenueMs, long sessionTimeoutMs, long allowedLatenessMs,
    long idleMs, IdleRule idleRule) {

  public static Builder builder() {
    return new Builder();
  }

  /** Each duration by name; unset ones are 0, the rule {@link IdleRule#EVENT_TIME}. */
  public static final class Builder {
    private long tumblingMs;
    private long revenueMs;
    private long sessionTimeoutMs;
    private long allowedLatenessMs;
    private long idleMs;
    private IdleRule idleRule = IdleRule.EVENT_TIME;

    private Builder() {
    }

    public Builder tumblingMs(long ms) {
      tumblingMs = ms;
      return this;
    }

    public Builder revenueMs(long ms) {
      revenueMs = ms;
      return this;
    }

    public Builder sessionTimeoutMs(long ms) {
      sessionTimeoutMs = ms;
      return this;
    }

    public Builder allowedLatenessMs(long ms) {
      allowedLatenessMs = ms;
      return this;
    }

    public Builder idleMs(long ms) {
      idleMs = ms;
      return this;
    }

    public Builder idleRule(IdleRule rule) {
      idleRule = rule;
      return this;
    }

    public WindowTiming build() {
      return new WindowTiming(tumblingMs, revenueMs, sessionTimeoutMs, allowedLatenessMs, idleMs, idleRule);
    }
  }
}
