package io.streampipeline.config;

import java.util.EnumSet;
import java.util.Set;

/** ROLES: what this process runs. */
final class RolesReader {
  private RolesReader() {
  }

  static Set<Role> read(ConfigSource in) {
    String value = in.text(ConfigKey.ROLES);
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : value.split(",")) {
      if (name.isBlank()) {
        continue;
      }
      Role role = ConfigName.find(Role.class, name);
      if (role == null) {
        throw new ConfigException("ROLES", value, "names an unknown role '" + name.trim()
            + "' (known: " + ConfigName.choices(Role.class) + ")");
      }
      roles.add(role);
    }
    if (roles.isEmpty()) {
      throw new ConfigException("ROLES", value, "names no role");
    }
    if (roles.contains(Role.REPLAY_DLQ) && roles.size() > 1) {
      throw new ConfigException("ROLES", value, "combines replay-dlq with other roles; replay-dlq runs alone");
    }
    return roles;
  }
}
