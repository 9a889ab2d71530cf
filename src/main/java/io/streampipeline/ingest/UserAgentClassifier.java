package io.streampipeline.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * Remembers whether a user agent is a bot's and a mobile one. Real traffic repeats a few hundred distinct
 * agents, so scanning each one once instead of once per event removes the largest cost of the processing
 * chain. Bounded: when full it starts over, so hostile input cannot grow it. One instance per thread.
 */
final class UserAgentClassifier {
  static final int BOT = 1;
  static final int MOBILE = 2;
  private static final int CAPACITY = 4096;

  private final Map<String, Integer> known = new HashMap<>();

  int classify(String userAgent) {
    Integer flags = known.get(userAgent);
    if (flags == null) {
      flags = (EventRules.isBot(userAgent) ? BOT : 0) | (EventRules.isMobile(userAgent) ? MOBILE : 0);
      if (known.size() >= CAPACITY) {
        known.clear();
      }
      known.put(userAgent, flags);
    }
    return flags;
  }
}
