package io.streampipeline.it.support;

import java.util.List;

/** The grants a role needs to run the pipeline without owning the schema, as README.md lists them. */
public final class DmlGrants {
  private DmlGrants() {
  }

  public static List<String> of(String database, String role) {
    return List.of(
        "GRANT CONNECT ON DATABASE " + database + " TO " + role,
        "GRANT USAGE ON SCHEMA public TO " + role,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role,
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role);
  }
}
