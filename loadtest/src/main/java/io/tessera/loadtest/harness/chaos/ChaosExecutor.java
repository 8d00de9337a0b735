package io.tessera.loadtest.harness.chaos;

/**
 * Applies one fault to one node. The harness ships one for {@code bin/cluster} and one for a hook command; a test
 * injects its own (e.g. one that kills a process it started).
 */
@FunctionalInterface
public interface ChaosExecutor {
    /**
     * Does {@code verb} to {@code node} and returns when it is done (a kill has killed). Throws if it failed.
     */
    void execute(ChaosAction.Verb verb, String node) throws Exception;

    /**
     * Throws {@link ChaosRefusedException}, with a message saying why, when this executor cannot apply the schedule
     * (network faults on a cluster not behind the partition proxy); called before the load starts, so a run is not
     * wasted on a fault that fails.
     */
    default void checkCanRun(ChaosSchedule schedule) throws Exception {
    }
}
