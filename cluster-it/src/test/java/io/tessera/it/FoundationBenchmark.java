package io.tessera.it;

import io.tessera.client.SignallingClient;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.SessionProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Measures the foundation on a real local cluster (3 masters, 2 media nodes, all on this machine): session create
 * latency, joinRoom latency, and how long a session created through one master takes to reach the local replica of
 * both other masters (CRDT convergence, read with local reads only through {@code /cluster}).
 *
 * A benchmark, not a test: it asserts only that every operation succeeded, prints percentiles and writes them to
 * {@code target/benchmarks/foundation.json}. Excluded from the default build; run it with
 * {@code mvn -B -ntp -pl cluster-it -am verify -Dgroups=benchmark -Dit.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class FoundationBenchmark {
    private static final int CREATES = 300;
    private static final int SESSIONS_FOR_JOINS = 100;
    private static final int PARTICIPANTS_PER_SESSION = 3;
    private static final int CONVERGENCE_SAMPLES = 50;

    @Test
    void measure() throws Exception {
        long startNanos = System.nanoTime();
        try (ClusterProcesses cluster = ClusterProcesses.start("FoundationBenchmark", 3, 2)) {
            cluster.awaitReady(java.time.Duration.ofSeconds(120));
            double readySeconds = (System.nanoTime() - startNanos) / 1e9;
            ClusterProcesses.Node a = cluster.masters().get(0);
            ClusterProcesses.Node b = cluster.masters().get(1);
            ClusterProcesses.Node c = cluster.masters().get(2);
            MasterRestClient restA = cluster.rest(a);
            String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

            // Warm up the JIT and the connections so that the first samples measure Tessera, not class loading.
            for (int i = 0; i < 50; i++) {
                restA.createSession(new SessionProperties(null, null, null));
            }

            double[] create = new double[CREATES];
            for (int i = 0; i < CREATES; i++) {
                long t0 = System.nanoTime();
                restA.createSession("bench-" + run + "-" + i);
                create[i] = (System.nanoTime() - t0) / 1e6;
            }

            double[] convergence = new double[CONVERGENCE_SAMPLES];
            for (int i = 0; i < CONVERGENCE_SAMPLES; i++) {
                int before = Math.max(sessionCount(cluster.rest(b)), sessionCount(cluster.rest(c)));
                long t0 = System.nanoTime();
                restA.createSession(new SessionProperties(null, null, null));
                while (sessionCount(cluster.rest(b)) <= before || sessionCount(cluster.rest(c)) <= before) {
                    if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(10)) {
                        throw new AssertionError("session did not reach both other masters within 10 s");
                    }
                    Thread.onSpinWait();
                }
                convergence[i] = (System.nanoTime() - t0) / 1e6;
            }

            List<Double> joins = new ArrayList<>();
            List<SignallingClient> clients = new ArrayList<>();
            try {
                for (int s = 0; s < SESSIONS_FOR_JOINS; s++) {
                    String sessionId = restA.createSession(new SessionProperties(null, null, null)).sessionId();
                    for (int p = 0; p < PARTICIPANTS_PER_SESSION; p++) {
                        String token = restA.createConnection(sessionId, new ConnectionProperties(null, null, null)).token();
                        // Join through the other masters, as a load balancer would spread clients.
                        ClusterProcesses.Node through = p % 2 == 0 ? b : c;
                        SignallingClient client = SignallingClient.connect(through.webSocketUri());
                        clients.add(client);
                        long t0 = System.nanoTime();
                        client.joinRoom(token, "{}").get(10, TimeUnit.SECONDS);
                        joins.add((System.nanoTime() - t0) / 1e6);
                    }
                }
            } finally {
                clients.forEach(SignallingClient::close);
            }
            double[] join = joins.stream().mapToDouble(Double::doubleValue).toArray();

            String json = String.format(java.util.Locale.ROOT,
                    "{\"clusterReadySeconds\":%.1f,%n \"sessionCreateMs\":%s,%n \"joinRoomMs\":%s,%n \"crdtConvergenceToAllMastersMs\":%s}%n",
                    readySeconds, percentiles(create), percentiles(join), percentiles(convergence));
            Path out = Path.of("target", "benchmarks", "foundation.json");
            Files.createDirectories(out.getParent());
            Files.writeString(out, json);
            System.out.println("FoundationBenchmark results:\n" + json);
        }
    }

    private static int sessionCount(MasterRestClient rest) throws IOException, InterruptedException {
        return rest.clusterView().routedSessions();
    }

    private static String percentiles(double[] samples) {
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return String.format(java.util.Locale.ROOT, "{\"n\":%d,\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f}",
                sorted.length, at(sorted, 0.50), at(sorted, 0.90), at(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static double at(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
