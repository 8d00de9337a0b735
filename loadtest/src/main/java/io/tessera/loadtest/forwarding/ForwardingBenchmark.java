package io.tessera.loadtest.forwarding;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Forwarding rate and added latency of one media node's plain RTP engine for 1 publisher -> N subscribers,
 * side by side with a raw UDP forwarder (the physical limit of the machine) in the same run, same packets,
 * same sender and receivers. Everything runs in this JVM on loopback so send times can be compared.
 */
@Command(name = "forwarding-benchmark", mixinStandardHelpOptions = true,
        description = "Measures packets/s and latency through the plain RTP engine against a raw UDP baseline.")
public final class ForwardingBenchmark implements Callable<Integer> {

    @Option(names = "--subscribers", split = ",", defaultValue = "1,10,50",
            description = "Subscriber counts to measure, comma separated (default: ${DEFAULT-VALUE}).")
    int[] subscriberCounts;

    @Option(names = "--packet-size", defaultValue = "1200", description = "RTP packet size in bytes (default: ${DEFAULT-VALUE}).")
    int packetSize;

    @Option(names = "--seconds", defaultValue = "2", description = "Measured seconds per phase (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "0.5", description = "Unmeasured seconds before each phase (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--rounds", defaultValue = "3",
            description = "Rounds per forwarder and subscriber count; each figure's median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--latency-rate", defaultValue = "1000",
            description = "Packets/s the publisher sends during the latency phase (default: ${DEFAULT-VALUE}).")
    int latencyRate;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Loopback address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--socket-buffer", defaultValue = "1048576",
            description = "SO_RCVBUF/SO_SNDBUF asked for every socket, capped by the kernel (default: ${DEFAULT-VALUE}).")
    int socketBuffer;

    @Option(names = "--out", defaultValue = "target/forwarding-benchmark",
            description = "Directory for results.json and results.md (default: ${DEFAULT-VALUE}).")
    Path out;

    /** One measured round. Rates in packets per second; latency in microseconds. */
    public record Round(String forwarder, int subscribers, double inputPps, double forwardedPps, double p50Micros,
                        double p99Micros, double maxMicros) {
    }

