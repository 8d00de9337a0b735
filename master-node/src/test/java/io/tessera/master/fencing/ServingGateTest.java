package io.tessera.master.fencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.master.fencing.ServingGate.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServingGateTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final ServingGate gate = ServingGate.joining(now::get);

    @Test
    void closedUntilUpThenClosedByAnyReasonUntilAllAreLifted() {
        assertFalse(gate.serving());
        assertTrue(gate.refusal().orElseThrow().contains("not an Up member"));
        gate.lift(Reason.JOINING);
        assertTrue(gate.serving());
        assertTrue(gate.refusal().isEmpty());

        gate.close(Reason.ISOLATED);
        gate.close(Reason.DOWNED);
        assertTrue(gate.refusal().orElseThrow().contains("downed"), "the final reason is the one given");
        gate.lift(Reason.ISOLATED);
        assertFalse(gate.serving(), "still downed");
    }

    @Test
    void anExpiredLeaseRefusesOnItsOwnWithoutTheMonitor() {
        gate.lift(Reason.JOINING);
        gate.renewLease(2_000);
        now.addAndGet(1_999);
        assertTrue(gate.serving());
        // A freeze: the clock jumps, no monitor ran; the first request after it must be refused.
        now.addAndGet(1);
        assertFalse(gate.serving());
        assertTrue(gate.leaseRunOut());
        assertTrue(gate.refusal().orElseThrow().contains("lost contact with the majority"));
        gate.renewLease(2_000);
        assertTrue(gate.serving());
    }

    @Test
    void listenersHearEachReasonOnceWhenItStartsToHold() {
        List<Reason> heard = new ArrayList<>();
        gate.onClose(heard::add);
        gate.close(Reason.ISOLATED);
        gate.close(Reason.ISOLATED);
        gate.lift(Reason.ISOLATED);
        gate.close(Reason.ISOLATED);
        gate.close(Reason.LEAVING);
        assertEquals(List.of(Reason.ISOLATED, Reason.ISOLATED, Reason.LEAVING), heard);
    }
}
