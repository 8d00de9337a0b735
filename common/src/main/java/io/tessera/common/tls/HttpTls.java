package io.tessera.common.tls;

import com.typesafe.config.Config;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.ServerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;

/**
 * TLS for a node's HTTP port (REST and WebSocket on masters, health on media nodes), from {@code tessera.http.tls}.
 * Off: plain http. On: https only, with the key and certificate of a PKCS12 key store; plain http is not served.
 */
public final class HttpTls {
    static final String KEY_STORE_SETTING = "tessera.http.tls.key-store (TESSERA_TLS_KEYSTORE)";

    private final SSLContext context;

    private HttpTls(SSLContext context) {
        this.context = context;
    }

    public static HttpTls off() {
        return new HttpTls(null);
    }

    /** Reads {@code tessera.http.tls}; with TLS on, opens the key store now so that a bad one stops the start. */
    public static HttpTls fromConfig(Config config) {
        if (!config.hasPath("tessera.http.tls") || !config.getBoolean("tessera.http.tls.enabled")) {
            return off();
        }
        KeyStoreFile file = KeyStoreFile.fromConfig(config.getConfig("tessera.http.tls"), "key-store", KEY_STORE_SETTING);
        KeyStore store = file.loadWithPrivateKey();
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, file.password());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return new HttpTls(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(KEY_STORE_SETTING + " " + file.path()
                    + ": cannot use its key (a key password different from the store password is not supported): "
                    + e.getMessage(), e);
        }
    }

    public boolean enabled() {
        return context != null;
    }

    /** "https" or "http": how clients reach this node's HTTP port. */
    public String scheme() {
        return enabled() ? "https" : "http";
    }

    public Optional<SSLContext> context() {
        return Optional.ofNullable(context);
    }

    /** The server builder serving https when TLS is on, as it is otherwise. */
    public ServerBuilder apply(ServerBuilder builder) {
        return enabled() ? builder.enableHttps(ConnectionContext.httpsServer(context)) : builder;
    }
}