    /**
     * The median round of each forwarder for one subscriber count. {@code rateRatio} is the engine's rate over the
     * better baseline's; added latency is the engine's minus the blocking baseline's (the spinning one's latency
     * suffers from taking a core the receivers need).
     */
    public record Comparison(int subscribers, Round blocking, Round spinning, Round engine, double rateRatio,
                             double addedP50Micros, double addedP99Micros) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ForwardingBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<Comparison> results = run();
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(out.resolve("results.json").toFile(), results);
        String table = table(results);
        Files.writeString(out.resolve("results.md"), table);
        System.out.println(table);
        return 0;
    }

    List<Comparison> run() throws Exception {
        List<Comparison> comparisons = new ArrayList<>();
        int port = 46000;
        for (int n : subscriberCounts) {
            List<Round> blocking = new ArrayList<>();
            List<Round> spinning = new ArrayList<>();
            List<Round> engine = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                int min = port;
                List<Runnable> order = new ArrayList<>(List.of(
                        measuring(blocking, () -> new RawUdpForwarder(host, socketBuffer, false), n),
                        measuring(spinning, () -> new RawUdpForwarder(host, socketBuffer, true), n),
                        measuring(engine, () -> engineForwarder(min, n), n)));
                // Rotate which goes first, so none always runs on a warmer machine.
                java.util.Collections.rotate(order, r);
                order.forEach(Runnable::run);
                port += 2 * n + 4; // a fresh range, so no round meets late packets of the previous one
            }
            Round b = median(blocking);
            Round sp = median(spinning);
            Round e = median(engine);
            double best = Math.max(b.forwardedPps(), sp.forwardedPps());
            comparisons.add(new Comparison(n, b, sp, e, e.forwardedPps() / best,
                    e.p50Micros() - b.p50Micros(), e.p99Micros() - b.p99Micros()));
            System.err.printf(Locale.ROOT, "N=%d: blocking %.0f pps, spinning %.0f pps, engine %.0f pps, ratio %.2f%n",
                    n, b.forwardedPps(), sp.forwardedPps(), e.forwardedPps(), e.forwardedPps() / best);
        }
        return comparisons;
    }

    private Forwarder engineForwarder(int minPort, int subscribers) {
        try {
            return new EngineForwarder(host, minPort, minPort + 2 * subscribers + 3, socketBuffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Runnable measuring(List<Round> into, Supplier<Forwarder> factory, int subscribers) {
        return () -> {
            try {
                Round round = measure(factory, subscribers);
                System.err.printf(Locale.ROOT, "  %s N=%d: %.0f pps, latency p50 %.0f µs p99 %.0f µs max %.0f µs%n",
                        round.forwarder(), subscribers, round.forwardedPps(), round.p50Micros(), round.p99Micros(),
                        round.maxMicros());
                into.add(round);
            } catch (Exception e) {
                throw new IllegalStateException("measuring failed", e);
            }
        };
    }

    private Round measure(Supplier<Forwarder> factory, int subscribers) throws Exception {
        try (Forwarder forwarder = factory.get();
             PacketSink sink = new PacketSink(host, subscribers, socketBuffer);
             PacketSource source = new PacketSource(host, packetSize, socketBuffer)) {
            InetSocketAddress input = forwarder.start(source.address());
            for (InetSocketAddress subscriber : sink.addresses()) {
                forwarder.addSubscriber(subscriber);
            }
            // Phase 1, rate: the publisher sends as fast as it can and the receivers do not read, so the
            // forwarder gets all the CPU the sender leaves; its sends per second are the rate.
            sink.reading(false);
            source.start(input, 0);
            pause(warmupSeconds);
            long sent0 = source.sent();
            long forwarded0 = forwarder.forwarded();
            long t0 = System.nanoTime();
            pause(seconds);
            long forwarded = forwarder.forwarded() - forwarded0;
            long elapsed = System.nanoTime() - t0;
            long sent = source.sent() - sent0;
            source.stop();
            sink.reading(true);
            pause(0.3); // let the sockets drain

            // Phase 2, latency: a steady rate well under the limit, each packet timed from send to receive.
            sink.recordLatency(true);
            source.start(input, latencyRate);
            pause(seconds);
            source.stop();
            pause(0.2);
            sink.recordLatency(false);
            Histogram latency = sink.latencyNanos();
            double perSecond = 1e9 / elapsed;
            return new Round(forwarder.name(), subscribers, sent * perSecond, forwarded * perSecond,
                    latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                    latency.getMaxValue() / 1000.0);
        }
    }

    /** Each figure's median over the rounds: a tail spike of one round (a 2-core machine's scheduling) is not the result. */
    private static Round median(List<Round> rounds) {
        return new Round(rounds.get(0).forwarder(), rounds.get(0).subscribers(), median(rounds, Round::inputPps),
                median(rounds, Round::forwardedPps), median(rounds, Round::p50Micros), median(rounds, Round::p99Micros),
                median(rounds, Round::maxMicros));
    }

    private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> figure) {
        double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        return values[values.length / 2];
    }

    private static void pause(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000)); // a benchmark's measuring window, not a wait for a condition
    }

    String table(List<Comparison> results) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Forwarding, 1 publisher -> N subscribers, %d-byte packets, median of %d rounds, "
                + "%.1f s per phase; latency at %d packets/s in.%n%n", packetSize, rounds, seconds, latencyRate));
        md.append("| N | raw blocking pps | raw spinning pps | engine pps | engine / best raw | raw blocking p50 / p99 µs "
                + "| engine p50 / p99 µs | added p50 / p99 µs |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Comparison c : results) {
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %,.0f | %.2f | %.0f / %.0f | %.0f / %.0f | %+.0f / %+.0f |%n",
                    c.subscribers(), c.blocking().forwardedPps(), c.spinning().forwardedPps(), c.engine().forwardedPps(),
                    c.rateRatio(), c.blocking().p50Micros(), c.blocking().p99Micros(), c.engine().p50Micros(),
                    c.engine().p99Micros(), c.addedP50Micros(), c.addedP99Micros()));
        }
        md.append(String.format(Locale.ROOT, "%nSubscriber counts: %s. Input rates during the rate phase (pps): %s.%n",
                Arrays.toString(subscriberCounts), results.stream().map(c -> String.format(Locale.ROOT,
                        "N=%d blocking %,.0f / spinning %,.0f / engine %,.0f", c.subscribers(), c.blocking().inputPps(),
                        c.spinning().inputPps(), c.engine().inputPps())).toList()));
        return md.toString();
    }
}
