package io.streampipeline.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streampipeline.it.support.Kustomize;
import io.streampipeline.it.support.RequiredTool;
import io.streampipeline.it.support.Yamls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every object the kustomizations render is checked against the Kubernetes OpenAPI schemas (and the Prometheus
 * Operator's CRD schemas), by code we did not write: the model classes of the npm packages kubernetes-models and
 * {@code @kubernetes-models/prometheus-operator}, run by src/test/node/manifest-schemas/validate.mjs. The YAML
 * files themselves go through Debian's yamllint with the repository's .yamllint. Without Node.js, npm or yamllint
 * the tests are skipped, under CI they fail.
 */
class ManifestSchemaIT {
  private static final Path DIR = Path.of("src/test/node/manifest-schemas");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"deploy/kubernetes/base", "deploy/kubernetes/overlays/local",
      "deploy/kubernetes/overlays/production"})
  void everyRenderedObjectMatchesItsKubernetesSchema(String kustomization) throws Exception {
    installPackages();
    String rendered = Kustomize.render(kustomization);
    Path input = Files.createTempFile("rendered", ".yaml");
    try {
      Files.writeString(input, rendered);
      Result result = run(List.of("node", "validate.mjs"), DIR, input);
      assertEquals(0, result.exit(), kustomization + " has objects that do not match their schema:\n"
          + result.output());
      long checked = result.output().lines().filter(l -> l.endsWith(": valid")).count();
      assertEquals(Yamls.loadAll(rendered).size(), checked, "every object was checked:\n" + result.output());
    } finally {
      Files.deleteIfExists(input);
    }
  }

  @Test
  void everyKustomizationReadmeAppliesRendersAndPassesTheSchemaCheck() throws Exception {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("kubectl apply -k (\\S+)")
        .matcher(Files.readString(Path.of("docs/operations.md")));
    java.util.Set<String> dirs = new java.util.TreeSet<>();
    while (m.find()) {
      dirs.add(m.group(1));
    }
    assertTrue(dirs.contains("deploy/kubernetes/overlays/local"), "docs/operations.md applies the local overlay: " + dirs);
    for (String dir : dirs) {
      everyRenderedObjectMatchesItsKubernetesSchema(dir);
    }
  }

  @Test
  void theSchemaCheckRefusesAnObjectThatBreaksItsSchema() throws Exception {
    installPackages();
    Path input = Files.createTempFile("broken", ".yaml");
    try {
      Files.writeString(input, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken}\nspec:\n"
          + "  replicas: \"3\"\n  selector: {}\n  template:\n    spec:\n      containers:\n"
          + "        - {name: a, image: b, ports: [{containerPort: metrics}]}\n");
      Result result = run(List.of("node", "validate.mjs"), DIR, input);
      assertEquals(1, result.exit(), result.output());
      assertTrue(result.output().contains("replicas must be integer"), result.output());
      assertTrue(result.output().contains("containerPort must be integer"), result.output());
    } finally {
      Files.deleteIfExists(input);
    }
  }

  @Test
  void theDeploymentAndMonitoringYamlPassesYamllint() throws Exception {
    if (!runs("yamllint", "--version")) {
      RequiredTool.missing("yamllint is not installed (it lints the deployment files): apt-get install yamllint");
    }
    Result result = run(List.of("yamllint", "--strict", "-f", "parsable", "deploy", "docker-compose.yml",
        "monitoring", ".yamllint"), Path.of("."), null);
    assertEquals(0, result.exit(), "yamllint findings:\n" + result.output());
  }

  private static void installPackages() throws Exception {
    if (!runs("node", "--version") || !runs("npm", "--version")) {
      RequiredTool.missing("Node.js and npm are needed for the Kubernetes schema check (apt-get install nodejs npm)");
    }
    if (!Files.isDirectory(DIR.resolve("node_modules/kubernetes-models"))) {
      Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), DIR, null);
      assertEquals(0, install.exit(), "npm ci in " + DIR + " failed:\n" + install.output());
    }
  }

  private record Result(int exit, String output) {
  }

  private static boolean runs(String... command) {
    try {
      return run(List.of(command), Path.of("."), null).exit() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static Result run(List<String> command, Path dir, Path stdin) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(600, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not end within 600 s");
    }
    return new Result(process.exitValue(), output);
  }
}
