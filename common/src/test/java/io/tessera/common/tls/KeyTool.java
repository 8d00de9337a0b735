package io.tessera.common.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Makes PKCS12 key stores with the JDK's keytool, as an operator would (docs/OPERATIONS.md "Security"). */
final class KeyTool {
    private KeyTool() {
    }

    static Path selfSigned(Path store, String alias, String password) throws IOException, InterruptedException {
        String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", alias, "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=" + alias, "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", password, "-ext", "SAN=ip:127.0.0.1"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        return store;
    }
}
