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
}
