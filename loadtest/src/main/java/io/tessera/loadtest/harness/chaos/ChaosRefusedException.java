package io.tessera.loadtest.harness.chaos;

/** A chaos schedule the executor cannot apply (network faults on a cluster not behind the partition proxy). */
public final class ChaosRefusedException extends IllegalStateException {
    public ChaosRefusedException(String message) {
        super(message);
    }
}
