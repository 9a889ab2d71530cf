package io.streampipeline.alt.ks;

/**
 * The key of a session: source partition, user_id and session_id in one string,
 * {@code partition:length(user_id):user_id:session_id}. The user's length makes a ':' inside the ids harmless,
 * as in the pipeline's window ids. The partition is part of it because the pipeline keeps sessions per partition
 * (the input is keyed by user_id, so a user's events are in one partition anyway).
 */
record SessionKey(int partition, String userId, String sessionId) {

  static String format(WindowEvent e) {
    return e.partition() + ":" + e.userId().length() + ":" + e.userId() + ":" + e.sessionId();
  }

  static SessionKey parse(String key) {
    int first = key.indexOf(':');
    int second = key.indexOf(':', first + 1);
    int partition = Integer.parseInt(key, 0, first, 10);
    int userLength = Integer.parseInt(key, first + 1, second, 10);
    int userEnd = second + 1 + userLength;
    return new SessionKey(partition, key.substring(second + 1, userEnd), key.substring(userEnd + 1));
  }

  static int partitionOf(String key) {
    return Integer.parseInt(key, 0, key.indexOf(':'), 10);
  }
}
