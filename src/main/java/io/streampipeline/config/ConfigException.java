package io.streampipeline.config;

/** A configuration value that cannot be used; the message is the one line shown to the operator. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String value, String problem) {
    super("Invalid configuration: " + key + "=" + (value == null ? "<unset>" : "'" + value + "'") + " " + problem);
  }
}
