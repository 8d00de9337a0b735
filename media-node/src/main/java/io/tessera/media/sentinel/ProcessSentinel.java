package io.tessera.media.sentinel;

import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP port whose only message is that this process is alive: the failover singleton on the masters holds one
 * connection to it. When the process dies (a crash, an OOM kill, {@code kill -9}), the kernel closes the connection
 * at once and then refuses new ones on the port; the masters take that as proof of death and fail the node over
 * without waiting for the failure detector (seconds) or for the node to fence itself ({@code fence-wait}), because a
 * process that is gone forwards nothing. A node cut off by the network closes nothing and refuses nothing: that case
 * stays with the failure detector and the fence (docs/ARCHITECTURE.md, "Media node failure").
 *
 * <p>Wire (written here once; read by the master's {@code CrashWatch}): on connect the node sends one line
 * {@code tessera-sentinel 1 <cluster address> <uid>\n}, then nothing until a planned stop, when it sends
 * {@code bye\n} and closes (a node that leaves on purpose is not a crash). What the peer sends is ignored.
 * At most {@link #MAX_CONNECTIONS} connections are held; more are told {@code busy\n} and closed. Every connection
 * gets a line first: a connection closed without one comes from a process that is exiting.
 */
public final class ProcessSentinel {
    private static final Logger log = LoggerFactory.getLogger(ProcessSentinel.class);
    /** The masters' singleton holds one; a handover briefly two. Anything past this is not a master. */
    public static final int MAX_CONNECTIONS = 16;
    static final String GREETING = "tessera-sentinel 1";
    static final ByteString BYE = ByteString.fromString("bye\n");
    static final ByteString BUSY = ByteString.fromString("busy\n");

    private final CompletableFuture<ByteString> bye = new CompletableFuture<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ByteString hello;
    private volatile int boundPort;

    private ProcessSentinel(String clusterAddress, long uid) {
        this.hello = ByteString.fromString(GREETING + " " + clusterAddress + " " + uid + "\n");
    }

    /**
     * Binds {@code host:port} (0: any free port; {@link #port()} says which once bound) and says {@code bye} to every
     * holder in the first phase of a coordinated shutdown, before anything stops serving.
     */
    public static ProcessSentinel start(ActorSystem<?> system, String host, int port, String clusterAddress, long uid) {
        ProcessSentinel sentinel = new ProcessSentinel(clusterAddress, uid);
        Tcp.get(system).bind(host, port)
                .to(Sink.foreach(connection -> connection.handleWith(sentinel.connectionFlow(), system)))
                .run(system)
                .whenComplete((binding, error) -> {
                    if (error != null) {
                        log.error("process sentinel: cannot bind {}:{} ({}); masters fall back to the failure detector"
                                + " alone for this node", host, port, error.getMessage());
                    } else {
                        sentinel.boundPort = binding.localAddress().getPort();
                        log.info("process sentinel on {}:{}", host, sentinel.boundPort);
                    }
                });
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "sentinel-bye",
                () -> {
                    sentinel.sayBye();
                    return CompletableFuture.completedFuture(Done.getInstance());
                });
        return sentinel;
    }

    /** The bound port; 0 until bound (or when binding failed: then the node reports none). */
    public int port() {
        return boundPort;
    }

    /** Tells every holder (and every later one) that this process stops on purpose. */
    public void sayBye() {
        bye.complete(BYE);
    }

    /** Connections held now. */
    public int openConnections() {
        return open.get();
    }

    private Flow<ByteString, ByteString, ?> connectionFlow() {
        if (open.incrementAndGet() > MAX_CONNECTIONS) {
            open.decrementAndGet();
            log.warn("process sentinel: {} connections are held already; closing another", MAX_CONNECTIONS);
            // a line first: the masters' probe takes a connection closed without a byte for a process that exits
            return Flow.fromSinkAndSource(Sink.ignore(), Source.single(BUSY));
        }
        Source<ByteString, ?> out = Source.single(hello)
                .concat(Source.completionStage((CompletionStage<ByteString>) bye));
        // Coupled: when the holder goes, the connection (and its slot) goes too; after bye, the connection closes.
        return Flow.fromSinkAndSourceCoupled(Sink.<ByteString>ignore(), out)
                .watchTermination((mat, done) -> {
                    done.whenComplete((ok, error) -> open.decrementAndGet());
                    return mat;
                });
    }
}
