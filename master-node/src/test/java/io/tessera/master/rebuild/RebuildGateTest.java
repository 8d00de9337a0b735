package io.tessera.master.rebuild;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RebuildGateTest {

    @Test
    void aFailedRebuildServesButKeepsTheRoutesIncompleteUntilARebuildSucceeds() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RebuildGate gate = new RebuildGate().bind(registry);
        assertFalse(gate.isOpen());
        assertTrue(gate.refusal().isPresent(), "not ready while rebuilding");
        assertFalse(gate.routesComplete());

        gate.failed();
        assertTrue(gate.isOpen(), "a failed rebuild serves anyway (a partial table beats none)");
        assertTrue(gate.refusal().isEmpty());
        assertFalse(gate.routesComplete(), "the media failover stays off after a failed rebuild");
        assertEquals(0.0, registry.get("tessera.master.rebuild.routes.complete").gauge().value());
        assertEquals(1.0, registry.get("tessera.master.rebuild.failures").functionCounter().count());

        gate.rebuilt();
        assertTrue(gate.routesComplete(), "the next rebuild succeeded: failover on again");
        assertEquals(1.0, registry.get("tessera.master.rebuild.routes.complete").gauge().value());
    }
}
