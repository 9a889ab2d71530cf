package io.streampipeline.config;

/** PRODUCER_EVENTS_PER_SECOND, _NUM_USERS, _NUM_PRODUCTS, _ERROR_RATE, _MAX_EVENTS and _SEED. */
final class GeneratorReader {
  private GeneratorReader() {
  }

  static GeneratorSettings read(ConfigSource in) {
    double eventsPerSecond = in.decimal(ConfigKey.PRODUCER_EVENTS_PER_SECOND, 0, 10_000_000);
    int numUsers = in.whole(ConfigKey.PRODUCER_NUM_USERS, 1, 100_000_000);
    int numProducts = in.whole(ConfigKey.PRODUCER_NUM_PRODUCTS, 1, 10_000_000);
    double errorRate = in.decimal(ConfigKey.PRODUCER_ERROR_RATE, 0, 1);
    long maxEvents = in.isSet(ConfigKey.PRODUCER_MAX_EVENTS)
        ? in.wholeLong(ConfigKey.PRODUCER_MAX_EVENTS, 0, Long.MAX_VALUE) : GeneratorSettings.UNLIMITED;
    Long seed = in.optionalWhole(ConfigKey.PRODUCER_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
    return new GeneratorSettings(seed, eventsPerSecond, numUsers, errorRate, numProducts, maxEvents);
  }
}
