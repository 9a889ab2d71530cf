package io.streampipeline.it.support;

import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the runtime stage of the Dockerfile gives every container: ENTRYPOINT, CMD, ENV, USER, WORKDIR and the
 * HEALTHCHECK command, read from the file so a test runs the jar as the image would. The base image
 * (eclipse-temurin) adds JAVA_HOME and PATH, with the JRE at {@link #JAVA_HOME}.
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, Map<String, String> env, int uid, int gid,
    String workdir, List<String> healthcheck, String jarPath) {
  public static final String JAVA_HOME = "/opt/java/openjdk";
  private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");

  public static ImageConfig fromDockerfile(Path dockerfile) {
    String text;
    try {
      text = Files.readString(dockerfile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      String t = line.strip();
      if (t.startsWith("#") && current.isEmpty()) {
        continue;
      }
      if (t.endsWith("\\")) {
        current.append(t, 0, t.length() - 1).append(' ');
      } else {
        instructions.add(current.append(t).toString().strip());
        current.setLength(0);
      }
    }
    int lastFrom = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).startsWith("FROM ")) {
        lastFrom = i;
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", JAVA_HOME + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("JAVA_HOME", JAVA_HOME);
    List<String> entrypoint = List.of();
    List<String> cmd = List.of();
    List<String> healthcheck = List.of();
    int uid = 0;
    int gid = 0;
    String workdir = "/";
    String jar = null;
    for (String ins : instructions.subList(lastFrom, instructions.size())) {
      if (ins.startsWith("ENV ")) {
        Matcher m = ENV_PAIR.matcher(ins.substring(4));
        while (m.find()) {
          env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
        }
      } else if (ins.startsWith("ENTRYPOINT ")) {
        entrypoint = exec(ins.substring(11));
      } else if (ins.startsWith("CMD ")) {
        cmd = exec(ins.substring(4));
      } else if (ins.startsWith("USER ")) {
        String[] ids = ins.substring(5).strip().split(":");
        uid = Integer.parseInt(ids[0]);
        gid = ids.length > 1 ? Integer.parseInt(ids[1]) : uid;
      } else if (ins.startsWith("WORKDIR ")) {
        workdir = ins.substring(8).strip();
      } else if (ins.startsWith("HEALTHCHECK ")) {
        healthcheck = exec(ins.substring(ins.indexOf(" CMD ") + 5));
      } else if (ins.startsWith("COPY ") && ins.contains("stream-pipeline.jar")) {
        String[] parts = ins.split("\\s+");
        jar = parts[parts.length - 1];
      }
    }
    return new ImageConfig(entrypoint, cmd, env, uid, gid, workdir, healthcheck, jar);
  }

  /** The exec (JSON array) form: the only form whose process is the program itself, as PID 1. */
  private static List<String> exec(String json) {
    if (!json.strip().startsWith("[")) {
      throw new AssertionError("not the exec form (a shell would be PID 1): " + json);
    }
    List<String> args = new ArrayList<>();
    new JsonArray(json.strip()).forEach(a -> args.add(String.valueOf(a)));
    return args;
  }
}
