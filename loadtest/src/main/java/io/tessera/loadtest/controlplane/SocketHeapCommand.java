package io.tessera.loadtest.controlplane;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tessera.client.SignallingClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What an open WebSocket holds on the server's heap, class by class: a class histogram of the server (jcmd, after a
 * full collection), {@code n} bare sockets opened to it (no join), a second histogram, and the difference per socket.
 * The sockets are closed before it exits. For a master of bin/cluster:
 * {@code --pid $(cat .cluster/run/master-1.pid) --url ws://127.0.0.1:4443/openvidu}.
 */
@Command(name = "tessera-socket-heap", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures the live heap one open WebSocket holds on its server, by class: jcmd GC.class_histogram "
                + "of the server before and after opening the sockets (bare: no joinRoom), the difference per socket. "
                + "Writes " + SocketHeapCommand.RESULT_FILE + ".",
        footer = {"", "Example (bin/cluster's master-1):",
                "  tessera-socket-heap -n 1000 --pid $(cat .cluster/run/master-1.pid) --url ws://127.0.0.1:4443/openvidu"})
public final class SocketHeapCommand implements Callable<Integer> {
    static final String RESULT_FILE = "socket-heap.json";
    /** A master's default cap on sockets (TESSERA_MAX_CONNECTIONS); more would be refused with 503 anyway. */
    static final int MAX_SOCKETS = 10_000;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-n", "--sockets"}, defaultValue = "1000",
            description = "Sockets to open, 1-" + MAX_SOCKETS + ". Default: ${DEFAULT-VALUE}")
    int sockets;

    @Option(names = "--pid", required = true, description = "The server JVM's process id (a master's).")
    long pid;

    @Option(names = "--url", required = true, description = "The server's WebSocket address, e.g. ws://127.0.0.1:4443/openvidu.")
    URI url;

    @Option(names = "--top", defaultValue = "25", description = "Classes to print, largest first. Default: ${DEFAULT-VALUE}")
    int top;

    @Option(names = {"-o", "--out"}, defaultValue = "target/socket-heap",
            description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out;

    /** The run: what was measured against what, and the difference per socket. */
    public record Result(long pid, String url, ClassHistogram.PerUnit perSocket) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SocketHeapCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (sockets < 1 || sockets > MAX_SOCKETS || top < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--sockets must be 1-" + MAX_SOCKETS + " and --top at least 1");
        }
        String scheme = url.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--url must be ws:// or wss://: " + url);
        }
        Map<String, ClassHistogram.Count> before = ClassHistogram.ofNode("the server", pid);
        List<SignallingClient> open = new ArrayList<>(sockets);
        Map<String, ClassHistogram.Count> after;
        try {
            for (int i = 0; i < sockets; i++) {
                open.add(SignallingClient.builder(url).connect());
            }
            after = ClassHistogram.ofNode("the server", pid);
        } finally {
            open.forEach(SignallingClient::close);
        }
        Result result = new Result(pid, url.toString(), ClassHistogram.perUnit(before, after, sockets).top(top));
        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(RESULT_FILE).toFile(), result);
        System.out.println(table(result.perSocket()));
        System.out.println("result: " + out.resolve(RESULT_FILE));
        return 0;
    }

    /** The per-socket totals and the largest classes, as a Markdown table. */
    static String table(ClassHistogram.PerUnit perSocket) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "per socket (%d sockets): %.0f objects, %.0f bytes%n%n| bytes | objects | class |%n|---|---|---|%n",
                perSocket.units(), perSocket.instances(), perSocket.bytes()));
        for (ClassHistogram.Row row : perSocket.classes()) {
            text.append(String.format(Locale.ROOT, "| %.0f | %.1f | `%s` |%n", row.bytes(), row.instances(),
                    row.className()));
        }
        return text.toString();
    }
}
