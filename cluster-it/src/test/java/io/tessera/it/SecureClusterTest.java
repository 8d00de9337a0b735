package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.SignallingClient;
import io.tessera.client.TesseraToken;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One master and one media node with https/wss on their HTTP ports and mutual TLS between members (Artery tls-tcp),
 * from PKCS12 key stores made with keytool at test time: REST and the SDK work over TLS, plain http does not, a node
 * with another certificate never becomes a member, bad TLS settings stop a node with exit 2, and no key store
 * password reaches a log.
 */
class SecureClusterTest {

    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path KEYS = Paths.get("target", "secure-cluster-keys");
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static final String CLUSTER_PASSWORD = "cl-" + random();
    private static final String ROGUE_PASSWORD = "ro-" + random();
    private static final String WRONG_PASSWORD = "wr-" + random();
    private static final String TRUST_PASSWORD = "tr-" + random();

    private static ClusterProcesses cluster;
    private static SSLContext trust;
    private static Path clusterStore;
    private static Path rogueStore;
    private static Path clusterTrustStore;
    private static final List<Path> logs = new ArrayList<>();

    @BeforeAll
    static void startSecureCluster() throws Exception {
        deleteRecursively(KEYS);
        Files.createDirectories(KEYS);
        // One certificate for the whole cluster: every node presents it and trusts it. It names every test address,
        // so that https clients verify host names as usual.
        String addresses = Stream.concat(Stream.of("127.0.0.1"),
                        Stream.of(11, 21, 31).flatMap(first -> IntStream.range(first, first + 9).mapToObj(i -> "127.0.0." + i)))
                .map(ip -> "ip:" + ip).collect(Collectors.joining(","));
        clusterStore = keytool(KEYS.resolve("cluster.p12"), "tessera-cluster", CLUSTER_PASSWORD, addresses);
        rogueStore = keytool(KEYS.resolve("rogue.p12"), "tessera-cluster", ROGUE_PASSWORD, addresses);
        // The cluster certificate alone (public: anyone may have it), as a trust store.
        Path cert = KEYS.resolve("cluster.crt");
        run(keytoolPath(), "-exportcert", "-alias", "tessera-cluster", "-keystore", clusterStore.toString(),
                "-storepass", CLUSTER_PASSWORD, "-file", cert.toString());
        clusterTrustStore = KEYS.resolve("cluster-trust.p12");
        run(keytoolPath(), "-importcert", "-noprompt", "-alias", "tessera-cluster", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", clusterTrustStore.toString(), "-storepass", TRUST_PASSWORD);
        // The HTTP key store's password comes from a file, the remoting one from the environment: both ways are used.
        Path passwordFile = Files.writeString(KEYS.resolve("http-password.txt"), CLUSTER_PASSWORD + "\n");
        trust = trusting(clusterStore, CLUSTER_PASSWORD);

        cluster = ClusterProcesses.start("SecureClusterTest", 1, 1, Map.of(
                "TESSERA_TLS", "on",
                "TESSERA_TLS_KEYSTORE", clusterStore.toAbsolutePath().toString(),
                "TESSERA_TLS_KEYSTORE_PASSWORD_FILE", passwordFile.toAbsolutePath().toString(),
                "TESSERA_REMOTING_TLS", "on",
                "TESSERA_REMOTING_TLS_KEYSTORE", clusterStore.toAbsolutePath().toString(),
                "TESSERA_REMOTING_TLS_KEYSTORE_PASSWORD", CLUSTER_PASSWORD), trust);
        cluster.allNodes().forEach(n -> logs.add(n.log()));
        cluster.awaitReady(STARTUP);
    }

    @AfterEach
    void noNodeCrashed() {
        cluster.assertAllAlive();
    }

    @AfterAll
    static void stopAndScanLogs() throws IOException {
        if (cluster == null) {
            return;
        }
        cluster.extraNodes().forEach(n -> logs.add(n.log()));
        cluster.close();
        // After every process has written its last line: no key store password in any node's log.
        List<String> leaks = new ArrayList<>();
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            for (String password : List.of(CLUSTER_PASSWORD, ROGUE_PASSWORD, WRONG_PASSWORD, TRUST_PASSWORD)) {
                if (text.contains(password)) {
                    leaks.add(log + " contains the password " + password.substring(0, 3) + "...");
                }
            }
        }
        assertTrue(leaks.isEmpty(), () -> String.join("\n", leaks));
    }

