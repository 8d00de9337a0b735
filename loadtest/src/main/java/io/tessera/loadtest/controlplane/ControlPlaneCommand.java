package io.tessera.loadtest.controlplane;

import io.tessera.loadtest.harness.chaos.ChaosSchedule;
import io.tessera.loadtest.harness.measure.ProcessSampler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The control-plane benchmark on the command line; {@code --help} explains every option. */
@Command(name = "tessera-control-plane-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures the control plane of a running Tessera cluster, without media: at each concurrency "
                + "level, session creates, connection (token) creates, WebSocket open + joinRoom, leaves and session "
                + "deletes, spread over the masters, in closed loop (fixed concurrency) or at a fixed offered rate "
                + "(--rate). Per operation: throughput, p50/p99/max latency and the CPU the nodes spent per "
                + "operation, by role (per thread from /proc/<pid>/task): total, work (without the JIT compilers "
                + "and the collector) and marginal (work less the idle floor measured after the warm-up). "
                + "Writes control-plane.json.", ""},
        footer = {"", "Example (local cluster started with bin/cluster start --no-demo):",
                "  tessera-control-plane-bench -c 32 -s 100 -p 5 -w 50 --local-cluster bin/cluster",
                "  tessera-control-plane-bench -c 32 -s 100 -p 5 --rate 30 --local-cluster bin/cluster"})
public final class ControlPlaneCommand implements Callable<Integer> {
    public static final String RESULT_FILE = "control-plane.json";

    @Option(names = "--masters", split = ",",
            defaultValue = "http://127.0.0.1:4443,http://127.0.0.1:4444,http://127.0.0.1:4445",
            description = "HTTP base URLs of the masters, comma separated. Default: ${DEFAULT-VALUE}")
    List<URI> masters;

    @Option(names = "--secret", defaultValue = "${env:TESSERA_SECRET:-MY_SECRET}",
            description = "The REST secret (user OPENVIDUAPP). Default: $TESSERA_SECRET, else MY_SECRET.")
    String secret;

    @Option(names = {"-c", "--concurrency"}, split = ",", defaultValue = "4,8,32",
            description = "Concurrency levels, each a full round of the seven phases (eight with --fresh-joins). Default: ${DEFAULT-VALUE}")
    List<Integer> concurrency;

    @Option(names = {"-s", "--sessions"}, defaultValue = "200", description = "Sessions per level. Default: ${DEFAULT-VALUE}")
    int sessions;

    @Option(names = {"-p", "--participants"}, defaultValue = "5",
            description = "Participants per session, at least 2 (tokens and joins; all but the last leave, the delete evicts it). Default: ${DEFAULT-VALUE}")
    int participants;

    @Option(names = {"-w", "--warmup"}, defaultValue = "50",
            description = "Sessions of each warm-up round (not measured, first concurrency level). Default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--warmup-rounds", defaultValue = "40",
            description = "Warm-up rounds (each all the phases over -w sessions) before the idle window, so the JIT "
                    + "can settle: after 12 a media node's C2 still compiles about 1 ms per join, after 40 about "
                    + "0.1 (docs/BENCHMARKS.md \"Forty warm-up rounds\"). Default: ${DEFAULT-VALUE}")
    int warmupRounds;

