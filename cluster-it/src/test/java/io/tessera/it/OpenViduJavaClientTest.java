package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.openvidu.java.client.Connection;
import io.openvidu.java.client.ConnectionProperties;
import io.openvidu.java.client.ConnectionType;
import io.openvidu.java.client.OpenVidu;
import io.openvidu.java.client.OpenViduRole;
import io.openvidu.java.client.Session;
import io.openvidu.java.client.SessionProperties;
import io.tessera.client.JsonRpcException;
import io.tessera.client.SignallingClient;
import io.tessera.client.TesseraToken;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public OpenVidu 2 Java client, unchanged, against the cluster: the REST API is wire compatible. A small cluster
 * of its own (two masters, so that reads through another master are tested, and one media node).
 */
class OpenViduJavaClientTest {

    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration REPLICATION = Duration.ofSeconds(10);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static ClusterProcesses cluster;
    private static Map<String, Long> pids = Map.of();
    private static OpenVidu ovA;
    private static OpenVidu ovB;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcesses.start("OpenViduJavaClientTest", 2, 1);
        pids = cluster.pids();
        cluster.awaitReady(STARTUP);
        ovA = new OpenVidu(cluster.masters().get(0).httpBase().toString(), cluster.secret());
        ovB = new OpenVidu(cluster.masters().get(1).httpBase().toString(), cluster.secret());
    }

    @AfterEach
    void noNodeCrashed() {
        cluster.assertAllAlive();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        pids.forEach((node, pid) -> assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                node + " (pid " + pid + ") still alive after close()"));
    }

    private static Connection connectionAfterFetch(Session s, String connectionId) throws Exception {
        s.fetch();
        return s.getConnection(connectionId);
    }

    @Test
    void theOfficialClientWorksAgainstTheCluster() throws Exception {
        String custom = "ovc-" + RUN;
        Session session = ovA.createSession(new SessionProperties.Builder().customSessionId(custom).build());
        assertEquals(custom, session.getSessionId());
        Session generated = ovA.createSession();
        assertNotNull(generated.getSessionId());
        assertFalse(generated.getSessionId().isBlank());

        Connection publisher = session.createConnection(new ConnectionProperties.Builder()
                .type(ConnectionType.WEBRTC).role(OpenViduRole.PUBLISHER).data("user-data").build());
        assertEquals(OpenViduRole.PUBLISHER, publisher.getRole());
        assertEquals("user-data", publisher.getServerData());
        assertEquals("pending", publisher.getStatus());
        assertEquals(custom, TesseraToken.parse(publisher.getToken()).sessionId(), publisher.getToken());

        ovA.fetch();
        assertTrue(ovA.getActiveSessions().stream().map(Session::getSessionId).toList()
                        .containsAll(List.of(custom, generated.getSessionId())),
                "getActiveSessions after fetch: " + ovA.getActiveSessions());

        // Through the other master, once replication has caught up.
        Session onB = await("session and its connection visible through master B").atMost(REPLICATION)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    ovB.fetch();
                    Session s = ovB.getActiveSession(custom);
                    return s != null && s.getConnection(publisher.getConnectionId()) != null ? s : null;
                }, s -> s != null);
        onB.fetch(); // Session.fetch() through master B
        assertEquals(OpenViduRole.PUBLISHER, onB.getConnection(publisher.getConnectionId()).getRole());

        // forceDisconnect of a connection nobody used yet revokes its token.
        Connection unused = session.createConnection(new ConnectionProperties.Builder().build());
        session.forceDisconnect(unused);
        assertNull(connectionAfterFetch(session, unused.getConnectionId()), "revoked connection after fetch");
        await("revoked connection gone through master B").atMost(REPLICATION).pollInterval(Duration.ofMillis(200))
                .until(() -> connectionAfterFetch(onB, unused.getConnectionId()) == null);
        try (SignallingClient sdk = SignallingClient.connect(cluster.masters().get(0).webSocketUri())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> sdk.joinRoom(unused.getToken(), "").get(10, TimeUnit.SECONDS));
            assertEquals(401, assertInstanceOf(JsonRpcException.class, e.getCause()).code(), "join with a revoked token");
        }

        Connection updated = session.updateConnection(publisher.getConnectionId(),
                new ConnectionProperties.Builder().role(OpenViduRole.SUBSCRIBER).build());
        assertEquals(OpenViduRole.SUBSCRIBER, updated.getRole());
        await("role change visible through master B").atMost(REPLICATION).pollInterval(Duration.ofMillis(200))
                .until(() -> connectionAfterFetch(onB, publisher.getConnectionId()).getRole() == OpenViduRole.SUBSCRIBER);

        // Same customSessionId again: the server answers 409 and the client falls back to fetching it.
        Session again = ovA.createSession(new SessionProperties.Builder().customSessionId(custom).build());
        assertEquals(custom, again.getSessionId());

        session.close();
        generated.close();
        ovA.fetch();
        assertNull(ovA.getActiveSession(custom), "closed session after fetch: " + ovA.getActiveSessions());
        await("closed session gone through master B").atMost(REPLICATION).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    ovB.fetch();
                    return ovB.getActiveSession(custom) == null && ovB.getActiveSession(generated.getSessionId()) == null;
                });
    }
}
