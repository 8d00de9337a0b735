package io.tessera.loadtest.harness;

import io.tessera.loadtest.harness.chaos.ChaosExecutor;
import io.tessera.loadtest.harness.chaos.ChaosRefusedException;
import io.tessera.loadtest.harness.chaos.ChaosSchedule;
import io.tessera.loadtest.harness.chaos.CommandChaosExecutor;
import io.tessera.loadtest.harness.measure.ProcessSampler;
import io.tessera.loadtest.harness.report.RunResult;
import io.tessera.loadtest.harness.scenario.BrowserPlan;
import io.tessera.loadtest.harness.scenario.HarnessConfig;
import io.tessera.loadtest.harness.scenario.MediaProfile;
import io.tessera.loadtest.harness.scenario.Progress;
import io.tessera.loadtest.harness.scenario.Topology;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load-test harness on the command line: drives a running Tessera cluster through the Java SDK, applies a
 * chaos schedule, and writes an HTML report and a JSON result. {@code --help} explains every option.
 */
@Command(name = "tessera-loadtest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drives a running Tessera cluster through the Java SDK: S sessions x P participants, K of them "
                + "publishing synthetic RTP, the rest subscribing; optional faults; writes report.html and "
                + "result.json.", ""},
        footer = {"", "Example (local cluster started with bin/cluster start --no-demo):",
                "  tessera-loadtest -s 10 -p 4 -k 1 --topology 1:n --duration 60s \\",
                "    --chaos kill:master-2@20s,freeze:master-3@35s+12s --local-cluster bin/cluster"})
public final class LoadTestCommand implements Callable<Integer> {

    @Option(names = "--masters", split = ",", defaultValue = "http://127.0.0.1:4443,http://127.0.0.1:4444,http://127.0.0.1:4445",
            description = "HTTP base URLs of the masters (or of a load balancer), comma separated. Sessions are created "
                    + "round-robin over them, participants connect round-robin with the others as failover URLs. "
                    + "Default: ${DEFAULT-VALUE}")
    List<URI> masters;

    @Option(names = "--secret", defaultValue = "${env:TESSERA_SECRET:-MY_SECRET}",
            description = "The REST secret (user OPENVIDUAPP). Default: $TESSERA_SECRET, else MY_SECRET (bin/cluster's). "
                    + "Never written to the report or the log.")
    String secret;

    @Option(names = {"-s", "--sessions"}, defaultValue = "10", description = "Sessions S. Default: ${DEFAULT-VALUE}")
    int sessions;

    @Option(names = {"-p", "--participants"}, defaultValue = "4",
            description = "Participants P per session. Default: ${DEFAULT-VALUE}")
    int participants;

    @Option(names = {"-k", "--publishers"}, defaultValue = "1",
            description = "Publishers K per session (participants 0..K-1 publish). Default: ${DEFAULT-VALUE}")
    int publishers;

    @Option(names = "--topology", defaultValue = "n:n",
            description = "n:n: every publisher is received by every other participant; 1:n: one publisher (K=1) "
                    + "received by all others. Default: ${DEFAULT-VALUE}")
    String topology;

    @Option(names = "--bitrate", defaultValue = "300",
            description = "Bitrate of each publisher, kbit/s. Packets/s = bitrate / 8 / packet size, rounded up. "
                    + "Default: ${DEFAULT-VALUE}")
    int bitrateKbps;

    @Option(names = "--packet-size", defaultValue = "1000",
            description = "RTP packet size in bytes (28..1400). Default: ${DEFAULT-VALUE}")
    int packetSize;

    @Option(names = "--join-rate", defaultValue = "20",
            description = "Joins started per second during the ramp. Default: ${DEFAULT-VALUE}")
    double joinRate;

    @Option(names = {"-d", "--duration"}, defaultValue = "60s",
            description = "Length of the run from the first join (ramp included), e.g. 90s or 2m. Chaos times count "
                    + "from the same instant. Default: ${DEFAULT-VALUE}")
    String duration;

    @Option(names = "--chaos", defaultValue = "",
            description = "Faults: verb:node@time[+hold], comma separated; verbs kill, freeze, thaw, restart; "
                    + "+hold (freeze only) thaws after that long; node 'masters' is every master at once (kill or "
                    + "restart). Network faults (cluster started with bin/cluster start --partitionable, else the "
                    + "run is refused before it starts): partition:<node>@T cuts a node off from every other node, "
                    + "cut:<from>-><to>@T one way, heal@T mends every link. Example: kill:master-2@20s,"
                    + "freeze:master-3@40s+12s,restart:media-1@60s,restart:masters@80s,partition:master-3@90s,"
                    + "heal@105s")
    String chaos;

