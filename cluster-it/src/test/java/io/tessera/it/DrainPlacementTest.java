package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Once {@code PATCH /media-nodes/{id} {"status":"draining"}} has answered, no master places a new session on that
 * node: sessions are created through every master while the PATCH is under way, and none whose request was sent
 * after the answer may land on the draining node. The other node is loaded first, so that placement prefers the
 * node being drained right up to the PATCH (a stale view on any master shows at once).
 */
class DrainPlacementTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    /** Sessions pinned on the other node first: placement then prefers the drained one until it is excluded. */
    private static final int PRELOAD = 40;

    private static ClusterProcesses cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcesses.start("DrainPlacementTest", 3, 2, Map.of("TESSERA_MAX_SESSIONS", "1000"));
        cluster.awaitReady(STARTUP);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One create: when its request left (nanoTime) and where the session landed (null: refused). */
    private record Created(String sessionId, long sentAt, String mediaNodeId, int status) {
    }

    @Test
    void noSessionCreatedAfterThePatchAnsweredLandsOnTheDrainingNode() throws Exception {
        ClusterProcesses.Node drained = cluster.mediaNodes().get(0);
        ClusterProcesses.Node other = cluster.mediaNodes().get(1);
        Rest first = cluster.rest(cluster.masters().get(0));
        for (int i = 0; i < PRELOAD; i++) {
            Rest.Response r = first.post("/openvidu/api/sessions", Map.of("customSessionId", "pre-" + i + "-" + RUN,
                    "mediaNode", Map.of("id", other.id())));
            assertEquals(200, r.status(), r::toString);
        }
        await("every master sees the load of " + other.id()).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> cluster.masters().stream().allMatch(m ->
                        cluster.rest(m).get("/openvidu/api/media-nodes/" + other.id()).body().path("tesseraLoad")
                                .path("sessions").asInt() >= PRELOAD));

        ConcurrentLinkedQueue<Created> created = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sequence = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(cluster.masters().size());
        ExecutorService creators = Executors.newFixedThreadPool(cluster.masters().size());
        for (ClusterProcesses.Node master : cluster.masters()) {
            Rest rest = cluster.rest(master);
            creators.submit(() -> {
                started.countDown();
                while (!stop.get()) {
                    String id = "dp-" + master.id() + "-" + sequence.incrementAndGet() + "-" + RUN;
                    long sentAt = System.nanoTime();
                    Rest.Response r = rest.post("/openvidu/api/sessions", Map.of("customSessionId", id));
                    created.add(new Created(id, sentAt, r.status() == 200 ? r.body().path("mediaNodeId").asText() : null,
                            r.status()));
                }
                return null;
            });
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        await("sessions land on " + drained.id() + " before the drain").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> created.stream().filter(c -> drained.id().equals(c.mediaNodeId())).count() >= 3);

        Rest.Response patch = first.patch("/openvidu/api/media-nodes/" + drained.id(),
                Map.of("status", "draining", "deadline", 600));
        long answeredAt = System.nanoTime();
        assertEquals(200, patch.status(), patch::toString);
        assertEquals("draining", patch.body().path("status").asText(), patch::toString);

        await("creates keep coming after the answer").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> created.stream().filter(c -> c.sentAt() > answeredAt).count() >= 30);
        stop.set(true);
        creators.shutdown();
        assertTrue(creators.awaitTermination(20, TimeUnit.SECONDS));

        List<Created> after = created.stream().filter(c -> c.sentAt() > answeredAt).toList();
        List<Created> misplaced = after.stream().filter(c -> drained.id().equals(c.mediaNodeId())).toList();
        List<Created> refused = new ArrayList<>(after.stream().filter(c -> c.status() != 200).toList());
        long before = created.stream().filter(c -> c.sentAt() <= answeredAt && drained.id().equals(c.mediaNodeId())).count();
        assertTrue(misplaced.isEmpty(), misplaced.size() + " of " + after.size()
                + " sessions created after the PATCH answered landed on the draining node: " + misplaced);
        assertTrue(refused.isEmpty(), "creates refused although " + other.id() + " has room: " + refused);
        assertTrue(before >= 3, "the drained node was preferred before the PATCH: " + before);
        for (ClusterProcesses.Node m : cluster.masters()) {
            Rest.Response node = cluster.rest(m).get("/openvidu/api/media-nodes/" + drained.id());
            assertEquals("draining", node.body().path("status").asText(), () -> m.id() + ": " + node);
        }
        Rest.Response running = first.patch("/openvidu/api/media-nodes/" + drained.id(), Map.of("status", "running"));
        assertEquals(200, running.status(), running::toString);
        cluster.assertAllAlive();
    }

    /** A PATCH body that is wrong answers 400 with a message, never a 500. */
    @Test
    void aBadStatusChangeIsA400WithAMessage() {
        Rest rest = cluster.rest(cluster.masters().get(1));
        String path = "/openvidu/api/media-nodes/" + cluster.mediaNodes().get(1).id();
        for (Object body : List.of(Map.of("deadline", 5), Map.of(), Map.of("status", "sleeping"),
                Map.of("status", "running", "deadline", 5), Map.of("status", "draining", "deadline", "soon"),
                Map.of("status", "draining", "deadline", 604_801))) {
            Rest.Response r = rest.patch(path, body);
            assertEquals(400, r.status(), () -> body + " -> " + r);
            assertTrue(!r.body().path("message").asText().isBlank(), r::toString);
        }
        cluster.assertAllAlive();
    }
}
