package io.streampipeline.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and a server certificate it signed, for localhost and 127.0.0.1, made with the
 * machine's openssl in a directory of their own: PEM files as Kafka and PostgreSQL read them.
 */
public final class TestCertificates {
  public final Path caCert;
  public final Path serverCert;
  /** PKCS#8, unencrypted, owner-only (PostgreSQL refuses a key others can read). */
  public final Path serverKey;
  /** The key then the certificate in one file: a Kafka PEM key store. */
  public final Path serverKeyAndCert;

  private TestCertificates(Path dir) {
    caCert = dir.resolve("ca.pem");
    serverCert = dir.resolve("server.pem");
    serverKey = dir.resolve("server.key");
    serverKeyAndCert = dir.resolve("server-keystore.pem");
  }

  public static TestCertificates create(Path dir, String caName) {
    return create(dir, caName, List.of("localhost"));
  }

  /** A server certificate for these host names (the first is its common name) and 127.0.0.1. */
  public static TestCertificates create(Path dir, String caName, List<String> hostNames) {
    try {
      Files.createDirectories(dir);
      TestCertificates c = new TestCertificates(dir);
      Path caKey = dir.resolve("ca.key");
      Path csr = dir.resolve("server.csr");
      Path ext = dir.resolve("server.ext");
      String names = String.join(",", hostNames.stream().map(n -> "DNS:" + n).toList());
      Files.writeString(ext, "subjectAltName=" + names + ",IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
          + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
      openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(), "-out",
          c.caCert.toString(), "-days", "3", "-subj", "/CN=" + caName, "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign");
      openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", c.serverKey.toString(), "-out", csr.toString(),
          "-subj", "/CN=" + hostNames.get(0));
      openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", c.caCert.toString(), "-CAkey", caKey.toString(),
          "-CAcreateserial", "-out", c.serverCert.toString(), "-days", "3", "-extfile", ext.toString());
      Files.writeString(c.serverKeyAndCert, Files.readString(c.serverKey) + Files.readString(c.serverCert));
      Files.setPosixFilePermissions(c.serverKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Path log = dir.resolve("openssl.log");
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new IllegalStateException("the TLS tests need openssl on the PATH (Debian package openssl)", e);
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