    @Option(names = "--idle", defaultValue = "10s",
            description = "Idle window after the warm-up (and a 2 s pause): the nodes' CPU per second with no client, "
                    + "subtracted from each phase for the marginal CPU per operation. 0s: none. Default: ${DEFAULT-VALUE}")
    String idle;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "OPS_PER_SECOND",
            description = "Offered rate of every phase (open loop: operation i is due at start + i/rate, capped by "
                    + "the concurrency; latency counts from the due time). 0: closed loop. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(names = "--background", defaultValue = "0", paramLabel = "SESSIONS",
            description = "Sessions created after the warm-up and held through every level (deleted at the end), so "
                    + "that operations are measured in a cluster that already holds them. Default: ${DEFAULT-VALUE}")
    int backgroundSessions;

    @Option(names = "--background-tokens", defaultValue = "5", paramLabel = "PER_SESSION",
            description = "Pending tokens (connections nobody joins) of each background session, 0.."
                    + ControlPlaneConfig.MAX_BACKGROUND_TOKENS_PER_SESSION + ". Default: ${DEFAULT-VALUE}")
    int backgroundTokens;

    @Option(names = "--fresh-joins",
            description = "One more phase per level, freshJoin: a session and a token created through one master and "
                    + "joined at once through another (an application server and its client), so that the join's "
                    + "master may not have the records yet. Its sessions are deleted after the level, unmeasured.")
    boolean freshJoins;

    @Option(names = "--server-named-sessions",
            description = "Create the measured sessions without a customSessionId: the master names them and skips the "
                    + "existence check that a custom id costs (an ask of every other master), in the warm-up rounds "
                    + "too. Background sessions keep their custom ids.")
    boolean serverNamedSessions;

    @Option(names = "--live-heap",
            description = "Read every node's live heap with jcmd (GC.run, then GC.heap_info) before each measured level "
                    + "and after its creates, tokens, joins and deletes (once every socket closed), and print bytes per "
                    + "session, per token and per joined participant. The forced collections pause the nodes between "
                    + "phases: take CPU figures from a run without it.")
    boolean liveHeap;

    @Option(names = "--timeout", defaultValue = "10s", description = "Timeout of one operation. Default: ${DEFAULT-VALUE}")
    String timeout;

    @Option(names = "--local-cluster", paramLabel = "SCRIPT",
            description = "bin/cluster: read the node pids from its .cluster/run/*.pid files for the CPU figures.")
    Path clusterScript;

    @Spec
    CommandSpec spec;

    @Option(names = "--gc-logs", paramLabel = "DIR",
            description = "Directory of the nodes' GC logs, <node>.gc.log as bin/cluster writes them: every phase gets"
                    + " its nodes' GC pauses by role (count, longest, wall and CPU time). Default with --local-cluster:"
                    + " its .cluster/logs.")
    Path gcLogDir;

    @Option(names = "--pid-dir", description = "Directory of <node>.pid files (node names like master-1, media-2).")
    Path pidDir;

    @Option(names = {"-o", "--out"}, defaultValue = "target/control-plane",
            description = "Output directory for " + RESULT_FILE + ". Default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar (for logs and CI).")
    boolean noProgress;

    @Option(names = "--trace", description = "Also write, for every phase (warm-up included), when each operation "
            + "started and ended: <out>/trace/<operation>-<phase start, epoch ms>.csv (index, startMs, endMs, outcome).")
    boolean trace;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ControlPlaneCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        ControlPlaneConfig cfg = config();
        Path gcLogs = gcLogDirectory();
        if (gcLogDir != null && GcLog.inDirectory(gcLogDir).isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--gc-logs " + gcLogDir + ": no <node>" + GcLog.FILE_SUFFIX + " there");
        }
        ControlPlaneResult result;
        if (noProgress) {
            result = new ControlPlaneBenchmark(cfg, () -> { }, traceDir()).run();
        } else {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("control plane")
                    .setInitialMax(ControlPlaneBenchmark.plannedOperations(cfg)).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(500).build()) {
                result = new ControlPlaneBenchmark(cfg, bar::step, traceDir()).run();
            }
        }
        result = GcLog.withPauses(result, gcLogs);
        result.write(out.resolve(RESULT_FILE));
        System.out.print(result.table());
        System.out.println("result: " + out.resolve(RESULT_FILE).toAbsolutePath());
        boolean clean = java.util.stream.Stream.concat(result.levels().stream().flatMap(l -> l.phases().stream()),
                result.background().phases().stream()).allMatch(p -> p.errors() == 0);
        return clean ? 0 : 2;
    }

    /** --gc-logs, else bin/cluster's log directory with --local-cluster, else null (no GC pauses). */
    private Path gcLogDirectory() {
        if (gcLogDir != null || clusterScript == null) {
            return gcLogDir;
        }
        return clusterState().resolve("logs");
    }

    /** bin/cluster's state directory, {@code .cluster} at the root of the checkout that holds the script. */
    private Path clusterState() {
        return clusterScript.toAbsolutePath().getParent().getParent().resolve(".cluster");
    }

    private Path traceDir() {
        return trace ? out.resolve("trace") : null;
    }

    ControlPlaneConfig config() {
        Path pids = pidDir;
        if (pids == null && clusterScript != null) {
            pids = clusterState().resolve("run");
        }
        String runName = "cp-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        try {
            return new ControlPlaneConfig(runName, masters, secret, concurrency, sessions, participants, warmupRounds,
                    warmup, ChaosSchedule.duration(idle), rate, ChaosSchedule.duration(timeout),
                    pids == null ? Map::of : ProcessSampler.pidFiles(pids),
                    new ControlPlaneConfig.Background(backgroundSessions,
                            backgroundSessions == 0 ? 0 : backgroundTokens),
                    freshJoins, serverNamedSessions, liveHeap);
        } catch (IllegalArgumentException e) {
            // A value out of its bounds (-p 1, a background too large): the usage error with the bound, exit 2.
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
