package io.tessera.master.cluster;

import io.tessera.common.protocol.ClusterTopics.LoadReport;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.placement.HaPlan;
import io.tessera.master.placement.MediaNodeState;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The placement-backed views of a media node (REST's mediaNode, GET /cluster), to the byte. */
class MediaNodeViewsTest {
    static final ActorTestKit testKit = ActorTestKit.create("views");

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static MediaNodeState node(long receivedAt) {
        LoadReport report = new LoadReport("media-1", testKit.<MediaNodeProtocol.Command>createTestProbe().getRef(),
                "203.0.113.7", "draining", 3, 7, 5, 9, 28, 40, 0.123456, receivedAt);
        return new MediaNodeState(report, receivedAt, true, 1_000);
    }

    @Test
    void theOpenViduMediaNodeCarriesTesseraLoadBesideIt() {
        // Received "in the future": the report's age is 0, not a figure that depends on when the test runs.
        MediaNodeState n = node(System.currentTimeMillis() + 3_600_000);
        assertEquals("{\"id\":\"media-1\",\"object\":\"mediaNode\",\"environmentId\":null,\"ip\":\"203.0.113.7\","
                        + "\"uri\":\"pekko://views\",\"connected\":true,\"connectionTime\":1000,"
                        + "\"disconnectionTime\":null,\"load\":12.35,\"status\":\"draining\",\"reachable\":true,"
                        + "\"lastReportAgeMs\":0,\"tesseraLoad\":{\"sessions\":3,\"participants\":7,\"streams\":5,"
                        + "\"subscriptions\":9,\"mediaPorts\":28,\"cpu\":0.123456}}",
                MediaNodeViews.mediaNode(n).toString());
    }

    @Test
    void theClusterViewOfAMediaNodeSaysHowFullItIs() {
        assertEquals("{\"id\":\"media-1\",\"status\":\"draining\",\"reachable\":true,\"address\":\"pekko://views\","
                        + "\"publicAddress\":\"203.0.113.7\",\"load\":{\"sessions\":3,\"participants\":7,\"streams\":5,"
                        + "\"subscriptions\":9,\"mediaPorts\":28,\"capacity\":40,\"cpu\":0.123},"
                        + "\"lastReportAgeMs\":250}",
                MediaNodeViews.clusterMediaNode(node(10_000), 10_250).toString());
    }

    @Test
    void theHaPlan() {
        assertEquals("{\"mediaNodes\":3,\"maxFailuresToTolerate\":1,\"failuresToTolerate\":2,\"overcommitted\":true,"
                        + "\"protectedSessions\":4,\"freeCapacity\":11}",
                MediaNodeViews.haPlan(new HaPlan.Plan(3, 1, 2, true, 4, 11)).toString());
    }
}
