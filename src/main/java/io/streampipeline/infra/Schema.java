package io.streampipeline.infra;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Applies sql/init.sql (bundled in the jar); every statement in it is idempotent. */
public final class Schema {
  private Schema() {
  }

  public static Future<Void> apply(Pool pool) {
    return pool.query(initSql()).execute().mapEmpty();
  }

  public static String initSql() {
    try (InputStream in = Schema.class.getClassLoader().getResourceAsStream("sql/init.sql")) {
      if (in == null) {
        throw new IllegalStateException("sql/init.sql is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