    @Option(names = "--local-cluster", paramLabel = "SCRIPT",
            description = "Apply faults with this bin/cluster script (SCRIPT <verb> <node>) and sample CPU/RSS of the "
                    + "nodes from its .cluster/run/*.pid files.")
    Path clusterScript;

    @Option(names = "--chaos-hook", paramLabel = "TEMPLATE",
            description = "Apply faults with this shell command instead, {verb} and {node} replaced, e.g. "
                    + "'ssh ops@bastion sudo tessera-fault {verb} {node}'. A cut's {node} is '<from> <to>', heal's "
                    + "is empty (the arguments bin/cluster takes).")
    String chaosHook;

    @Option(names = "--pid-dir", description = "Directory of <node>.pid files to sample CPU and RSS from (default: "
            + "the local cluster's .cluster/run when --local-cluster is given).")
    Path pidDir;

    @Option(names = {"-o", "--out"}, defaultValue = "target/loadtest",
            description = "Output directory: report.html, result.json, gaps.csv, loadtest.log. Default: ${DEFAULT-VALUE}")
    Path out;

    @Option(names = "--baseline", paramLabel = "OLD_JSON",
            description = "A result.json of an earlier run: prints the ratios of the main figures (new / old).")
    Path baseline;

    @Option(names = "--client-host", defaultValue = "127.0.0.1",
            description = "Local address the synthetic RTP sockets bind to (must be reachable from the media nodes). "
                    + "Default: ${DEFAULT-VALUE}")
    String clientHost;

    @Option(names = "--workers", defaultValue = "32",
            description = "Threads that join, publish and subscribe (the SDK calls block). Default: ${DEFAULT-VALUE}")
    int workers;

    @Option(names = "--gap", description = "A stretch without packets longer than this is a media gap "
            + "(default: 5 packet intervals, at least 300ms).")
    String gap;

    @Option(names = "--name", description = "Run name, prefix of the session ids (default: lt-<time>).")
    String name;

    @Option(names = "--clients", defaultValue = "sdk", paramLabel = "chromium:N",
            description = "Real browsers beside the synthetic clients: chromium:N runs N (2..8) headless Chromium pages "
                    + "(the system's chromium and chromedriver) with the unmodified openvidu-browser and a fake camera, "
                    + "two a session, and charts the frames they decode and every stall. The media goes from Chromium "
                    + "to Janus: run in a network namespace (README, 'Load test with browsers'). Default: sdk (none).")
    String clients;

    @Option(names = "--browser-addon", description = "The chromium pages load the tessera-browser add-on.")
    boolean browserAddon;

    @Option(names = "--no-progress", description = "No progress bar (for logs and CI).")
    boolean noProgress;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTestCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        System.setProperty("tessera.loadtest.log", out.resolve("loadtest.log").toString());
        System.setProperty("logback.configurationFile", "tessera-loadtest-logback.xml");
        HarnessConfig cfg = config();
        Progress progress = noProgress ? Progress.NONE
                : new ConsoleProgress(cfg.duration().toSeconds());
        RunResult result;
        try {
            result = Harness.run(cfg, progress, baseline, System.out);
        } catch (ChaosRefusedException cannotRunChaos) {
            System.err.println("tessera-loadtest: " + cannotRunChaos.getMessage());
            return 1;
        }
        return result.counts().joined() == cfg.plannedParticipants() ? 0 : 2;
    }

    HarnessConfig config() {
        ChaosSchedule schedule = ChaosSchedule.parse(chaos);
        ChaosExecutor executor = null;
        if (chaosHook != null) {
            executor = CommandChaosExecutor.hook(chaosHook);
        } else if (clusterScript != null) {
            executor = CommandChaosExecutor.clusterScript(clusterScript.toAbsolutePath());
        }
        Path pids = pidDir;
        if (pids == null && clusterScript != null) {
            pids = clusterScript.toAbsolutePath().getParent().getParent().resolve(".cluster/run");
        }
        String runName = name != null ? name : "lt-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        return new HarnessConfig(runName, masters, secret, sessions, participants, publishers,
                Topology.parse(topology), new MediaProfile(bitrateKbps, packetSize), joinRate,
                ChaosSchedule.duration(duration), schedule, executor, out, clientHost, workers,
                gap == null ? null : ChaosSchedule.duration(gap),
                pids == null ? null : ProcessSampler.pidFiles(pids), BrowserPlan.parse(clients, browserAddon));
    }

    static Duration parseDuration(String s) {
        return ChaosSchedule.duration(s);
    }
}
