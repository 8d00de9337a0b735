package io.tessera.loadtest.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The idle floor and the marginal CPU per operation it gives. */
class IdleFloorTest {

    @Test
    void marginalIsTheWorkLessTheIdleRateOverThePhasePerOperation() {
        // 600 ms of work in 2 s, idle 100 ms/s: 400 ms for 200 operations.
        assertEquals(2.0, IdleFloor.marginalPerOp(600, 100, 2, 200));
        assertEquals(3.0, IdleFloor.marginalPerOp(600, 0, 2, 200), "no idle floor: marginal equals work");
        assertEquals(-0.5, IdleFloor.marginalPerOp(100, 100, 2, 200), "below the idle floor's noise, said as is");
        assertEquals(0, IdleFloor.marginalPerOp(600, 100, 2, 0));
    }

    @Test
    void theFloorIsCpuPerSecondOfTheWindowByRole() {
        IdleFloor floor = IdleFloor.of(10,
                Map.of("master", CpuMs.of(2500, 1200, 300, 500), "media", CpuMs.of(400, 0, 0, 0)));

        assertEquals(new CpuMs(250, 120, 30, 100, 50), floor.msPerSecond().get("master"));
        assertEquals(100, floor.workRate("master"));
        assertEquals(40, floor.workRate("media"));
        assertEquals(0, floor.workRate("haproxy"));
        assertEquals(0, IdleFloor.NONE.workRate("master"));
    }
}
