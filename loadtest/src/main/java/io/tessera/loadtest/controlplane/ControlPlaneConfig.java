package io.tessera.loadtest.controlplane;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One control-plane benchmark run: at each concurrency level, {@code sessions} sessions with
 * {@code participantsPerSession} participants each go through create, token, join, leave and delete, one phase per
 * operation, after {@code warmupRounds} warm-up rounds of {@code warmupSessions} sessions each that are not measured
 * and an idle window of {@code idle} with no client (the nodes' idle CPU rate, see {@link IdleFloor}).
 *
 * @param ratePerSecond offered rate of every phase, operations per second (open loop, see {@link PhaseRunner});
 *                      0: closed loop
 * @param pids          node name to pid, read before and after each phase for the CPU per role; empty map: no CPU
 *                      figures
 * @param background    sessions (and pending tokens) created after the warm-up and held through the measured levels,
 *                      so that the operations are measured in a cluster that already holds them; deleted at the end
 * @param freshJoins    one more phase per level, {@code freshJoin}, as many operations as the level's joins: a new
 *                      session and a token created through one master and joined at once through another, as an
 *                      application server and its client do
 * @param serverNamedSessions the sessions of every round (warm-up and measured) are created without a
 *                      {@code customSessionId}, so the master names them and skips the existence check that a custom
 *                      id needs (the background sessions keep their custom ids)
 * @param liveHeap      read every node's live heap (a forced full collection, {@link LiveHeap}) before each measured
 *                      level, after its creates, tokens and joins, and after its deletes once every socket closed;
 *                      the collections pause the nodes between phases, so the run's CPU figures are not comparable
 *                      with those of a run without
 */
public record ControlPlaneConfig(String runName, List<URI> masters, String secret, List<Integer> concurrency,
                                 int sessions, int participantsPerSession, int warmupRounds, int warmupSessions,
                                 Duration idle, double ratePerSecond, Duration operationTimeout,
                                 Supplier<Map<String, Long>> pids, Background background, boolean freshJoins,
                                 boolean serverNamedSessions, boolean liveHeap) {
    /** Bounds that keep one run's sockets, threads and memory within what one machine holds. */
    public static final int MAX_CONCURRENCY = 256;
    public static final int MAX_PARTICIPANTS = 20_000;
    public static final int MAX_WARMUP_ROUNDS = 100;
    public static final double MAX_RATE = 10_000;
    public static final Duration MAX_IDLE = Duration.ofMinutes(10);
    /** A master's replica holds every session and connection: 20 000 sessions and 100 000 tokens fit its heap. */
    public static final int MAX_BACKGROUND_SESSIONS = 20_000;
    public static final int MAX_BACKGROUND_TOKENS_PER_SESSION = 5;

    /**
     * What the cluster holds while the levels are measured: {@code sessions} sessions, each with
     * {@code tokensPerSession} connections that stay pending (a token, no socket: a record in the routing table).
     */
    public record Background(int sessions, int tokensPerSession) {
        public static final Background NONE = new Background(0, 0);

        public Background {
            if (sessions < 0 || sessions > MAX_BACKGROUND_SESSIONS) {
                throw new IllegalArgumentException("background sessions must be 0.." + MAX_BACKGROUND_SESSIONS
                        + ", were " + sessions);
            }
            if (tokensPerSession < 0 || tokensPerSession > MAX_BACKGROUND_TOKENS_PER_SESSION) {
                throw new IllegalArgumentException("background tokens per session must be 0.."
                        + MAX_BACKGROUND_TOKENS_PER_SESSION + ", were " + tokensPerSession);
            }
        }

        public int tokens() {
            return sessions * tokensPerSession;
        }
    }

    public ControlPlaneConfig {
        java.util.Objects.requireNonNull(background, "background (Background.NONE for none)");
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
        if (warmupRounds < 0 || warmupRounds > MAX_WARMUP_ROUNDS) {
            throw new IllegalArgumentException("warm-up rounds must be 0.." + MAX_WARMUP_ROUNDS + ", were "
                    + warmupRounds);
        }
        if (idle.isNegative() || idle.compareTo(MAX_IDLE) > 0) {
            throw new IllegalArgumentException("the idle window must be 0.." + MAX_IDLE + ", was " + idle);
        }
        if (!(ratePerSecond >= 0 && ratePerSecond <= MAX_RATE)) {
            throw new IllegalArgumentException("the rate must be 0 (closed loop) or up to " + MAX_RATE
                    + " operations per second, was " + ratePerSecond);
        }
        if ((long) sessions * participantsPerSession > MAX_PARTICIPANTS) {
            throw new IllegalArgumentException("sessions x participants must be at most " + MAX_PARTICIPANTS
                    + " (each participant holds a WebSocket until its leave), was " + sessions * participantsPerSession);
        }
    }

    /** Without a background: the cluster holds only what each level creates. */
    public ControlPlaneConfig(String runName, List<URI> masters, String secret, List<Integer> concurrency,
                              int sessions, int participantsPerSession, int warmupRounds, int warmupSessions,
                              Duration idle, double ratePerSecond, Duration operationTimeout,
                              Supplier<Map<String, Long>> pids) {
        this(runName, masters, secret, concurrency, sessions, participantsPerSession, warmupRounds, warmupSessions,
                idle, ratePerSecond, operationTimeout, pids, Background.NONE, false, false, false);
    }

    /** With a background, without the fresh joins. */
    public ControlPlaneConfig(String runName, List<URI> masters, String secret, List<Integer> concurrency,
                              int sessions, int participantsPerSession, int warmupRounds, int warmupSessions,
                              Duration idle, double ratePerSecond, Duration operationTimeout,
                              Supplier<Map<String, Long>> pids, Background background) {
        this(runName, masters, secret, concurrency, sessions, participantsPerSession, warmupRounds, warmupSessions,
                idle, ratePerSecond, operationTimeout, pids, background, false, false, false);
    }

    public int participants() {
        return sessions * participantsPerSession;
    }
}
