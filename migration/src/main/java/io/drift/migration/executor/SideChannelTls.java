package io.drift.migration.executor;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * TLS for the side channel, made from the node's Artery TLS settings (decision 0020). When
 * {@code pekko.remote.artery.transport} is {@code tls-tcp}, the side channel uses the same key
 * store, trust store, protocol and cipher suites as Artery
 * ({@code pekko.remote.artery.ssl.config-ssl-engine}), and both ends must show a certificate the
 * trust store trusts, whatever Artery's {@code require-mutual-authentication} says: anyone who
 * can connect could otherwise try tokens. Hostname verification (the connecting side checks
 * that the other's certificate names the host it dialled) follows Artery's
 * {@code hostname-verification}. Any other transport: no TLS, the side channel is plain TCP.
 *
 * <p>This reads Pekko's keys, not Drift's: the side channel must be exactly as protected as the
 * transport beside it, so it takes its settings from there rather than from a copy that could
 * drift apart.
 */
public final class SideChannelTls {

  static final String ARTERY = "pekko.remote.artery";
  static final String ENGINE = ARTERY + ".ssl.config-ssl-engine";

  private final SSLContext context;
  private final String[] protocols;
  private final String[] cipherSuites;
  private final boolean verifyHostname;

  private SideChannelTls(SSLContext context, String[] protocols, String[] cipherSuites,
      boolean verifyHostname) {
    this.context = context;
    this.protocols = protocols;
    this.cipherSuites = cipherSuites;
    this.verifyHostname = verifyHostname;
  }

  /** True if this configuration has Artery on TLS. */
  public static boolean enabled(Config config) {
    return config.getString(ARTERY + ".transport").equals("tls-tcp");
  }

  /**
   * The side channel's TLS for this (whole, resolved) configuration, or null if Artery does not
   * run TLS.
   *
   * @throws IllegalArgumentException a key or trust store cannot be read, or the protocol or a
   *     cipher suite is unknown here; the message names the file or the setting
   */
  public static SideChannelTls fromConfig(Config config) {
    if (!enabled(config)) {
      return null;
    }
    Config c = config.getConfig(ENGINE);
    String protocol = c.getString("protocol");
    String[] suites = c.getStringList("enabled-algorithms").toArray(String[]::new);
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(c, "key-store", "key-store-password"),
          c.getString("key-password").toCharArray());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(c, "trust-store", "trust-store-password"));
      String rng = c.getString("random-number-generator");
      SSLContext context = SSLContext.getInstance(protocol);
      context.init(keys.getKeyManagers(), trust.getTrustManagers(),
          rng.isEmpty() || rng.equals("SecureRandom") ? null : SecureRandom.getInstance(rng));
      // fail here, at start, rather than at the first connection, on a suite this JVM lacks
      java.util.List<String> supported =
          java.util.List.of(context.getSupportedSSLParameters().getCipherSuites());
      for (String s : suites) {
        if (!supported.contains(s)) {
          throw new IllegalArgumentException(ENGINE + ".enabled-algorithms: " + s
              + " is not a cipher suite of protocol " + protocol + " here");
        }
      }
      return new SideChannelTls(context, new String[] {protocol}, suites,
          c.getBoolean("hostname-verification"));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS for the cluster cannot be set up from " + ENGINE
          + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Config c, String file, String password) {
    Path path = Path.of(c.getString(file));
    char[] secret = c.getString(password).toCharArray();
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType()); // as Artery loads it
      store.load(in, secret);
      return store;
    } catch (IOException | GeneralSecurityException e) {
      // a wrong password shows as an IOException about integrity: say which store and key
      throw new IllegalArgumentException("cannot read " + ENGINE + "." + file + " " + path
          + " (with " + ENGINE + "." + password + "): " + e, e);
    }
  }

  /** This system's side channel TLS, made once from its configuration; null: plain TCP. */
  public static SideChannelTls of(ActorSystem<?> system) {
    return Holder.ID.apply(system).tls;
  }

  /** An unbound server socket that asks every client for a trusted certificate. */
  ServerSocket newServerSocket() throws IOException {
    SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    s.setEnabledProtocols(protocols);
    s.setEnabledCipherSuites(cipherSuites);
    s.setNeedClientAuth(true);
    return s;
  }

  /**
   * TLS over a socket already connected to {@code host:port}; the handshake is done when this
   * returns (so a refusal shows here, or, in TLS 1.3, at the first read). Closing the result
   * closes {@code connected}.
   */
  Socket over(Socket connected, String host, int port) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(connected, host, port, true);
    s.setEnabledProtocols(protocols);
    s.setEnabledCipherSuites(cipherSuites);
    if (verifyHostname) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name host
      s.setSSLParameters(p);
    }
    s.startHandshake();
    return s;
  }

  /** Holds one system's TLS, so key stores are read once per node, not once per transfer. */
  private static final class Holder implements Extension {
    static final ExtensionId<Holder> ID = new ExtensionId<>() {
      @Override
      public Holder createExtension(ActorSystem<?> system) {
        return new Holder(fromConfig(system.settings().config()));
      }
    };

    final SideChannelTls tls;

    Holder(SideChannelTls tls) {
      this.tls = tls;
    }
  }
}
