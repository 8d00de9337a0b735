package io.tessera.loadtest.harness.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BrowserPlanTest {

    @Test
    void sdkOrNothingMeansNoBrowsers() {
        assertEquals(BrowserPlan.NONE, BrowserPlan.parse("sdk", false));
        assertEquals(BrowserPlan.NONE, BrowserPlan.parse("", true));
        assertEquals(BrowserPlan.NONE, BrowserPlan.parse(null, false));
    }

    @Test
    void chromiumTakesACount() {
        assertEquals(new BrowserPlan(4, true), BrowserPlan.parse("chromium:4", true));
        assertEquals(new BrowserPlan(8, false), BrowserPlan.parse(" Chromium:8 ", false));
    }

    @Test
    void badSpecsAreRefusedWithWhatToWrite() {
        for (String bad : List.of("chromium:1", "chromium:9", "chromium:-2", "chromium:x", "chromium:", "firefox:2",
                "2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BrowserPlan.parse(bad, false), bad);
            assertTrue(e.getMessage().contains("chromium"), e.getMessage());
        }
    }

    @Test
    void pagesGoInPairsAndAnOddOneJoinsTheLastPair() {
        BrowserPlan five = new BrowserPlan(5, false);
        assertEquals(2, five.sessions());
        assertEquals(List.of(0, 0, 1, 1, 1), IntStream.range(0, 5).map(five::sessionOf).boxed().toList());
        BrowserPlan four = new BrowserPlan(4, false);
        assertEquals(List.of(0, 0, 1, 1), IntStream.range(0, 4).map(four::sessionOf).boxed().toList());
    }
}
