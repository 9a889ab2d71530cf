package io.streampipeline.infra;

/**
 * Start-up cannot go on because a server refuses or does not answer the configuration given (wrong credentials,
 * an untrusted certificate, a missing topic, too few connections). The message is the one line shown to the
 * operator, naming the key to look at; it never holds a secret. Main prints it without a stack trace.
 */
public final class StartupException extends RuntimeException {
  public StartupException(String message) {
    super(message);
  }

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
