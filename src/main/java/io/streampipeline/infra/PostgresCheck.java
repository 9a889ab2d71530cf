package io.streampipeline.infra;

import io.streampipeline.config.PipelineConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.net.ConnectException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first connection to PostgreSQL at start-up, made the way every later one is (same TLS settings): a server
 * that refuses it ends start-up with one line naming the key to look at, and the server's max_connections is
 * checked against what the process's pools will open ({@link ConnectionBudget}).
 */
public final class PostgresCheck {
  private static final Logger log = LoggerFactory.getLogger(PostgresCheck.class);
  private static final String BUDGET_SQL = "SELECT current_setting('max_connections')::int, "
      + "current_setting('superuser_reserved_connections')::int, "
      + "(SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend' "
      + "AND pid <> pg_backend_pid()), "
      + "(SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())";

  private PostgresCheck() {
  }

  public static Future<Void> run(Vertx vertx, Endpoints endpoints, PipelineConfig config) {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("startup-check"))
        .connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
    String server = endpoints.pgHost() + ":" + endpoints.pgPort();
    return pool.query(BUDGET_SQL).execute()
        .recover(e -> Future.failedFuture(failure(endpoints, e)))
        .map(rows -> {
          Row row = rows.iterator().next();
          log.info("PostgreSQL at {}/{}: connected as {} ({}, POSTGRES_SSL_MODE={})", server, endpoints.pgDatabase(),
              endpoints.pgUser(), Boolean.TRUE.equals(row.getBoolean(3)) ? "TLS" : "no TLS",
              endpoints.pgSslMode().libpqName());
          String refusal = ConnectionBudget.check(config, ConnectionBudget.needed(config), row.getInteger(0),
              row.getInteger(1), row.getInteger(2), server);
          if (refusal != null) {
            throw new StartupException(refusal);
          }
          return (Void) null;
        })
        .eventually(pool::close);
  }

  /** One line: what failed and which keys to check. Never the password (the server never echoes it). */
  static StartupException failure(Endpoints endpoints, Throwable e) {
    String server = endpoints.pgHost() + ":" + endpoints.pgPort();
    String why = firstLine(e);
    Throwable ssl = find(e, SSLException.class);
    // Vert.x reports a refused certificate as "SSL handshake failed", without the SSLException as cause.
    if (ssl != null || why.toLowerCase(java.util.Locale.ROOT).contains("handshake")) {
      return new StartupException("the TLS handshake with PostgreSQL at " + server + " failed ("
          + (ssl != null ? firstLine(ssl) : why)
          + "): check POSTGRES_SSL_ROOT_CERT (the CA that signed the server's certificate), POSTGRES_SSL_MODE="
          + endpoints.pgSslMode().libpqName() + " and, for verify-full, that POSTGRES_HOST is a name in the "
          + "certificate", e);
    }
    if (e instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      if (state.startsWith("28")) {
        return new StartupException("PostgreSQL at " + server + " refused user " + endpoints.pgUser() + " (" + why
            + "): check POSTGRES_USER and POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), and pg_hba.conf for "
            + "hostssl/host rules matching POSTGRES_SSL_MODE", e);
      }
      if (state.equals("3D000")) {
        return new StartupException("PostgreSQL at " + server + " has no database " + endpoints.pgDatabase()
            + ": check POSTGRES_DATABASE", e);
      }
      if (state.equals("53300")) {
        return new StartupException("PostgreSQL at " + server + " has no connection left (" + why
            + "): lower POSTGRES_POOL_SIZE or PIPELINE_INSTANCES, or raise max_connections", e);
      }
    }
    if (find(e, ConnectException.class) != null) {
      return new StartupException("cannot reach PostgreSQL at " + server + " (" + why + "): check POSTGRES_HOST and "
          + "POSTGRES_PORT, and that the server is up", e);
    }
    if (why.toLowerCase(java.util.Locale.ROOT).contains("ssl")) {
      return new StartupException("PostgreSQL at " + server + " and the client do not agree on TLS (" + why
          + "): check POSTGRES_SSL_MODE=" + endpoints.pgSslMode().libpqName() + " and the server's ssl setting", e);
    }
    return new StartupException("cannot connect to PostgreSQL at " + server + "/" + endpoints.pgDatabase() + ": "
        + why, e);
  }

  private static Throwable find(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    return null;
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("").strip();
  }
}
