package io.streampipeline.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * Remembers whether a user agent is a bot's and a mobile one. Real traffic repeats a few hundred distinct
 * agents, so scanning each one once instead of once per event removes the largest cost of the processing
 * chain. Bounded in bytes: only agents up to {@link #MAX_CACHED_LENGTH} characters are kept (real ones are
 * shorter; longer ones are classified on each call), and when full it starts over, so hostile input cannot
 * grow it. One instance per thread.
 */
final class UserAgentClassifier {
  static final int BOT = 1;
  static final int MOBILE = 2;
  static final int CAPACITY = 4096;
  static final int MAX_CACHED_LENGTH = 256;

  private final Map<String, Integer> known = new HashMap<>();

  int classify(String userAgent) {
    if (userAgent.length() > MAX_CACHED_LENGTH) {
      return scan(userAgent);
    }
    Integer flags = known.get(userAgent);
    if (flags == null) {
      flags = scan(userAgent);
      if (known.size() >= CAPACITY) {
        known.clear();
      }
      known.put(userAgent, flags);
    }
    return flags;
  }

  /** Characters held as keys: at most CAPACITY x MAX_CACHED_LENGTH. */
  long cachedChars() {
    long chars = 0;
    for (String agent : known.keySet()) {
      chars += agent.length();
    }
    return chars;
  }

  int cachedAgents() {
    return known.size();
  }

  private static int scan(String userAgent) {
    return (EventRules.isBot(userAgent) ? BOT : 0) | (EventRules.isMobile(userAgent) ? MOBILE : 0);
  }
}
