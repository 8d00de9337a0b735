package io.tessera.it;

import static org.awaitility.Awaitility.await;

import io.tessera.client.rest.ClusterView;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.SessionProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's figure: how long masters that all came back at once take to rebuild the routing table from the media
 * nodes, for growing numbers of sessions. 3 masters + 2 media nodes; sessions are created through REST (spread over
 * the masters, 16 at a time) until the cluster holds each size of {@code -Dtessera.rebuild.sizes} (default
 * {@code 10,1000}); then, {@code -Dtessera.rebuild.runs} times (default 3), every master is killed (kill -9) and
 * started again, and the benchmark records: relaunch to the first master ready (readiness waits for the rebuild),
 * the rebuild's own time from its log line ("routing table rebuilt in N ms", from Up to written), and relaunch until
 * every master's routing table holds every session ({@code GET /cluster} {@code routing.sessions}).
 *
 * <p>A benchmark, not a test (JUnit tag {@code benchmark}, excluded from the default run): {@code mvn -B -ntp -pl
 * cluster-it -am verify -Dgroups=benchmark -Dit.excludedGroups=none -Dtest=RoutingRebuildBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtessera.rebuild.sizes=10,1000,10000}. Results go to {@code target/benchmarks/routing-rebuild.json}.
 */
@Tag("benchmark")
class RoutingRebuildBenchmark {
    private static final Pattern REBUILT = Pattern.compile("routing table rebuilt in (\\d+) ms from (\\d+) media node\\(s\\): (\\d+) session");
    private static final Duration BACK = Duration.ofMinutes(5);

    @Test
    void rebuildTimeBySessionCount() throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("tessera.rebuild.sizes", "10,1000").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).sorted().toArray();
        int runs = Integer.getInteger("tessera.rebuild.runs", 3);
        String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        Map<String, Object> report = new LinkedHashMap<>();
        try (ClusterProcesses cluster = ClusterProcesses.start("RoutingRebuildBenchmark", 3, 2,
                Map.of("TESSERA_MAX_SESSIONS", Integer.toString(sizes[sizes.length - 1])))) {
            cluster.awaitReady(Duration.ofSeconds(120));
            AtomicInteger created = new AtomicInteger();
            for (int size : sizes) {
                long t0 = System.nanoTime();
                createUpTo(cluster, size, created, run);
                double createSeconds = (System.nanoTime() - t0) / 1e9;
                List<Map<String, Object>> samples = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    samples.add(killAndRebuild(cluster, size));
                    System.out.println("BENCH rebuild sessions=" + size + " run=" + (r + 1) + " " + samples.get(r));
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("sessions", size);
                entry.put("createSeconds", createSeconds);
                entry.put("runs", samples);
                report.put("sessions-" + size, entry);
            }
            report.put("loadAverage", Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        }
        MeasuredResults.write("routing-rebuild", report);
    }

    private static void createUpTo(ClusterProcesses cluster, int size, AtomicInteger created, String run)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            while (created.get() < size) {
                int i = created.getAndIncrement();
                MasterRestClient rest = cluster.rest(cluster.masters().get(i % cluster.masters().size()));
                futures.add(pool.submit(() -> {
                    rest.createSession(SessionProperties.withId("rb-" + run + "-" + i)
                            .priority(i % 4 == 0 ? "protected" : "best-effort"));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, Object> killAndRebuild(ClusterProcesses cluster, int size) throws Exception {
        Map<ClusterProcesses.Node, Long> logSizes = new LinkedHashMap<>();
        for (ClusterProcesses.Node m : cluster.masters()) {
            cluster.kill(m);
            logSizes.put(m, Files.size(m.log()));
        }
        long relaunched = System.nanoTime();
        cluster.masters().forEach(cluster::relaunch);
        long[] firstReady = {0};
        await("a master ready").atMost(BACK).pollInterval(Duration.ofMillis(50)).until(() -> {
            boolean any = cluster.masters().stream().anyMatch(m -> cluster.probe(m, "/health/ready").startsWith("200"));
            firstReady[0] = System.nanoTime();
            return any;
        });
        await("every master routes every session").atMost(BACK).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.masters().stream().allMatch(m -> routed(cluster, m) >= size));
        long allRouted = System.nanoTime();
        List<Long> rebuildMillis = new ArrayList<>();
        List<Long> written = new ArrayList<>();
        for (var e : logSizes.entrySet()) {
            byte[] all = Files.readAllBytes(e.getKey().log());
            String since = new String(all, (int) Math.min(all.length, e.getValue()), (int) Math.max(0,
                    all.length - e.getValue()), java.nio.charset.StandardCharsets.UTF_8);
            Matcher m = REBUILT.matcher(since);
            if (m.find()) {
                rebuildMillis.add(Long.parseLong(m.group(1)));
                written.add(Long.parseLong(m.group(3)));
            }
        }
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("relaunchToFirstReadyMs", (firstReady[0] - relaunched) / 1e6);
        sample.put("relaunchToAllRoutedOnEveryMasterMs", (allRouted - relaunched) / 1e6);
        sample.put("rebuildMsPerMaster", rebuildMillis);
        sample.put("sessionsWrittenPerMaster", written);
        return sample;
    }

    private static int routed(ClusterProcesses cluster, ClusterProcesses.Node master) {
        try {
            ClusterView view = cluster.rest(master).clusterView();
            return view.routedSessions();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
