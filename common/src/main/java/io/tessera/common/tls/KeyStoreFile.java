package io.tessera.common.tls;

import com.typesafe.config.Config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;

/**
 * A PKCS12 key store named in the configuration, with its password given directly or as a file (so that it need not
 * sit in the environment). Every failure is an {@link IllegalArgumentException} that names the setting and the path,
 * never the password: the node launcher prints it and exits with 2.
 */
public final class KeyStoreFile {
    private final Path path;
    private final char[] password;
    private final String describedAs;

    private KeyStoreFile(Path path, char[] password, String describedAs) {
        this.path = path;
        this.password = password;
        this.describedAs = describedAs;
    }

    /**
     * Reads {@code <name>}, {@code <name>-password} and {@code <name>-password-file} from {@code section}.
     *
     * @param setting how an operator sets the path, e.g. "tessera.http.tls.key-store (TESSERA_TLS_KEYSTORE)"
     */
    static KeyStoreFile fromConfig(Config section, String name, String setting) {
        return fromConfig(section, name, setting, null);
    }

    /** As {@link #fromConfig(Config, String, String)}; with neither password nor file set, uses {@code fallback}. */
    static KeyStoreFile fromConfig(Config section, String name, String setting, KeyStoreFile fallback) {
        String location = section.getString(name).trim();
        if (location.isEmpty()) {
            throw new IllegalArgumentException(setting + " is not set");
        }
        String passwordFile = section.hasPath(name + "-password-file")
                ? section.getString(name + "-password-file").trim() : "";
        String password = passwordFile.isEmpty() ? section.getString(name + "-password")
                : readPasswordFile(Path.of(passwordFile), setting);
        char[] chars = fallback != null && passwordFile.isEmpty() && password.isEmpty()
                ? fallback.password() : password.toCharArray();
        return new KeyStoreFile(Path.of(location), chars, setting + " " + location);
    }

    /** The same file and password as another store (the usual case: one cluster certificate, trusted by all nodes). */
    static KeyStoreFile sameAs(KeyStoreFile other) {
        return new KeyStoreFile(other.path, other.password, other.describedAs);
    }

    private static String readPasswordFile(Path file, String setting) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("the password file " + file + " for " + setting
                    + " does not exist or is not readable");
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            // Files written with echo end in a line break that is not part of the password.
            return text.replaceFirst("\\R+\\z", "");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the password file " + file + " for " + setting
                    + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** Opens the store, checking that it exists, is readable and opens with the password. */
    KeyStore load() {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(describedAs + ": no such file");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException(describedAs + ": not a readable file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            // The JDK's messages ("keystore password was incorrect") never contain the password itself.
            throw new IllegalArgumentException(describedAs + ": cannot open it as a PKCS12 key store (wrong password,"
                    + " or not a PKCS12 file): " + e.getMessage(), e);
        }
    }

    /** As {@link #load()}, and checks that the store holds a private key (a server or client identity). */
    KeyStore loadWithPrivateKey() {
        KeyStore store = load();
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    return store;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(describedAs + ": cannot list its entries: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(describedAs + ": holds no private key (a key store needs the node's key"
                + " and certificate, not only certificates)");
    }

    /** As {@link #load()}, and checks that the store holds at least one certificate to trust. */
    KeyStore loadWithCertificates() {
        KeyStore store = load();
        try {
            if (store.size() == 0) {
                throw new IllegalArgumentException(describedAs + ": holds no certificate to trust");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(describedAs + ": cannot list its entries: " + e.getMessage(), e);
        }
        return store;
    }

    Path path() {
        return path;
    }

    char[] password() {
        return password.clone();
    }

    String passwordString() {
        return new String(password);
    }
}
