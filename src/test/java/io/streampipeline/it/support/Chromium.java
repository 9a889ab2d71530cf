package io.streampipeline.it.support;


import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.http.ClientConfig;

/**
 * Headless Chromium from the Debian packages (chromium, chromium-driver), driven through chromedriver, with a
 * fresh profile that is deleted on close. Missing binaries fail the test with what to install: a browser test
 * that silently skips proves nothing.
 */
public final class Chromium implements AutoCloseable {
  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  public static Chromium start(int width, int height) {
    String browser = executable("CHROME_BIN", "chromium", "/usr/bin/chromium");
    String chromedriver = executable("CHROMEDRIVER", "chromedriver", "/usr/bin/chromedriver");
    try {
      Path profile = Files.createTempDirectory("dashboard-chromium");
      ChromeOptions options = new ChromeOptions();
      // Both paths are given, so Selenium Manager has nothing to look up or download.
      options.setBinary(browser);
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-extensions", "--no-first-run", "--user-data-dir=" + profile,
          "--window-size=" + width + "," + height);
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort().withTimeout(Duration.ofSeconds(30))
          .build();
      // Bounds every driver call, so a stuck browser fails the test instead of hanging the build.
      ClientConfig client = ClientConfig.defaultConfig().readTimeout(Duration.ofSeconds(60));
      ChromeDriver driver = new ChromeDriver(service, options, client);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(20));
      return new Chromium(driver, profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String executable(String envKey, String name, String debianPath) {
    String fromEnv = System.getenv(envKey);
    if (fromEnv != null && Files.isExecutable(Path.of(fromEnv))) {
      return fromEnv;
    }
    if (Files.isExecutable(Path.of(debianPath))) {
      return debianPath;
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return RequiredTool.missing(name + " not found (looked at $" + envKey + ", " + debianPath + " and PATH): install "
        + "the Debian packages chromium and chromium-driver (.ci/run does)");
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Runs a script in the page and returns its value. */
  public Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** Makes the page see prefers-color-scheme as given ("dark" or "light"). */
  public void colorScheme(String scheme) {
    driver.executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      TempDirs.delete(profile);
    }
  }
}
