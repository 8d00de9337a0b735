package io.tessera.loadtest.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BaselineComparisonTest {

    private static Map<String, BaselineComparison.Row> byName(List<BaselineComparison.Row> rows) {
        return rows.stream().collect(Collectors.toMap(BaselineComparison.Row::figure, Function.identity()));
    }

    @Test
    void ratiosAreNewOverOldAndRegressionsFollowWhichWayIsBetter() {
        RunResult old = ResultJsonTest.sample(1, 20, 0.0);
        RunResult now = ResultJsonTest.sample(2, 10, 0.0);
        Map<String, BaselineComparison.Row> rows = byName(BaselineComparison.compare(old, now));
        assertEquals(2.0, rows.get("join.p99").ratio());
        assertTrue(rows.get("join.p99").regressed(0.1));
        assertEquals(0.5, rows.get("joinsPerSecond").ratio());
        assertTrue(rows.get("joinsPerSecond").regressed(0.1), "fewer joins/s is worse");
        assertEquals(1.0, rows.get("firstPacket.p99").ratio());
        assertFalse(rows.get("firstPacket.p99").regressed(0.1));
        assertEquals(1.0, rows.get("media.lossPercent").ratio(), "0 against 0 is no change");
        String table = BaselineComparison.format(BaselineComparison.compare(old, now), 0.1);
        assertTrue(table.contains("join.p99") && table.contains("worse"), table);
    }

    @Test
    void anImprovementIsNotARegressionAndAZeroBaselineHasNoRatio() {
        RunResult old = ResultJsonTest.sample(2, 10, 0.0);
        RunResult now = ResultJsonTest.sample(1, 20, 0.5);
        Map<String, BaselineComparison.Row> rows = byName(BaselineComparison.compare(old, now));
        assertFalse(rows.get("join.p99").regressed(0.1));
        assertFalse(rows.get("joinsPerSecond").regressed(0.1));
        assertTrue(Double.isNaN(rows.get("media.lossPercent").ratio()));
    }

    @Test
    void comparesAgainstAResultReadBackFromJson() throws Exception {
        RunResult old = ResultJson.fromJson(ResultJson.toJson(ResultJsonTest.sample(1, 20, 0)));
        List<BaselineComparison.Row> rows = BaselineComparison.compare(old, ResultJsonTest.sample(1, 20, 0));
        assertTrue(rows.stream().allMatch(r -> r.ratio() == 1.0), rows.toString());
    }
}
