package io.tessera.loadtest.controlplane;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One control-plane benchmark run: at each concurrency level, {@code sessions} sessions with
 * {@code participantsPerSession} participants each go through create, token, join, leave and delete, one phase per
 * operation, after a warm-up round of {@code warmupSessions} sessions that is not measured.
 *
 * @param pids node name to pid, read before and after each phase for the CPU per role; empty map: no CPU figures
 */
public record ControlPlaneConfig(String runName, List<URI> masters, String secret, List<Integer> concurrency,
                                 int sessions, int participantsPerSession, int warmupSessions,
                                 Duration operationTimeout, Supplier<Map<String, Long>> pids) {
    /** Bounds that keep one run's sockets, threads and memory within what one machine holds. */
    public static final int MAX_CONCURRENCY = 256;
    public static final int MAX_PARTICIPANTS = 20_000;

    public ControlPlaneConfig {
        if (masters.isEmpty()) {
            throw new IllegalArgumentException("at least one master URL is needed");
        }
        if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1 || c > MAX_CONCURRENCY)) {
            throw new IllegalArgumentException("concurrency levels must be 1.." + MAX_CONCURRENCY + ", were "
                    + concurrency);
        }
        if (sessions < 1 || participantsPerSession < 2 || warmupSessions < 0) {
            throw new IllegalArgumentException("sessions must be at least 1, participants per session at least 2 (the "
                    + "last one stays for the delete), warm-up "
                    + "sessions at least 0");
        }
        if ((long) sessions * participantsPerSession > MAX_PARTICIPANTS) {
            throw new IllegalArgumentException("sessions x participants must be at most " + MAX_PARTICIPANTS
                    + " (each participant holds a WebSocket until its leave), was " + sessions * participantsPerSession);
        }
    }

    public int participants() {
        return sessions * participantsPerSession;
    }
}