    @Test
    void restAnswersOverHttpsWithTheSecretAndPlainHttpGetsNoAnswer() throws Exception {
        ClusterProcesses.Node master = cluster.masters().get(0);
        assertEquals("https", master.httpBase().getScheme());
        MasterRestClient rest = cluster.rest(master);
        assertEquals(master.id(), rest.clusterView().self());

        RestResponse noAuth = rest.withoutCredentials().send("GET", "/openvidu/api/sessions");
        assertEquals(401, noAuth.status(), noAuth::toString);
        assertTrue(noAuth.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), noAuth::toString);

        // The same port spoken to in plain http: the TLS server never produces an HTTP answer.
        MasterRestClient plain = MasterRestClient.create(java.net.URI.create("http://" + master.host() + ":"
                + master.httpPort()), cluster.secret());
        assertThrows(IOException.class, () -> plain.send("GET", "/openvidu/api/cluster")); // send throws only without an answer
    }

    @Test
    void anSdkParticipantJoinsOverWssAndReceivesEvents() throws Exception {
        ClusterProcesses.Node master = cluster.masters().get(0);
        MasterRestClient rest = cluster.rest(master);
        String sessionId = "secure-" + RUN;
        TestSessions.createSession(rest, sessionId);
        String tokenA = TestSessions.createConnection(rest, sessionId, "alice").token();
        String tokenB = TestSessions.createConnection(rest, sessionId, "bob").token();
        // TLS on and no public URL configured: tokens send clients to wss:// on the master.
        assertTrue(tokenA.startsWith("wss://" + master.host() + ":" + master.httpPort()), tokenA);

        TesseraToken a = TesseraToken.parse(tokenA);
        try (Participant alice = Participant.of("alice",
                     SignallingClient.builder(a.webSocketUri()).sslContext(trust).connect());
             Participant bob = Participant.of("bob",
                     SignallingClient.builder(TesseraToken.parse(tokenB).webSocketUri()).sslContext(trust).connect())) {
            assertEquals(sessionId, alice.join(tokenA, "{\"clientData\":\"alice\"}").sessionId());
            bob.join(tokenB, "{\"clientData\":\"bob\"}");
            alice.awaitEvent("participantJoined", e -> e.params().toString().contains("bob"), "bob's join");
        } finally {
            rest.send("DELETE", "/openvidu/api/sessions/" + sessionId);
        }
    }

    /**
     * The rogue node's log line for the master's fatal alert: "SSLHandshakeException: Received fatal alert: ..." up to
     * JDK 17.0.15, "SSLHandshakeException: (certificate_unknown) Received fatal alert: ..." on 17.0.21.
     */
    private static final java.util.regex.Pattern REFUSED_HANDSHAKE =
            java.util.regex.Pattern.compile("SSLHandshakeException: (\\([a-z_]+\\) )?Received fatal alert");

    @Test
    void aNodeWithAnotherCertificateNeverBecomesAMember() throws Exception {
        ClusterProcesses.Node master = cluster.masters().get(0);
        // Same seeds, same cluster secret, same role, and it trusts the cluster's certificate: only its own key and
        // certificate differ, so it is the master's check of the connecting side (mutual TLS) that keeps it out.
        ClusterProcesses.Node rogue = cluster.startExtra("rogue-media", ClusterProcesses.Role.MEDIA, Map.of(
                "TESSERA_TLS", "off",
                "TESSERA_REMOTING_TLS_KEYSTORE", rogueStore.toAbsolutePath().toString(),
                "TESSERA_REMOTING_TLS_KEYSTORE_PASSWORD", ROGUE_PASSWORD,
                "TESSERA_REMOTING_TLS_TRUSTSTORE", clusterTrustStore.toAbsolutePath().toString(),
                "TESSERA_REMOTING_TLS_TRUSTSTORE_PASSWORD", TRUST_PASSWORD));
        // It really tries: the master answers its handshakes with a fatal alert (its certificate is refused), over
        // and over, while it stays up.
        await("the master refuses rogue-media's certificate").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> REFUSED_HANDSHAKE.matcher(cluster.tail(rogue, 400)).find());
        assertTrue(cluster.isAlive(rogue), () -> "rogue-media exited\n" + cluster.tail(rogue, 40));

        MasterRestClient rest = cluster.rest(master);
        // For a while (a joined node would show within a second or two), the master's views never list it.
        await("rogue-media stays out").during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    RestResponse view = rest.send("GET", "/openvidu/api/cluster");
                    RestResponse media = rest.send("GET", "/openvidu/api/media-nodes");
                    return view.status() == 200 && media.status() == 200
                            && !view.text().contains("rogue-media") && !media.text().contains("rogue-media");
                });
        // The cluster is unharmed: its own media node still runs and the master is ready.
        RestResponse view = rest.send("GET", "/openvidu/api/cluster");
        assertAll(
                () -> assertTrue(view.text().contains("\"media-1\""), view::toString),
                () -> assertEquals("running", view.json().path("mediaNodes").get(0).path("status").asText().toLowerCase(),
                        view::toString),
                () -> assertTrue(rest.isReady(), "master ready"),
                () -> assertTrue(cluster.isAlive(rogue), "rogue-media still trying, not dead"));
    }

    @Test
    void badTlsSettingsStopANodeWithExitCode2AndNoPasswordIsPrinted() throws IOException {
        ClusterProcesses.Node wrongPassword = cluster.startExtra("bad-password-master", ClusterProcesses.Role.MASTER,
                Map.of("TESSERA_TLS_KEYSTORE_PASSWORD_FILE", "", "TESSERA_TLS_KEYSTORE_PASSWORD", WRONG_PASSWORD));
        // Tokens would send clients to ws:// on a port that only speaks TLS.
        ClusterProcesses.Node plainPublicUrl = cluster.startExtra("plain-url-master", ClusterProcesses.Role.MASTER,
                Map.of("TESSERA_PUBLIC_URL", "http://tessera.example.com:4443"));

        assertEquals(2, cluster.awaitExit(wrongPassword, WAIT), () -> cluster.tail(wrongPassword, 40));
        String log = Files.readString(wrongPassword.log(), StandardCharsets.UTF_8);
        assertTrue(log.contains("TESSERA_TLS_KEYSTORE") && log.contains("cluster.p12"), log);
        assertFalse(log.contains(WRONG_PASSWORD), log);

        assertEquals(2, cluster.awaitExit(plainPublicUrl, WAIT), () -> cluster.tail(plainPublicUrl, 40));
        String urlLog = Files.readString(plainPublicUrl.log(), StandardCharsets.UTF_8);
        assertTrue(urlLog.contains("TESSERA_PUBLIC_URL"), urlLog);
    }

    // ---------------------------------------------------------------- key stores

    private static Path keytool(Path store, String alias, String password, String subjectAltNames)
            throws IOException, InterruptedException {
        run(keytoolPath(), "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + alias, "-ext", "SAN=" + subjectAltNames, "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", password);
        return store;
    }

    private static String keytoolPath() {
        return Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command[0] + " " + command[1] + " failed: " + out);
        }
    }

    private static SSLContext trusting(Path store, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String random() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
