package io.tessera.master.rebuild;

import io.tessera.common.protocol.MediaNodeProtocol.HostedSession;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.SessionDescriptor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InventoryMergeTest {
    private static SessionDescriptor at(long epoch) {
        return new SessionDescriptor(100, epoch, "protected", "s", "ROUTED", "MANUAL", "VP8", false, null);
    }

    private static ParticipantInfo p(String id) {
        return new ParticipantInfo(id, 1, "{}", null, "PUBLISHER", "java", null);
    }

    @Test
    void theHigherEpochWinsAndTheOtherCopyIsReleased() {
        Map<String, List<HostedSession>> inventories = new LinkedHashMap<>();
        inventories.put("media-1", List.of(new HostedSession("s", at(1), List.of(p("old")))));
        inventories.put("media-2", List.of(new HostedSession("s", at(2), List.of(p("a"), p("b")))));
        InventoryMerge.Result result = InventoryMerge.merge(inventories, 0);
        assertEquals(1, result.routes().size());
        assertEquals("media-2", result.routes().get(0).record().mediaNodeId());
        assertEquals(2, result.routes().get(0).record().epoch());
        assertEquals("protected", result.routes().get(0).record().priority());
        assertEquals(List.of(p("a"), p("b")), result.routes().get(0).participants());
        assertEquals(List.of(new InventoryMerge.Loser("s", "media-1", 1)), result.losers());
    }

    @Test
    void equalEpochsPickTheLowestNodeIdOnEveryMaster() {
        Map<String, List<HostedSession>> inventories = new LinkedHashMap<>();
        inventories.put("media-2", List.of(new HostedSession("s", at(1), List.of())));
        inventories.put("media-1", List.of(new HostedSession("s", at(1), List.of())));
        assertEquals("media-1", InventoryMerge.merge(inventories, 0).routes().get(0).record().mediaNodeId());
    }

    @Test
    void aSessionSplitOverPagesKeepsAllItsParticipantsAndASessionWithoutDescriptorGetsDefaults() {
        Map<String, List<HostedSession>> inventories = Map.of("media-1", List.of(
                new HostedSession("s", at(3), List.of(p("a"))), new HostedSession("s", at(3), List.of(p("b"))),
                new HostedSession("joined-first", null, List.of(p("c")))));
        InventoryMerge.Result result = InventoryMerge.merge(inventories, 0);
        assertEquals(2, result.routes().size());
        InventoryMerge.Route s = result.routes().stream().filter(r -> r.record().sessionId().equals("s")).findFirst()
                .orElseThrow();
        assertEquals(List.of(p("a"), p("b")), s.participants());
        InventoryMerge.Route other = result.routes().stream().filter(r -> !r.record().sessionId().equals("s"))
                .findFirst().orElseThrow();
        assertEquals(0, other.record().epoch());
        assertEquals("best-effort", other.record().priority());
        assertEquals(List.of(), result.losers());
    }
}
