package io.streampipeline.it.support;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Drops each test's databases when the test ends (those made in a class's setup when the class ends). Every
 * database copies the template, about 8 MB, and the suite makes about a hundred: kept to the end of the run they
 * took most of a gigabyte, on machines where the disk can be short. Registered for every test class through
 * META-INF/services (junit-platform.properties turns autodetection on); it does nothing for tests that make no
 * database.
 */
public final class TestDatabases implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
  private static final Deque<List<String>> SCOPES = new ArrayDeque<>();

  public static synchronized void made(String database) {
    if (!SCOPES.isEmpty()) {
      SCOPES.peek().add(database);
    }
  }

  private static synchronized void open() {
    SCOPES.push(new ArrayList<>());
  }

  private static void close() {
    List<String> made;
    synchronized (TestDatabases.class) {
      made = SCOPES.isEmpty() ? List.of() : SCOPES.pop();
    }
    TestInfra infra = TestInfra.ifStarted();
    if (infra == null) {
      return;
    }
    for (String database : made) {
      try {
        infra.dropDatabase(database);
      } catch (RuntimeException e) {
        System.err.println("[TestDatabases] could not drop " + database + ": " + e.getMessage());
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    open();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    open();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }
}
