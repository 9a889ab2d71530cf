package io.streampipeline.dashboard;

import io.streampipeline.config.DashboardAccess;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may use the dashboard, without Vert.x types.
 *
 * <p>With a token configured, a request is let in when it carries {@code Authorization: Bearer <token>} (for
 * scripts) or the session cookie set by the login form. The cookie holds an HMAC of a fixed text keyed with the
 * token, not the token itself, so it stops working when the token changes and a copied cookie does not reveal
 * the token. Every comparison takes the same time whatever the input.
 *
 * <p>Origins: a request with an {@code Origin} header (browsers send one on cross-origin requests, WebSocket
 * handshakes and POSTs) is let in only when the origin is the dashboard's own (scheme and Host header) or one of
 * DASHBOARD_ALLOWED_ORIGINS. A request without one comes from a same-origin page or a non-browser client.
 *
 * <p>Host names, without a token: a page of any site can point its own name at 127.0.0.1 (DNS rebinding) and then
 * be "same-origin" with the dashboard. So without a token only IP addresses, localhost, DASHBOARD_HOST and the
 * hosts of DASHBOARD_ALLOWED_ORIGINS are answered; with a token any name is (the cookie is bound to the name the
 * browser signed in with, so a rebound name has none).
 */
final class AccessRules {
  static final String COOKIE = "dashboard_session";
  private static final String BEARER = "bearer ";

  private final byte[] tokenDigest;
  private final String sessionValue;
  private final List<String> allowedOrigins;
  private final java.util.Set<String> knownHosts = new java.util.HashSet<>();

  AccessRules(DashboardAccess access) {
    knownHosts.add("localhost");
    knownHosts.add(access.host().toLowerCase(Locale.ROOT));
    for (String origin : access.allowedOrigins()) {
      String rest = origin.substring(origin.indexOf("://") + 3);
      knownHosts.add(rest.startsWith("[") ? rest.substring(0, rest.indexOf(']') + 1)
          : rest.contains(":") ? rest.substring(0, rest.indexOf(':')) : rest);
    }
    this.tokenDigest = access.authToken() == null ? null : sha256(access.authToken());
    this.sessionValue = access.authToken() == null ? null : hmac(access.authToken(), "stream-pipeline dashboard session v1");
    this.allowedOrigins = access.allowedOrigins();
  }

  boolean tokenRequired() {
    return tokenDigest != null;
  }

  /** True when no token is configured, or the given token is the configured one. */
  boolean tokenMatches(String presented) {
    if (tokenDigest == null) {
      return true;
    }
    // Digests have a fixed length, so the comparison time says nothing about the token's length or prefix.
    return presented != null && MessageDigest.isEqual(tokenDigest, sha256(presented));
  }

  /** The session cookie's value for a browser that logged in. */
  String sessionCookieValue() {
    return sessionValue;
  }

  /** Whether a request with these headers (each may be null) may pass. */
  boolean authorized(String authorizationHeader, String sessionCookie) {
    if (tokenDigest == null) {
      return true;
    }
    if (authorizationHeader != null && authorizationHeader.length() > BEARER.length()
        && authorizationHeader.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return tokenMatches(authorizationHeader.substring(BEARER.length()).strip());
    }
    return sessionCookie != null && MessageDigest.isEqual(sha256(sessionValue), sha256(sessionCookie));
  }

  /**
   * @param origin    the request's Origin header, or null
   * @param ownOrigin the dashboard's origin as the client addressed it ({@code http://host:port})
   */
  boolean originAllowed(String origin, String ownOrigin) {
    if (origin == null) {
      return true;
    }
    String o = origin.strip().toLowerCase(Locale.ROOT);
    return o.equals(ownOrigin.toLowerCase(Locale.ROOT)) || allowedOrigins.contains(o);
  }

  /** Whether a request addressed to this host name (the Host header's, without port) is answered. */
  boolean hostAllowed(String host) {
    if (tokenDigest != null) {
      return true;
    }
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return knownHosts.contains(h) || h.endsWith(".localhost") || h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")
        || h.startsWith("[") || h.contains(":");
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hmac(String key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
