package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

/** Sessions and connections through the REST API, as an application server makes them. */
final class TestSessions {
    static final Duration REPLICATION = Duration.ofSeconds(10);

    private TestSessions() {
    }

    static Rest.Response createSession(Rest rest, String customSessionId) {
        Rest.Response r = rest.post("/openvidu/api/sessions", Map.of("customSessionId", customSessionId));
        assertEquals(200, r.status(), r::toString);
        assertEquals(customSessionId, r.body().path("id").asText(), r::toString);
        return r;
    }

    static Rest.Response createConnection(Rest rest, String sessionId, String data) {
        Rest.Response r = rest.post("/openvidu/api/sessions/" + sessionId + "/connection",
                Map.of("type", "WEBRTC", "role", "PUBLISHER", "data", data));
        assertEquals(200, r.status(), r::toString);
        assertTrue(r.body().path("token").asText().contains("token=tok_"), r::toString);
        assertTrue(r.body().path("connectionId").asText().startsWith("con_"), r::toString);
        return r;
    }

    /** Replication is asynchronous: wait until a master can read the connection before joining through it. */
    static void awaitConnectionVisible(Rest master, String sessionId, String connectionId) {
        await(connectionId + " visible").atMost(REPLICATION).pollInterval(Duration.ofMillis(100))
                .until(() -> master.get("/openvidu/api/sessions/" + sessionId + "/connection/" + connectionId)
                        .status() == 200);
    }
}
