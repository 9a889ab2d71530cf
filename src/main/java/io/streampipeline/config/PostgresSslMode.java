package io.streampipeline.config;

import java.util.Locale;

/**
 * POSTGRES_SSL_MODE, with libpq's meaning. PREFER is the default for a PostgreSQL named by POSTGRES_HOST (TLS when
 * the server offers it, without checking its certificate; plain otherwise); the embedded database, on loopback,
 * is reached without TLS unless a mode is set.
 */
public enum PostgresSslMode {
  DISABLE, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

  /** As written in the configuration and in libpq/JDBC: disable, prefer, require, verify-ca, verify-full. */
  public String libpqName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public boolean verifiesCertificate() {
    return this == VERIFY_CA || this == VERIFY_FULL;
  }

  static PostgresSslMode parse(String text) {
    for (PostgresSslMode mode : values()) {
      if (mode.libpqName().equalsIgnoreCase(text.trim()) || mode.name().equalsIgnoreCase(text.trim())) {
        return mode;
      }
    }
    return null;
  }
}
