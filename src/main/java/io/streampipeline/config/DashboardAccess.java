package io.streampipeline.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Who may reach the dashboard and how: the interface it listens on (DASHBOARD_HOST), the optional shared
 * token (DASHBOARD_AUTH_TOKEN or the file named by DASHBOARD_AUTH_TOKEN_FILE), the other origins whose pages
 * may call the API and open the bridge (DASHBOARD_ALLOWED_ORIGINS, each {@code scheme://host[:port]}), and the
 * optional PEM certificate and key for HTTPS (DASHBOARD_TLS_CERT, DASHBOARD_TLS_KEY).
 *
 * @param authToken null when the dashboard is open to whoever reaches it
 * @param tlsCert null (with tlsKey) for plain HTTP
 */
public record DashboardAccess(String host, String authToken, List<String> allowedOrigins, Path tlsCert,
    Path tlsKey) {


  public DashboardAccess {
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  public static DashboardAccess open() {
    return new DashboardAccess(ConfigKey.DASHBOARD_HOST.defaultValue(), null, List.of(), null, null);
  }

  public boolean tls() {
    return tlsCert != null;
  }

  /** The token never appears here: config records get logged. */
  @Override
  public String toString() {
    return "DashboardAccess[host=" + host + ", authToken=" + (authToken == null ? "none" : "***")
        + ", allowedOrigins=" + allowedOrigins + ", tlsCert=" + tlsCert + ", tlsKey=" + tlsKey + "]";
  }
}
