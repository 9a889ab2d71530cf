package io.streampipeline.it.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A stand-in for a Schema Registry in the tests (no real one can be assembled on the build machine): a small
 * HTTP server answering the Confluent REST calls that the pipeline and Confluent's Node client make, with
 * Confluent's status codes and error codes, basic auth required. {@link #unavailable} makes it answer 503,
 * {@link #stopListening} closes its port; both stand for a registry outage. With a PKCS#12 key store it serves
 * HTTPS.
 */
public final class RegistryStandIn implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final String expectedAuthorization;
  private final HttpServerOptions serverOptions = new HttpServerOptions();
  private final Map<Integer, String> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByForm = new HashMap<>();
  private final Map<String, List<Integer>> subjects = new HashMap<>();
  private final AtomicInteger refusedLookups = new AtomicInteger();
  private final AtomicInteger lookups = new AtomicInteger();
  private volatile boolean unavailable;
  private HttpServer server;
  private int port;

  public RegistryStandIn(String userInfo) {
    this(userInfo, null, null);
  }

  /** Serves HTTPS with the key and certificate in a PKCS#12 key store when one is given. */
  public RegistryStandIn(String userInfo, Path keyStore, String keyStorePassword) {
    this.expectedAuthorization = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    if (keyStore != null) {
      serverOptions.setSsl(true).setKeyCertOptions(new PfxOptions().setPath(keyStore.toString())
          .setPassword(keyStorePassword));
    }
    startListening();
  }

  public String url() {
    return (serverOptions.isSsl() ? "https" : "http") + "://127.0.0.1:" + port;
  }

  /** Registers a schema under a subject as POST /subjects/{subject}/versions would; returns its id. */
  public synchronized int register(String subject, String schema) {
    String form = new Schema.Parser().parse(schema).toString();
    int id = idsByForm.computeIfAbsent(form, f -> {
      int next = schemasById.size() + 1;
      schemasById.put(next, schema);
      return next;
    });
    List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  public synchronized Integer latestId(String subject) {
    List<Integer> versions = subjects.get(subject);
    return versions == null ? null : versions.get(versions.size() - 1);
  }

  public synchronized String schema(int id) {
    return schemasById.get(id);
  }

  /** While true every request is answered 503 Service Unavailable. */
  public void unavailable(boolean value) {
    unavailable = value;
  }

  /** GET /schemas/ids/{id} requests answered (any status but 503). */
  public int lookups() {
    return lookups.get();
  }

  /** GET /schemas/ids/{id} requests refused with 503. */
  public int refusedLookups() {
    return refusedLookups.get();
  }

  public void stopListening() {
    await(server.close());
    server = null;
  }

  /** Listens on a free port the first time, on the same port afterwards. */
  public void startListening() {
    Router router = Router.router(vertx);
    router.route().handler(this::gate);
    router.route().handler(BodyHandler.create());
    router.get("/schemas/ids/:id").handler(this::schemaById);
    router.post("/subjects/:subject/versions").handler(this::registerRequest);
    router.get("/subjects/:subject/versions/latest").handler(this::latest);
    server = await(vertx.createHttpServer(serverOptions).requestHandler(router).listen(port, "127.0.0.1"));
    port = server.actualPort();
  }

  private void gate(RoutingContext ctx) {
    boolean lookup = ctx.request().path().startsWith("/schemas/ids/");
    if (unavailable) {
      if (lookup) {
        refusedLookups.incrementAndGet();
      }
      error(ctx, 503, 50003, "stand-in registry made unavailable by the test");
      return;
    }
    if (!expectedAuthorization.equals(ctx.request().getHeader("Authorization"))) {
      error(ctx, 401, 40101, "Unauthorized");
      return;
    }
    if (lookup) {
      lookups.incrementAndGet();
    }
    ctx.next();
  }

  private void schemaById(RoutingContext ctx) {
    int id;
    try {
      id = Integer.parseInt(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      error(ctx, 404, 40403, "Schema " + ctx.pathParam("id") + " not found");
      return;
    }
    String schema = schema(id);
    if (schema == null) {
      error(ctx, 404, 40403, "Schema " + id + " not found");
      return;
    }
    json(ctx, 200, new JsonObject().put("schema", schema));
  }

  private void registerRequest(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String type = body.getString("schemaType", "AVRO");
    if (!"AVRO".equals(type)) {
      error(ctx, 422, 42201, "the stand-in only keeps Avro schemas");
      return;
    }
    int id;
    try {
      id = register(ctx.pathParam("subject"), body.getString("schema"));
    } catch (RuntimeException e) {
      error(ctx, 422, 42201, "Invalid schema: " + e.getMessage());
      return;
    }
    json(ctx, 200, new JsonObject().put("id", id));
  }

  private void latest(RoutingContext ctx) {
    String subject = ctx.pathParam("subject");
    JsonObject answer;
    synchronized (this) {
      List<Integer> versions = subjects.get(subject);
      if (versions == null) {
        error(ctx, 404, 40401, "Subject '" + subject + "' not found.");
        return;
      }
      int id = versions.get(versions.size() - 1);
      answer = new JsonObject().put("subject", subject).put("version", versions.size()).put("id", id)
          .put("schema", schemasById.get(id));
    }
    json(ctx, 200, answer);
  }

  private static void error(RoutingContext ctx, int status, int code, String message) {
    json(ctx, status, new JsonObject().put("error_code", code).put("message", message));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/vnd.schemaregistry.v1+json")
        .end(body.encode());
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("registry stand-in: " + e, e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
