package io.tessera.common.cluster;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.remote.artery.RemoteInstrument;

/**
 * A census of what this node sends over Artery, for measurements only (docs/BENCHMARKS.md "Wire census"): every
 * message, Pekko's own included (system messages and their acks, heartbeats, Distributed Data, the receptionist),
 * counted with its serialized size by message class and by the node it went to. Off unless the node is started with
 * {@code -Dpekko.remote.artery.advanced.instruments.0=io.tessera.common.cluster.WireCensus
 * -Dtessera.wire-census.dir=DIR}; then every {@code tessera.wire-census.interval-ms} (default 2000) and at exit the
 * node writes its totals so far to {@code DIR/<port>.tsv} (recipient port, class, messages, bytes) and a copy to
 * {@code DIR/<port>/<epoch millis>.tsv}, so that the difference of two copies is what was sent in between (a phase of
 * a benchmark). A system message travels in an envelope: it is counted as
 * {@code sys:<class of what it carries>}.
 *
 * <p>Only what is sent is counted: every message received by one node was sent by another, so the senders' files
 * together are the whole census. It writes no metadata into the messages.
 */
public final class WireCensus extends RemoteInstrument {
    private static final byte IDENTIFIER = 17;

    // Artery makes one instance per outbound stream (one per peer and stream kind): the counts are the node's.
    private static final Map<String, LongAdder[]> SENT = new ConcurrentHashMap<>();
    private static final AtomicBoolean WRITING = new AtomicBoolean();

    private final ExtendedActorSystem system;
    private final Path dir;

    public WireCensus(ExtendedActorSystem system) {
        this.system = system;
        String configured = System.getProperty("tessera.wire-census.dir");
        this.dir = configured == null ? null : Path.of(configured);
        if (dir != null && WRITING.compareAndSet(false, true)) {
            Thread writer = new Thread(this::writeEveryInterval, "wire-census");
            writer.setDaemon(true);
            writer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(this::write, "wire-census-exit"));
        }
    }

    @Override
    public byte identifier() {
        return IDENTIFIER;
    }

    @Override
    public void remoteWriteMetadata(ActorRef recipient, Object message, ActorRef sender, ByteBuffer buffer) {
        // nothing: the census adds no bytes to what it counts
    }

    @Override
    public void remoteMessageSent(ActorRef recipient, Object message, ActorRef sender, int size, long time) {
        String to = recipient == null ? "?" : String.valueOf(recipient.path().address().port().getOrElse(() -> -1));
        LongAdder[] counts = SENT.computeIfAbsent(to + "\t" + describe(message),
                k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        counts[0].increment();
        counts[1].add(size);
    }

    @Override
    public void remoteReadMetadata(ActorRef recipient, Object message, ActorRef sender, ByteBuffer buffer) {
    }

    @Override
    public void remoteMessageReceived(ActorRef recipient, Object message, ActorRef sender, int size, long time) {
    }

    /** The message's class; for an envelope (system message, actor selection), that of what it carries. */
    static String describe(Object message) {
        if (message == null) {
            return "null";
        }
        String name = message.getClass().getName();
        if (name.endsWith("SystemMessageEnvelope")) {
            return "sys:" + describe(field(message, "message"));
        }
        if (name.endsWith("ActorSelectionMessage")) {
            return "sel:" + describe(field(message, "msg"));
        }
        return name;
    }

    private static Object field(Object envelope, String accessor) {
        try {
            Method m = envelope.getClass().getMethod(accessor);
            return m.invoke(envelope);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private void writeEveryInterval() {
        long interval = Long.getLong("tessera.wire-census.interval-ms", 2000);
        while (true) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            write();
        }
    }

    private void write() {
        synchronized (WRITING) { // the periodic writer and the exit hook share one temporary file
            writeNow();
        }
    }

    private void writeNow() {
        Address self = system.provider().getDefaultAddress();
        String port = String.valueOf(self.port().getOrElse(() -> 0));
        StringBuilder out = new StringBuilder("to\tclass\tmessages\tbytes\n");
        new TreeMap<>(SENT).forEach((key, counts) -> out.append(key).append('\t').append(counts[0].sum())
                .append('\t').append(counts[1].sum()).append('\n'));
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(port + ".tsv.tmp");
            Files.writeString(tmp, out, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(port + ".tsv"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Path history = Files.createDirectories(dir.resolve(port));
            Files.copy(dir.resolve(port + ".tsv"), history.resolve(System.currentTimeMillis() + ".tsv"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            // a census is a measurement aid: it never takes the node down
        }
    }
}
