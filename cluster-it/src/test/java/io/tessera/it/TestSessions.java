package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.rest.Connection;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.Session;
import java.io.IOException;
import java.time.Duration;

/** Sessions and connections through the REST API, as an application server makes them. */
final class TestSessions {
    static final Duration REPLICATION = Duration.ofSeconds(10);

    private TestSessions() {
    }

    static Session createSession(MasterRestClient rest, String customSessionId) throws IOException, InterruptedException {
        Session session = rest.createSession(customSessionId);
        assertEquals(customSessionId, session.sessionId(), session.json()::toString);
        return session;
    }

    /** A publisher's connection with this server data. */
    static Connection createConnection(MasterRestClient rest, String sessionId, String data)
            throws IOException, InterruptedException {
        Connection connection = rest.createConnection(sessionId, ConnectionProperties.publisher(data));
        assertTrue(connection.token().contains("token=tok_"), connection.json()::toString);
        assertTrue(connection.connectionId().startsWith("con_"), connection.json()::toString);
        return connection;
    }

    /** Replication is asynchronous: wait until a master can read the connection before joining through it. */
    static void awaitConnectionVisible(MasterRestClient master, String sessionId, String connectionId) {
        await(connectionId + " visible").atMost(REPLICATION).pollInterval(Duration.ofMillis(100))
                .until(() -> master.connection(sessionId, connectionId).isPresent());
    }
}
