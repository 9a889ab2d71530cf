package io.streampipeline.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code kubectl kustomize <dir>}: the objects `kubectl apply -k <dir>` would send, as YAML. */
public final class Kustomize {
  private Kustomize() {
  }

  public static String render(String dir) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder("kubectl", "kustomize", dir).start();
    } catch (IOException e) {
      return RequiredTool.missing("kubectl is not installed (it renders " + dir + "): apt-get install "
          + "kubernetes-client");
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), "kubectl kustomize " + dir + " failed: " + err);
    return out;
  }
}
