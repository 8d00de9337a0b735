package io.tessera.loadtest.harness.report;

import io.tessera.loadtest.harness.measure.Percentiles;

import java.util.List;

/**
 * What the headless Chromium pages of {@code --clients chromium:N} saw: joins, the video they decoded, and every
 * stall of a subscription's video longer than {@link #MIN_STALL_MS} (last decoded frame to the first new one). Times
 * are milliseconds since the run started; {@link #NONE} when the run had no browsers.
 *
 * @param planned              browsers asked for
 * @param joined               pages that joined their session and published
 * @param addon                whether the pages loaded the tessera-browser add-on
 * @param subscriptions        remote videos the pages subscribed to, summed over pages
 * @param framesDecoded        video frames decoded over every subscription
 * @param stallMs              the stalls' lengths
 * @param recoveryAfterFaultMs per stall that began near a fault (1 s before to 5 s after): fault to first new frame
 * @param longestStallMs       per subscription, its longest stall (one still open at the end counts up to then)
 * @param sessionsLost         pages that got {@code sessionDisconnected}
 * @param participantsLost     {@code connectionDestroyed} events the pages got (nobody leaves during a run)
 * @param stalls               the stalls themselves, at most {@link #MAX_STALLS}
 * @param framesPerSecond      [second, frames decoded in that second over every page]
 */
public record BrowserResult(int planned, int joined, boolean addon, long subscriptions, long framesDecoded,
                            Percentiles stallMs, Percentiles recoveryAfterFaultMs, Percentiles longestStallMs,
                            long sessionsLost, long participantsLost, List<Stall> stalls, List<long[]> framesPerSecond) {
    public static final long MIN_STALL_MS = 250;
    public static final int MAX_STALLS = 1000;
    public static final BrowserResult NONE = new BrowserResult(0, 0, false, 0, 0, Percentiles.EMPTY, Percentiles.EMPTY,
            Percentiles.EMPTY, 0, 0, List.of(), List.of());

    /** One stall: {@code page}'s subscription to {@code remote} decoded nothing from {@code fromMillis} to {@code toMillis}. */
    public record Stall(String page, String remote, long fromMillis, long toMillis) {
        public long millis() {
            return toMillis - fromMillis;
        }
    }
}
