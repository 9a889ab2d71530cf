package io.streampipeline.config;

/**
 * What the generator role produces (PRODUCER_*). The order of the components keeps no two of one type side by
 * side, so a swapped argument does not compile. Built by {@link GeneratorReader}.
 *
 * @param seed null: a random seed, logged
 * @param maxEvents {@link #UNLIMITED}: the generator never stops by itself
 */
public record GeneratorSettings(Long seed, double eventsPerSecond, int numUsers, double errorRate, int numProducts,
    long maxEvents) {

  /** PRODUCER_MAX_EVENTS unset: the generator never stops by itself. */
  public static final long UNLIMITED = -1;
}
