package io.streampipeline.config;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A name for this process that no other process shares, for Kafka client ids and for readiness to find its own
 * group members. In a container java is PID 1 in every replica, so the PID alone names nothing; the host name
 * (the pod name in Kubernetes, the container id in Compose) says which replica it is, and a random suffix keeps
 * a restarted container apart from its previous incarnation, whose member lingers in the group until its session
 * times out.
 */
public final class ProcessIdentity {
  /**
   * Lanes name their Kafka consumers {@code stream-pipeline-lane-<lane>-<id()>}: readiness finds this process's own
   * lanes by it, and the dashboard shows the lane number every process's consumers carry.
   */
  public static final String LANE_CLIENT_ID_PREFIX = "stream-pipeline-lane-";
  private static final int MAX_HOST = 40;
  private static final String ID = of(System.getenv("HOSTNAME"), ProcessHandle.current().pid(), randomSuffix());

  private ProcessIdentity() {
  }

  /** This process's identity: {@code <host name or pid>-<8 hex digits>}. */
  public static String id() {
    return ID;
  }

  /** The client id of this process's consumer of lane {@code lane}. */
  public static String laneClientId(int lane) {
    return LANE_CLIENT_ID_PREFIX + lane + "-" + ID;
  }

  /** The lane number a lane consumer's client id carries, whichever process it is in; null for another form. */
  public static Integer laneOf(String clientId) {
    if (clientId == null || !clientId.startsWith(LANE_CLIENT_ID_PREFIX)) {
      return null;
    }
    String rest = clientId.substring(LANE_CLIENT_ID_PREFIX.length());
    int end = rest.indexOf('-');
    try {
      return Integer.parseInt(end < 0 ? rest : rest.substring(0, end));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static String of(String hostname, long pid, String suffix) {
    String host = hostname == null ? "" : hostname.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    if (host.length() > MAX_HOST) {
      host = host.substring(0, MAX_HOST);
    }
    return (host.isEmpty() ? "pid" + pid : host) + "-" + suffix;
  }

  private static String randomSuffix() {
    byte[] bytes = new byte[4];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
