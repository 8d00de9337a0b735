package io.tessera.loadtest.harness.chaos;

import io.tessera.loadtest.harness.measure.FaultLog;
import io.tessera.loadtest.harness.measure.RunClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Applies a {@link ChaosSchedule} on one thread of its own, in time order (a slow restart delays the next fault
 * rather than overlapping it), and logs each fault with the instant just before its command ran.
 */
public final class ChaosRunner implements AutoCloseable {
    private final ChaosSchedule schedule;
    private final ChaosExecutor executor;
    private final RunClock clock;
    private final FaultLog log;
    private final Consumer<String> announce;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chaos");
        t.setDaemon(true);
        return t;
    });

    public ChaosRunner(ChaosSchedule schedule, ChaosExecutor executor, RunClock clock, FaultLog log,
                       Consumer<String> announce) {
        this.schedule = schedule;
        this.executor = executor;
        this.clock = clock;
        this.log = log;
        this.announce = announce;
    }

    /** The schedule with each freeze's thaw as a step of its own. */
    static List<ChaosAction> steps(ChaosSchedule schedule) {
        List<ChaosAction> steps = new ArrayList<>();
        for (ChaosAction a : schedule.actions()) {
            steps.add(a);
            a.hold().ifPresent(h -> steps.add(new ChaosAction(ChaosAction.Verb.THAW, a.node(), a.at().plus(h),
                    Optional.empty())));
        }
        steps.sort(java.util.Comparator.comparing(ChaosAction::at));
        return steps;
    }

    /** Schedules every step relative to the run clock's origin. */
    public void start() {
        for (ChaosAction step : steps(schedule)) {
            long delay = Math.max(0, step.at().toMillis() - clock.millisNow());
            thread.schedule(() -> apply(step), delay, TimeUnit.MILLISECONDS);
        }
    }

    private void apply(ChaosAction step) {
        long at = clock.millisNow();
        announce.accept(step.verb().word() + " " + step.node());
        String error = null;
        try {
            executor.execute(step.verb(), step.node());
        } catch (Exception e) {
            error = e.toString();
        }
        log.add(new FaultLog.Fault(step.toString(), step.verb().word(), step.node(), at, clock.millisNow() - at, error));
    }

    /** Waits for the steps already due (a restart in progress) for at most {@code timeout}, then stops. */
    @Override
    public void close() throws InterruptedException {
        thread.shutdown();
        if (!thread.awaitTermination(Duration.ofSeconds(150).toMillis(), TimeUnit.MILLISECONDS)) {
            thread.shutdownNow();
        }
    }

    /** Steps not run yet are dropped: used when the run ends early. */
    public void cancelPending() {
        thread.shutdownNow();
    }
}
