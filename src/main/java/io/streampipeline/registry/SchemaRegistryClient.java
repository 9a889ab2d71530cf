package io.streampipeline.registry;

import io.streampipeline.config.SchemaRegistrySettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The two calls of the Confluent Schema Registry REST API the pipeline makes, non-blocking: a schema by id
 * ({@code GET /schemas/ids/{id}}) and registering a schema under a subject ({@code POST
 * /subjects/{subject}/versions}). Served the same way by Confluent Schema Registry, Apicurio Registry's ccompat
 * API (with its path in the URL, e.g. {@code http://host:8080/apis/ccompat/v7}), Karapace and Redpanda.
 *
 * <p>A failed future means the registry could not answer (refused, timed out, 5xx, 401...): an outage to wait
 * out, never a verdict on a message. Only a 404 with error code 40403 says an id does not exist. The basic-auth
 * credentials go into a header and nowhere else.
 */
public final class SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT = CONTENT_TYPE + ", application/json";
  /** Covers the TLS handshake too, which can be slow on a busy machine; a timeout is only retried anyway. */
  private static final long CONNECT_TIMEOUT_MS = 10_000;
  private static final long ANSWER_TIMEOUT_MS = 10_000;
  /** Confluent's error code for "Schema not found" (Apicurio ccompat, Karapace and Redpanda use it too). */
  private static final int SCHEMA_NOT_FOUND = 40403;

  private final String baseUrl;
  private final String authorization;
  private final HttpClientAgent http;

  /** What the registry said about an id. */
  public sealed interface Lookup permits Found, NotFound {
  }

  /** @param schemaType null for Avro (registries leave it out for Avro) */
  public record Found(String schemaType, String schema) implements Lookup {
  }

  public record NotFound(String message) implements Lookup {
  }

  public SchemaRegistryClient(Vertx vertx, SchemaRegistrySettings settings) {
    this.baseUrl = settings.url();
    this.authorization = settings.basicAuthUserInfo() == null ? null : "Basic " + Base64.getEncoder()
        .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
    HttpClientOptions options = new HttpClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT_MS)
        .setKeepAlive(true);
    if (settings.rootCertPath() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(settings.rootCertPath()));
    }
    this.http = vertx.createHttpClient(options);
  }

  public String url() {
    return baseUrl;
  }

  /** The writer schema registered with this id, or NotFound; fails when the registry cannot be reached. */
  public Future<Lookup> schemaById(int id) {
    return call(HttpMethod.GET, "/schemas/ids/" + id, null).compose(answer -> {
      if (answer.status() == 200) {
        JsonObject json = answer.json();
        String schema = json == null ? null : json.getString("schema");
        if (schema == null) {
          return Future.failedFuture("registry answered GET /schemas/ids/" + id + " without a schema");
        }
        return Future.succeededFuture(new Found(json.getString("schemaType"), schema));
      }
      JsonObject error = answer.json();
      if (answer.status() == 404 && error != null && error.getInteger("error_code", 0) == SCHEMA_NOT_FOUND) {
        return Future.succeededFuture(new NotFound(error.getString("message", "schema not found")));
      }
      // A 404 without 40403 is most likely a wrong URL (path prefix), not a missing schema: keep waiting.
      return Future.failedFuture(answer.describe("GET /schemas/ids/" + id));
    });
  }

  /** Registers (or finds, when already there) the schema under the subject and returns its id. */
  public Future<Integer> register(String subject, String schema) {
    Buffer body = new JsonObject().put("schema", schema).toBuffer();
    String path = "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions";
    return call(HttpMethod.POST, path, body).compose(answer -> {
      JsonObject json = answer.json();
      if (answer.status() == 200 && json != null && json.getInteger("id") != null) {
        return Future.succeededFuture(json.getInteger("id"));
      }
      return Future.failedFuture(answer.describe("POST " + path));
    });
  }

  private record Answer(int status, Buffer body) {
    JsonObject json() {
      try {
        return body.length() == 0 ? null : body.toJsonObject();
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }

    String describe(String call) {
      String text = body.toString(StandardCharsets.UTF_8);
      String hint = status == 401 || status == 403 ? " (check SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO)"
          : status == 404 ? " (check the path in SCHEMA_REGISTRY_URL)" : "";
      return "schema registry answered " + call + " with HTTP " + status + hint
          + (text.isBlank() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text));
    }
  }

  private Future<Answer> call(HttpMethod method, String path, Buffer body) {
    RequestOptions request = new RequestOptions().setMethod(method).setAbsoluteURI(baseUrl + path)
        .setConnectTimeout(CONNECT_TIMEOUT_MS).setIdleTimeout(ANSWER_TIMEOUT_MS).putHeader("Accept", ACCEPT);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    if (body != null) {
      request.putHeader("Content-Type", CONTENT_TYPE);
    }
    return http.request(request)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(response -> response.body().map(bytes -> new Answer(response.statusCode(), bytes)));
  }

  public Future<Void> close() {
    return http.close();
  }
}
