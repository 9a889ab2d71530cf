package io.streampipeline.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Accepts on one address and copies bytes both ways to another, one pair of threads per connection. */
public final class TcpForwarder implements AutoCloseable {
  private final ServerSocket server;

  private TcpForwarder(ServerSocket server) {
    this.server = server;
  }

  public static TcpForwarder start(String host, int port, String targetHost, int targetPort) {
    try {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(host, port));
      Thread accept = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket in = server.accept();
            Socket out = new Socket(targetHost, targetPort);
            pump(in, out);
            pump(out, in);
          } catch (IOException e) {
            // closed, or the target refused this one connection: the client sees it closed
          }
        }
      }, "forward-" + port);
      accept.setDaemon(true);
      accept.start();
      return new TcpForwarder(server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // either side closed
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException e) {
          // already closed
        }
      }
    }, "forward-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
