package io.streampipeline.infra;

import io.streampipeline.config.ConfigException;
import io.streampipeline.config.OpsConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database schema, versioned: {@code sql/migration/V<n>__<what>.sql} (bundled in the jar) applied in order
 * by Flyway, which records them in {@code flyway_schema_history}. A database that has tables but no history
 * (created by the old {@code sql/init.sql}, or shared with other tables) is adopted: it is marked as version 0
 * and V1, whose statements all do nothing where their object exists, creates only what is missing. Rows are
 * never touched.
 * Blocking (JDBC): call it at start-up, never on an event loop.
 */
public final class Schema {
  private static final Logger log = LoggerFactory.getLogger(Schema.class);
  static final String LOCATION = "classpath:sql/migration";
  /**
   * The version an adopted database is marked with. 0 rather than 1 (which is what the old init.sql created) so
   * that V1 still runs and creates any table such a database lacks; being idempotent, it changes nothing else.
   */
  static final String BASELINE = "0";

  private Schema() {
  }

  /** Where to connect: a JDBC URL and the credentials of a user allowed to change the schema. */
  public record Target(String jdbcUrl, String user, String password) {
    /** The pipeline's own database, with its TLS settings and application name carried in the URL. */
    public static Target of(Endpoints endpoints) {
      Properties settings = endpoints.jdbcProperties();
      StringBuilder url = new StringBuilder(endpoints.jdbcUrl());
      char separator = '?';
      for (String name : new TreeSet<>(settings.stringPropertyNames())) {
        if (!name.equals("user") && !name.equals("password")) {
          url.append(separator).append(name).append('=')
              .append(URLEncoder.encode(settings.getProperty(name), StandardCharsets.UTF_8));
          separator = '&';
        }
      }
      return new Target(url.toString(), endpoints.pgUser(),
          endpoints.pgPassword() == null ? null : endpoints.pgPassword().reveal());
    }

    @Override
    public String toString() {
      return "Target[" + jdbcUrl + " as " + user + "]";
    }
  }

  /** What POSTGRES_MIGRATE asks for: check only ({@code false}), or migrate ({@code true}, {@code only}). */
  public static String prepare(Target target, OpsConfig.Migrate mode) {
    return mode == OpsConfig.Migrate.CHECK ? check(target) : migrate(target);
  }

  /** Brings the schema to this release's version (POSTGRES_MIGRATE=true). Returns the version reached. */
  public static String migrate(Target target) {
    MigrateResult result = flyway(target).migrate();
    String version = result.targetSchemaVersion != null ? result.targetSchemaVersion
        : flyway(target).info().current().getVersion().getVersion();
    if (result.migrationsExecuted > 0) {
      log.info("schema migrated to version {} ({} migration(s) applied)", version, result.migrationsExecuted);
    } else {
      log.info("schema is at version {}", version);
    }
    return version;
  }

  /**
   * Only checks (POSTGRES_MIGRATE=false, for a user without DDL rights): the database must already be at this
   * release's version. Throws a {@link ConfigException} naming POSTGRES_MIGRATE when it is behind.
   */
  public static String check(Target target) {
    MigrationInfoService info = flyway(target).info();
    MigrationInfo current = info.current();
    MigrationInfo[] pending = info.pending();
    String needed = latest(info);
    if (current == null) {
      throw new ConfigException("POSTGRES_MIGRATE", "false", "but the database has no schema history "
          + "(flyway_schema_history): start once with POSTGRES_MIGRATE=true as a user that may change the "
          + "schema, which creates or adopts it at version " + needed);
    }
    if (pending.length > 0) {
      throw new ConfigException("POSTGRES_MIGRATE", "false", "but the database schema is at version "
          + current.getVersion() + " and this release needs " + needed + " (pending: "
          + Arrays.stream(pending).map(m -> m.getVersion() + " " + m.getDescription())
              .collect(Collectors.joining(", "))
          + "): start once with POSTGRES_MIGRATE=true as a user that may change the schema");
    }
    log.info("schema is at version {} (POSTGRES_MIGRATE=false: checked, not changed)", current.getVersion());
    return current.getVersion().getVersion();
  }

  private static String latest(MigrationInfoService info) {
    MigrationInfo[] all = info.all();
    return all.length == 0 ? "1" : all[all.length - 1].getVersion().getVersion();
  }

  private static Flyway flyway(Target target) {
    return Flyway.configure(Schema.class.getClassLoader())
        .dataSource(target.jdbcUrl(), target.user(), target.password())
        .locations(LOCATION)
        .baselineOnMigrate(true)
        .baselineVersion(BASELINE)
        .baselineDescription("adopted: tables created before migrations were versioned")
        .validateMigrationNaming(true)
        .load();
  }
}
