package io.streampipeline.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** DASHBOARD_PORT, the access keys (host, token, origins, TLS) and EVENTBUS_TCP_PORT on the same host. */
final class DashboardReader {
  /** Shortest DASHBOARD_AUTH_TOKEN accepted: the login has no rate limit, so the token must not be guessable. */
  private static final int MIN_TOKEN_LENGTH = 16;

  private DashboardReader() {
  }

  static DashboardSettings read(ConfigSource in) {
    DashboardAccess access = access(in);
    return new DashboardSettings(in.port(ConfigKey.DASHBOARD_PORT), access,
        new PipelineConfig.LiveFeed(in.portOrOff(ConfigKey.EVENTBUS_TCP_PORT), access.host()));
  }

  static DashboardAccess access(ConfigSource in) {
    // Like every key, the token may come from DASHBOARD_AUTH_TOKEN_FILE (a mounted secret).
    String token = in.optional(ConfigKey.DASHBOARD_AUTH_TOKEN);
    String fileKey = ConfigKey.DASHBOARD_AUTH_TOKEN.name() + ConfigKey.FILE_SUFFIX;
    String key = in.fromFile(ConfigKey.DASHBOARD_AUTH_TOKEN) ? fileKey : ConfigKey.DASHBOARD_AUTH_TOKEN.name();
    if (token == null && key.equals(fileKey)) {
      throw new ConfigException(key, in.fileName(ConfigKey.DASHBOARD_AUTH_TOKEN),
          "is empty: the dashboard would be open to anyone");
    }
    if (token != null && (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c > '~'))) {
      // The value itself is a secret: it is not repeated in the message.
      throw new ConfigException(key, "(hidden)", "must be at least " + MIN_TOKEN_LENGTH
          + " printable ASCII characters without spaces");
    }
    List<String> origins = new ArrayList<>();
    String originList = in.optional(ConfigKey.DASHBOARD_ALLOWED_ORIGINS);
    if (originList != null) {
      for (String origin : originList.split(",")) {
        if (!origin.isBlank()) {
          origins.add(origin(originList, origin.strip()));
        }
      }
    }
    String cert = in.optional(ConfigKey.DASHBOARD_TLS_CERT);
    String privateKey = in.optional(ConfigKey.DASHBOARD_TLS_KEY);
    if ((cert == null) != (privateKey == null)) {
      throw new ConfigException(cert == null ? "DASHBOARD_TLS_CERT" : "DASHBOARD_TLS_KEY", "",
          "is missing: set both DASHBOARD_TLS_CERT and DASHBOARD_TLS_KEY (PEM files) or neither");
    }
    return new DashboardAccess(in.text(ConfigKey.DASHBOARD_HOST), token, origins,
        in.readableFile(ConfigKey.DASHBOARD_TLS_CERT), in.readableFile(ConfigKey.DASHBOARD_TLS_KEY));
  }

  private static String origin(String list, String origin) {
    String lower = origin.toLowerCase(Locale.ROOT);
    if (!lower.matches("https?://[a-z0-9.\\-]+(:[0-9]{1,5})?|https?://\\[[0-9a-f:.]+](:[0-9]{1,5})?")) {
      throw new ConfigException("DASHBOARD_ALLOWED_ORIGINS", list, "holds '" + origin
          + "', which is not an origin like https://host or http://host:8080 (no path, no wildcard)");
    }
    return lower;
  }
}
