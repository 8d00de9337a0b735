package io.tessera.loadtest.harness;

import io.tessera.loadtest.harness.scenario.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The live console view: a progress bar over the run's seconds, with the phase and counters beside it. */
final class ConsoleProgress implements Progress {
    private final ProgressBar bar;

    ConsoleProgress(long plannedSeconds) {
        this.bar = new ProgressBarBuilder().setTaskName("load").setInitialMax(plannedSeconds).setUnit("s", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setMaxRenderedLength(160)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate().hideEta().build();
    }

    @Override
    public synchronized void phase(String phase, long elapsedMillis, long plannedMillis) {
        bar.stepTo(Math.min(bar.getMax(), elapsedMillis / 1000));
        bar.setExtraMessage(phase);
    }

    @Override
    public synchronized void counters(long elapsedMillis, String text) {
        bar.stepTo(Math.min(bar.getMax(), elapsedMillis / 1000));
        bar.setExtraMessage(text);
    }

    @Override
    public synchronized void note(String text) {
        // A line of its own above the bar.
        System.err.println("\r" + text);
    }

    @Override
    public synchronized void close() {
        bar.stepTo(bar.getMax());
        bar.close();
    }
}
