package io.streampipeline.config;

/**
 * POSTGRES_SSL_MODE, with libpq's meaning. PREFER is the default for a PostgreSQL named by POSTGRES_HOST (TLS when
 * the server offers it, without checking its certificate; plain otherwise); the embedded database, on loopback,
 * is reached without TLS unless a mode is set.
 */
public enum PostgresSslMode {
  DISABLE, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

  /** As written in the configuration ({@link ConfigName}) and in libpq/JDBC: disable, ..., verify-full. */
  public String libpqName() {
    return ConfigName.of(this);
  }

  public boolean verifiesCertificate() {
    return this == VERIFY_CA || this == VERIFY_FULL;
  }
}
