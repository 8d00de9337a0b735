package io.tessera.loadtest.harness.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void latencyMeterReportsPercentilesInMillisecondsAndASecondBySecondTimeline() {
        LatencyMeter meter = new LatencyMeter("join");
        for (int i = 1; i <= 100; i++) {
            meter.record(i < 50 ? 500 : 1500, Duration.ofMillis(i));
        }
        Percentiles p = meter.summary();
        assertEquals(100, p.count());
        assertEquals(50, p.p50(), 0.1);
        assertEquals(95, p.p95(), 0.1);
        assertEquals(99, p.p99(), 0.1);
        assertEquals(100, p.max(), 0.1);
        List<LatencyMeter.SecondPoint> t = meter.timeline();
        assertEquals(2, t.size());
        assertEquals(0, t.get(0).second());
        assertEquals(49, t.get(0).count());
        assertEquals(1, t.get(1).second());
    }

    @Test
    void emptyMeterIsAllZero() {
        assertEquals(Percentiles.EMPTY, new LatencyMeter("x").summary());
    }

    @Test
    void errorsAreCountedByKindBoundedAndScrubbedOfTokens() {
        ErrorTally t = new ErrorTally();
        t.add("join:rpc-401", "bad token ws://h:4443?sessionId=s&token=tok_AbC123 Basic T1BFTlZJRFVBUFA6eA==");
        t.add("join:rpc-401", "again");
        for (int i = 0; i < ErrorTally.MAX_KINDS + 5; i++) {
            t.add("kind-" + i, "m");
        }
        assertEquals(2, t.counts().get("join:rpc-401"));
        String example = t.examples().get("join:rpc-401");
        assertFalse(example.contains("AbC123"), example);
        assertFalse(example.contains("T1BFTlZJRFVBUFA6eA"), example);
        assertTrue(t.counts().size() <= ErrorTally.MAX_KINDS + 1);
        assertEquals(ErrorTally.MAX_KINDS + 5 + 2, t.total());
    }

    @Test
    void resumeIsMeasuredFromTheLatestMasterFaultBeforeIt() {
        Measurements m = new Measurements();
        m.resumed(); // no fault yet
        assertEquals(1, m.resumesWithoutFault.get());
        m.faults.add(new FaultLog.Fault("kill:media-1@0s", "kill", "media-1", 0, 1, null));
        m.faults.add(new FaultLog.Fault("kill:master-2@0s", "kill", "master-2", 0, 1, null));
        m.resumed();
        assertEquals(1, m.resume.count());
    }
}
