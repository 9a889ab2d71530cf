package io.streampipeline.it.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Blocking JDBC reads for assertions. */
public final class Db {
  private final TestInfra infra;
  private final String database;

  public Db(TestInfra infra, String database) {
    this.infra = infra;
    this.database = database;
  }

  public long count(String sql) {
    return ((Number) rows(sql).get(0).values().iterator().next()).longValue();
  }

  public List<Map<String, Object>> rows(String sql) {
    try (Connection conn = infra.connect(database); Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<Map<String, Object>> rows = new ArrayList<>();
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public void execute(String sql) {
    infra.sql(database, sql);
  }
}
