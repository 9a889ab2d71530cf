package io.streampipeline.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Blocking HTTP requests with short timeouts, for assertions. */
public final class Http {
  /** HTTP/1.1: no h2c upgrade attempt, which has been seen to leave a request hanging. */
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  public record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
    public Response(int status, String contentType, String body) {
      this(status, contentType, body, null);
    }

    public String header(String name) {
      return headers == null ? null : headers.firstValue(name).orElse(null);
    }
  }

  private Http() {
  }

  public static Response get(String url) {
    return send("GET", url, java.util.Map.of());
  }

  /** A form POST (application/x-www-form-urlencoded), redirects not followed. */
  public static Response postForm(String url, String form) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build();
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
          response.body(), response.headers());
    } catch (IOException e) {
      throw new IllegalStateException("POST " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Any method, with the given request headers, no body. */
  public static Response send(String method, String url, java.util.Map<String, String> headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(builder::header);
    HttpRequest request = builder.build();
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
          response.body(), response.headers());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
