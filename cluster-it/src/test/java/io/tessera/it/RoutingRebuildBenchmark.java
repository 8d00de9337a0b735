package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.client.rest.ClusterView;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestResponse;
import io.tessera.client.rest.Session;
import io.tessera.client.rest.SessionProperties;
import io.tessera.loadtest.controlplane.LiveHeap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's figure: how long masters that all came back at once take to rebuild the routing table from the media
 * nodes, for growing numbers of sessions. 3 masters + 2 media nodes; sessions are real media-node sessions created
 * through REST (placement, {@code HostSession} on a media node, the majority write), spread over the three masters,
 * {@code -Dtessera.rebuild.createConcurrency} at a time (default 48), until the cluster holds each size of
 * {@code -Dtessera.rebuild.sizes} (default {@code 10,1000}). Then, {@code -Dtessera.rebuild.runs} times (default 3),
 * every master is killed (kill -9) and started again, and the benchmark records: relaunch to the first master ready
 * (readiness waits for the rebuild), first ready to every master's routing table holding every session
 * ({@code GET /cluster} {@code routing.sessions}), and the rebuild's own time from each master's log line ("routing
 * table rebuilt in N ms", from Up to written). After each run, outside the timing, every master must list exactly the
 * sessions created ({@code GET /sessions}); no master may have logged an ALERT (rebuild bound hit) or run out of
 * memory. The nodes' heap in use and GC time are read from {@code /metrics} after each size, and the heap in use
 * right after a forced full GC at 0 sessions, after each size's creation, and after its runs.
 * {@code -Dtessera.rebuild.timeout=120s} sets the masters' {@code TESSERA_REBUILD_TIMEOUT} (default: theirs).
 *
 * <p>A benchmark, not a test (JUnit tag {@code benchmark}, excluded from the default run): {@code mvn -B -ntp -pl
 * cluster-it -am verify -Dgroups=benchmark -Dit.excludedGroups=none -Dtest=RoutingRebuildBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtessera.rebuild.sizes=10,1000,10000}. Results go to {@code target/benchmarks/routing-rebuild.json}.
 */
@Tag("benchmark")
class RoutingRebuildBenchmark {
    private static final Pattern REBUILT = Pattern.compile("routing table rebuilt in (\\d+) ms from (\\d+) media node\\(s\\): (\\d+) session");
    private static final Pattern TROUBLE = Pattern.compile(".*(ALERT routing table|ALERT rebuilding|OutOfMemoryError).*");
    private static final Duration BACK = Duration.ofMinutes(5);

    @Test
    void rebuildTimeBySessionCount() throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("tessera.rebuild.sizes", "10,1000").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).sorted().toArray();
        int runs = Integer.getInteger("tessera.rebuild.runs", 3);
        int concurrency = Integer.getInteger("tessera.rebuild.createConcurrency", 48);
        String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("loadAverageAtStart", loadAverage());
        report.put("createConcurrency", concurrency);
        // Every node may host all sessions: placement then spreads them by load over both media nodes.
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TESSERA_MAX_SESSIONS", Integer.toString(sizes[sizes.length - 1]));
        // The masters' default bound unless asked otherwise (to see how long a rebuild takes past the default).
        String timeout = System.getProperty("tessera.rebuild.timeout");
        if (timeout != null) {
            env.put("TESSERA_REBUILD_TIMEOUT", timeout);
        }
        report.put("rebuildTimeout", timeout == null ? "default" : timeout);
        try (ClusterProcesses cluster = ClusterProcesses.start("RoutingRebuildBenchmark", 3, 2, env)) {
            cluster.awaitReady(Duration.ofSeconds(120));
            report.put("heapAfterGcBytesAt0", heapAfterGc(cluster));
            System.out.println("BENCH rebuild heap after GC at 0 sessions " + report.get("heapAfterGcBytesAt0"));
            Set<String> created = ConcurrentHashMap.newKeySet();
            for (int size : sizes) {
                long t0 = System.nanoTime();
                createUpTo(cluster, size, created, run, concurrency);
                double createSeconds = (System.nanoTime() - t0) / 1e9;
                System.out.println("BENCH rebuild sessions=" + size + " created in " + createSeconds + " s");
                Map<String, Long> heapAfterCreate = heapAfterGc(cluster);
                System.out.println("BENCH rebuild sessions=" + size + " heap after GC " + heapAfterCreate);
                List<Map<String, Object>> samples = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    samples.add(killAndRebuild(cluster, created));
                    System.out.println("BENCH rebuild sessions=" + size + " run=" + (r + 1) + " " + samples.get(r));
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("sessions", size);
                entry.put("createSeconds", createSeconds);
                entry.put("runs", samples);
                entry.put("heapAfterGcBytesAfterCreate", heapAfterCreate);
                entry.put("nodesAfterRuns", nodeMemory(cluster));
                entry.put("heapAfterGcBytesAfterRuns", heapAfterGc(cluster));
                entry.put("loadAverageAfterRuns", loadAverage());
                System.out.println("BENCH rebuild sessions=" + size + " nodes " + entry.get("nodesAfterRuns")
                        + " load " + entry.get("loadAverageAfterRuns"));
                report.put("sessions-" + size, entry);
                MeasuredResults.write("routing-rebuild", report);
            }
        }
        MeasuredResults.write("routing-rebuild", report);
        // Asserted last, so that the figures of a run that hit the bound are still written.
        assertEquals(List.of(), report.entrySet().stream().filter(e -> e.getKey().startsWith("sessions-"))
                        .map(Map.Entry::getValue).map(Map.class::cast)
                        .flatMap(size -> ((List<?>) size.get("runs")).stream()).map(Map.class::cast)
                        .flatMap(sample -> ((List<?>) sample.get("alerts")).stream()).toList(),
                "no master may hit the rebuild bound or run out of memory");
    }

    private static void createUpTo(ClusterProcesses cluster, int size, Set<String> created, String run,
                                   int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = created.size(); i < size; i++) {
                String id = "rb-" + run + "-" + i;
                int n = i;
                MasterRestClient rest = cluster.rest(cluster.masters().get(i % cluster.masters().size()));
                futures.add(pool.submit(() -> {
                    rest.createSession(SessionProperties.withId(id).priority(n % 4 == 0 ? "protected" : "best-effort"));
                    created.add(id);
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

    private static Map<String, Object> killAndRebuild(ClusterProcesses cluster, Set<String> created) throws Exception {
        int size = created.size();
        Map<ClusterProcesses.Node, Long> logSizes = new LinkedHashMap<>();
        Map<ClusterProcesses.Node, Long> mediaBefore = new LinkedHashMap<>();
        for (ClusterProcesses.Node n : cluster.mediaNodes()) {
            mediaBefore.put(n, Files.size(n.log()));
        }
        for (ClusterProcesses.Node m : cluster.masters()) {
            cluster.kill(m);
            logSizes.put(m, Files.size(m.log()));
        }
        // The media nodes must have seen the old masters go before the new ones come: relaunched at once, master-1
        // (the first seed) could form a cluster of its own before a media node's answer reached it (seen once, with
        // every media node then downing itself after masterless-limit). AllMastersLostTest waits 10 s likewise.
        try {
            awaitMediaNodesSawTheMastersGo(cluster, mediaBefore);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("BENCH rebuild: not every media node logged every master unreachable in 30 s; relaunching");
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
        await("every master ready").atMost(BACK).pollInterval(Duration.ofMillis(200)).until(() ->
                cluster.masters().stream().allMatch(m -> cluster.probe(m, "/health/ready").startsWith("200")));

        Set<String> expected = new TreeSet<>(created);
        List<Long> rebuildMillis = new ArrayList<>();
        List<Long> written = new ArrayList<>();
        List<String> trouble = new ArrayList<>();
        for (var e : logSizes.entrySet()) {
            assertEquals(expected, listedBy(cluster, e.getKey()), e.getKey().id() + " must list every session");
            String since = since(e.getKey().log(), e.getValue());
            Matcher m = REBUILT.matcher(since);
            if (m.find()) {
                rebuildMillis.add(Long.parseLong(m.group(1)));
                written.add(Long.parseLong(m.group(3)));
            }
            since.lines().filter(l -> TROUBLE.matcher(l).matches()).forEach(l -> trouble.add(e.getKey().id() + ": " + l));
        }
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("relaunchToFirstReadyMs", (firstReady[0] - relaunched) / 1e6);
        sample.put("firstReadyToAllRoutedOnEveryMasterMs", (allRouted - firstReady[0]) / 1e6);
        sample.put("relaunchToAllRoutedOnEveryMasterMs", (allRouted - relaunched) / 1e6);
        sample.put("rebuildMsPerMaster", rebuildMillis);
        sample.put("sessionsWrittenPerMaster", written);
        sample.put("alerts", trouble);
        return sample;
    }

    private static void awaitMediaNodesSawTheMastersGo(ClusterProcesses cluster,
                                                       Map<ClusterProcesses.Node, Long> mediaLogSizes) {
        await("the media nodes see every old master unreachable").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (var e : mediaLogSizes.entrySet()) {
                        String since = since(e.getKey().log(), e.getValue());
                        for (ClusterProcesses.Node m : cluster.masters()) {
                            if (!since.contains("UNREACHABLE [Member(pekko://tessera@" + m.host() + ":" + m.port())) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    private static String since(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(all.length, offset);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    private static Set<String> listedBy(ClusterProcesses cluster, ClusterProcesses.Node master) throws Exception {
        return cluster.rest(master).sessions().stream().map(Session::sessionId)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Per node: heap in use and committed (MiB), heap max, GC pauses so far (count, seconds). */
    private static Map<String, Object> nodeMemory(ClusterProcesses cluster) throws Exception {
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (ClusterProcesses.Node n : cluster.allNodes()) {
            RestResponse r = cluster.rest(n).withoutCredentials().send("GET", "/metrics");
            PrometheusText metrics = PrometheusText.parse(r.text());
            Map<String, String> heap = Map.of("area", "heap");
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("heapUsedMiB", Math.round(metrics.sum("jvm_memory_used_bytes", heap) / (1 << 20)));
            node.put("heapCommittedMiB", Math.round(metrics.sum("jvm_memory_committed_bytes", heap) / (1 << 20)));
            node.put("heapMaxMiB", Math.round(metrics.sum("jvm_memory_max_bytes", heap) / (1 << 20)));
            node.put("gcPauses", Math.round(metrics.sum("jvm_gc_pause_seconds_count", Map.of())));
            node.put("gcPauseSeconds", metrics.sum("jvm_gc_pause_seconds_sum", Map.of()));
            nodes.put(n.id(), node);
        }
        return nodes;
    }

    /**
     * Per node: heap in use right after a full GC forced with jcmd ({@link LiveHeap}: what stays live, not what the
     * collector has not reclaimed yet); -1 for a node that could not be read. The differences between session counts
     * give the heap per idle session (docs/BENCHMARKS.md).
     */
    private static Map<String, Long> heapAfterGc(ClusterProcesses cluster) throws InterruptedException {
        Map<String, Long> nodes = new LinkedHashMap<>();
        for (ClusterProcesses.Node n : cluster.allNodes()) {
            try {
                nodes.put(n.id(), LiveHeap.ofNode(n.id(), cluster.pid(n)));
            } catch (IOException | IllegalArgumentException e) {
                System.out.println("BENCH rebuild heap of " + n.id() + " not read: " + e.getMessage());
                nodes.put(n.id(), -1L);
            }
        }
        return nodes;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
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
