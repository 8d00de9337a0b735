package io.tessera.master.placement;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.ForwardingRoutes;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.webhook.Webhooks;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * Time from a media node's failure (the coordinator told {@code Failed}) to every one of its sessions placed, in one
 * JVM with scripted latencies: each survivor answers {@code HostSession} after {@value #HOST_MILLIS} ms and each route
 * write takes {@value #WRITE_MILLIS} ms (the create p50 of FoundationBenchmark is ~25 ms for HostSession plus a
 * majority write on loopback; the issue measured 100-250 ms per session in the cluster). Compares one session in
 * flight at a time (how recovery worked before batches) with the default bound.
 *
 * <p>A benchmark, not a test: it prints and asserts nothing about time. Run with
 * {@code mvn -B -ntp -pl master-node -am verify -Dtest=MediaFailoverBenchmark -Dtessera.benchmark=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "tessera.benchmark", matches = "true")
class MediaFailoverBenchmark {
    private static final long HOST_MILLIS = 75;
    private static final long WRITE_MILLIS = 25;
    private static final int SESSIONS = 100;
    private static final int RUNS = 5;
    static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.enabled = off
                pekko.log-dead-letters = off
                """).withFallback(ConfigFactory.load()));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void recoveryTime() {
        for (int inFlight : new int[]{1, MediaFailover.MAX_PLACEMENTS_IN_FLIGHT}) {
            double[] all = new double[RUNS];
            double[] protectedOnes = new double[RUNS];
            for (int run = 0; run < RUNS + 1; run++) { // the first run warms up
                double[] times = recover(inFlight, run);
                if (run > 0) {
                    all[run - 1] = times[0];
                    protectedOnes[run - 1] = times[1];
                }
            }
            Arrays.sort(all);
            Arrays.sort(protectedOnes);
            System.out.printf("BENCH failover sessions=%d inFlight=%d runs=%d all placed ms: min %.0f median %.0f max %.0f;"
                            + " protected placed ms: median %.0f%n", SESSIONS, inFlight, RUNS, all[0], all[RUNS / 2],
                    all[RUNS - 1], protectedOnes[RUNS / 2]);
        }
    }

    /** Milliseconds to all placed, and to all protected placed. */
    private double[] recover(int inFlight, int run) {
        TestMediaNodes nodes = new TestMediaNodes();
        for (String id : List.of("a", "b", "c")) {
            nodes.report("media-" + run + "-" + id, testKit.spawn(slowNode()), "running", 20, 200);
        }
        InMemoryRoutes memory = new InMemoryRoutes();
        List<String> protectedIds = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            String priority = i % 4 == 0 ? "protected" : "best-effort";
            if (i % 4 == 0) {
                protectedIds.add("s" + i);
            }
            memory.createSession(new SessionRecord("s" + i, i, "dead", 1, priority, "s" + i, "ROUTED", "MANUAL",
                    "VP8", false, null));
        }
        ActorRef<MediaFailover.Command> failover = testKit.spawn(MediaFailover.create(new SlowWrites(memory),
                nodes.view(), new PlacementPolicy(3000), new MediaNodeClient(testKit.system(), Duration.ofSeconds(10)),
                1, Webhooks.noop(), new PlacementMeters(new SimpleMeterRegistry()), inFlight));
        long t0 = System.nanoTime();
        failover.tell(new MediaFailover.Failed("dead", "127.0.0.9"));
        double[] protectedAt = {-1};
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(5)).until(() -> {
            List<SessionRecord> left = memory.allSessions().toCompletableFuture().join().stream()
                    .filter(s -> s.mediaNodeId().equals("dead")).toList();
            if (protectedAt[0] < 0 && left.stream().noneMatch(s -> protectedIds.contains(s.sessionId()))) {
                protectedAt[0] = (System.nanoTime() - t0) / 1e6;
            }
            return left.isEmpty();
        });
        double allAt = (System.nanoTime() - t0) / 1e6;
        testKit.stop(failover);
        return new double[]{allAt, protectedAt[0]};
    }

    /** A session manager that acknowledges {@code HostSession} after the scripted latency. */
    private static Behavior<MediaNodeProtocol.Command> slowNode() {
        return Behaviors.setup(ctx -> Behaviors.receive(MediaNodeProtocol.Command.class)
                .onMessage(MediaNodeProtocol.HostSession.class, host -> {
                    ctx.scheduleOnce(Duration.ofMillis(HOST_MILLIS), host.replyTo(), MediaNodeProtocol.Ack.success());
                    return Behaviors.same();
                }).build());
    }

    /** In-memory routes whose session moves take the scripted write latency (one per write call, as a majority write). */
    private static final class SlowWrites extends ForwardingRoutes {
        private final InMemoryRoutes memory;

        SlowWrites(InMemoryRoutes memory) {
            this.memory = memory;
        }

        @Override
        protected Routes delegate() {
            return memory;
        }

        private static final Executor LATER = CompletableFuture.delayedExecutor(WRITE_MILLIS, TimeUnit.MILLISECONDS);

        private static <T> CompletionStage<T> later(CompletionStage<T> value) {
            return CompletableFuture.supplyAsync(() -> null, LATER).thenCompose(x -> value);
        }

        @Override
        public CompletionStage<Optional<SessionRecord>> relocateSession(String id, String from, String to) {
            return later(CompletableFuture.completedFuture(null)).thenCompose(x -> memory.relocateSession(id, from, to));
        }

        @Override
        public CompletionStage<java.util.Map<String, SessionRecord>> relocateSessions(List<Relocation> moves) {
            // One write for the batch: the routing table writes one majority update per shard, all at once.
            return later(CompletableFuture.completedFuture(null)).thenCompose(x -> memory.relocateSessions(moves));
        }
    }
}
