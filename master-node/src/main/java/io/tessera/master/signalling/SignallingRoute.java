package io.tessera.master.signalling;

import io.tessera.master.fencing.ServingGate;
import io.tessera.master.session.SessionService;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.ThrottleMode;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The WebSocket endpoint {@code /openvidu}: one {@link ClientConnection} actor per socket. Everything is
 * bounded: the number of sockets, the size of a message (read to the end, then refused), the rate of
 * messages (back-pressure on the socket), and the outbound buffer (a client that does not read is cut off).
 */
public final class SignallingRoute extends AllDirectives {

    public record Limits(int maxConnections, int maxMessageBytes, int messagesPerSecond, int outboundBuffer,
                         long outboundBufferBytes) {
    }

    /** The largest outbound buffer that is one array from the start; a larger one grows as it fills. */
    static final int EAGER_OUTBOUND_BUFFER = 128;

    /** The socket's hard ceiling, as a multiple of the per-connection request rate. */
    private static final int CEILING_FACTOR = 4;

    private final ActorSystem<?> system;
    private final SessionService sessions;
    private final Limits limits;
    private final SignallingSettings connectionSettings;
    private final ActorRef<RelocationRelay.Command> relay;
    private final Materializer materializer;
    private final AtomicInteger open = new AtomicInteger();
    /** The live connection actors, to tell them when this master leaves, each with what completes when it stops. */
    private final Map<ActorRef<ClientConnection.Command>, CompletableFuture<Void>> connections =
            new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final SignallingMeters meters;
    private final ServingGate gate;
    /**
     * The parts of a socket's flow that hold no per-socket state, built once: a blueprint is immutable and each
     * materialization gets its own stages, so every socket need not rebuild them (building them was a third of the
     * per-socket route time in a JFR of a master, docs/BENCHMARKS.md "Per-socket cost").
     */
    private final Flow<Message, ClientConnection.Command, NotUsed> inboundStages;
    private final Source<String, ActorRef<String>> outboundQueue;

    public SignallingRoute(ActorSystem<?> system, SessionService sessions, Limits limits,
                           SignallingSettings connectionSettings, ActorRef<RelocationRelay.Command> relay,
                           SignallingMeters meters, ServingGate gate) {
        this.gate = gate;
        this.meters = meters;
        meters.bindSockets(open::get, limits.maxConnections());
        this.relay = relay;
        this.system = system;
        this.sessions = sessions;
        this.limits = limits;
        this.connectionSettings = connectionSettings;
        this.materializer = Materializer.matFromSystem(system);
        this.inboundStages = Flow.<Message>create()
                .mapAsync(1, this::read)
                // A hard ceiling well above the per-connection rate (whose excess ClientConnection answers with 429):
                // past it the socket is back-pressured, so a flood cannot grow the actor's mailbox without bound.
                .throttle(limits.messagesPerSecond() * CEILING_FACTOR, Duration.ofSeconds(1),
                        limits.messagesPerSecond() * CEILING_FACTOR, ThrottleMode.shaping());
        this.outboundQueue = outboundQueue(limits.outboundBuffer(), limits.outboundBufferBytes());
    }

    /**
     * The blueprint of a socket's outbound stream: what the connection's actor tells it, at most {@code messages}
     * waiting for the client (one more fails the stream, which closes the socket); {@link ClientConnection#CLOSE}
     * completes it and {@link Outbox#OVERFLOW} (the outbox's bound of {@code chars}) fails it at once.
     */
    static Source<String, ActorRef<String>> outboundQueue(int messages, long chars) {
        return ActorSource.<String>actorRef(
                        ClientConnection.CLOSE::equals,
                        m -> Outbox.OVERFLOW.equals(m) ? Optional.of(Outbox.overflow(chars)) : Optional.empty(),
                        messages, OverflowStrategy.fail())
                // Pekko makes a buffer of up to max-fixed-buffer-size (10^9 by default) one array of its full size,
                // at materialization: 4 KB for every socket's 1 024 messages, nearly all of them never used. Above
                // this size the buffer is a queue that starts at 128 and grows only for a client that falls behind;
                // the bound and the overflow are the same (docs/BENCHMARKS.md "What a socket holds, and two arrays
                // less").
                .addAttributes(ActorAttributes.maxFixedBufferSize(EAGER_OUTBOUND_BUFFER));
    }

    public int openConnections() {
        return open.get();
    }

    /**
     * Every client is told to move ({@code masterLeaving} with {@code why}: {@code fenced}, or {@code shutdown}) and
     * its socket is closed, so that it resumes through another master now rather than when this one's process is
     * gone. Their participants are detached for the grace window meanwhile; media keeps flowing. A shutting-down
     * master uses {@link #moveClients}, which also waits for the sockets to close.
     */
    public int tellClientsToMove(ClientConnection.MasterLeaving why) {
        List<ActorRef<ClientConnection.Command>> now = List.copyOf(connections.keySet());
        now.forEach(c -> c.tell(why));
        return now.size();
    }

    /** How many clients a leaving master told to move, and how many of their sockets had closed when it went on. */
    public record Moved(int told, int closed) {
    }

    /**
     * As {@link #tellClientsToMove(ClientConnection.MasterLeaving)}, completing once every socket told has closed
     * (the notification went out before the close) or after {@code within}, whichever comes first. A shutting-down
     * master waits for this before it goes on towards exiting: telling only queues the notification, and on a loaded
     * machine the process could be gone before it was written, so the client would reconnect on its socket's loss
     * instead, without knowing why (seen in MasterFailoverBrowserTest under a load average of 30-40).
     */
    public CompletionStage<Moved> moveClients(ClientConnection.MasterLeaving why, Duration within) {
        Map<ActorRef<ClientConnection.Command>, CompletableFuture<Void>> now = Map.copyOf(connections);
        now.keySet().forEach(c -> c.tell(why));
        CompletableFuture<Moved> moved = new CompletableFuture<>();
        Runnable count = () -> moved.complete(new Moved(now.size(),
                (int) now.values().stream().filter(CompletableFuture::isDone).count()));
        CompletableFuture.allOf(now.values().toArray(CompletableFuture[]::new)).thenRun(count);
        system.scheduler().scheduleOnce(within, count, system.executionContext());
        return moved;
    }

    public Route route() {
        return path("openvidu", () -> extractRequest(request -> extractUpgradeToWebSocket(upgrade -> {
            Optional<String> refusal = gate.refusal();
            if (refusal.isPresent()) { // downed, leaving or fenced: the client must join through another master
                meters.socketRefused();
                return complete(unavailable(refusal.get()));
            }
            if (open.incrementAndGet() > limits.maxConnections()) {
                open.decrementAndGet();
                meters.socketRefused();
                return complete(unavailable("this master serves its maximum of " + limits.maxConnections()
                        + " WebSocket connections"));
            }
            try {
                return complete(upgrade.handleMessagesWith(socketFlow(clientIp(request))));
            } catch (RuntimeException e) {
                open.decrementAndGet();
                throw e;
            }
        })));
    }

    /** A refused upgrade: 503 with the REST API's error body (the messages are this class's own, nothing to escape). */
    private static HttpResponse unavailable(String message) {
        return HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                        "{\"status\":503,\"error\":\"Service Unavailable\",\"message\":\"" + message + "\"}"));
    }

    /**
     * The TCP peer's address (needs {@code pekko.http.server.remote-address-attribute = on}), not a forwarding header
     * a client could write itself; null when unknown.
     */
    private static String clientIp(HttpRequest request) {
        return request.getAttribute(AttributeKeys.remoteAddress)
                .flatMap(RemoteAddress::getAddress).map(InetAddress::getHostAddress).orElse(null);
    }

    /**
     * The socket's flow, materialized by Pekko HTTP once the upgrade is answered: the client's messages go to the
     * connection's actor, and what the actor puts in its {@link Outbox} goes to the client. The outbound source is
     * part of this one flow (attached to the outbox when it is materialized), not a stream of its own: that cost one
     * more stream actor per socket and a publisher/subscriber hop per message (docs/BENCHMARKS.md, issue 15).
     */
    private Flow<Message, Message, NotUsed> socketFlow(String clientIp) {
        Outbox outbox = new Outbox(limits.outboundBufferBytes());
        AtomicReference<ActorRef<ClientConnection.Command>> self = new AtomicReference<>();
        ActorRef<ClientConnection.Command> connection = system.systemActorOf(
                ClientConnection.create(sessions, outbox, connectionSettings, relay, meters, clientIp, gate, () -> {
                    open.decrementAndGet();
                    ActorRef<ClientConnection.Command> me = self.get(); // set right after the spawn; nothing stops a connection sooner
                    if (me != null) {
                        CompletableFuture<Void> stopped = connections.remove(me);
                        if (stopped != null) {
                            stopped.complete(null);
                        }
                    }
                }),
                "client-" + sequence.incrementAndGet(), Props.empty()).narrow();
        self.set(connection);
        connections.put(connection, new CompletableFuture<>());
        Sink<Message, NotUsed> inbound = inboundStages.to(ActorSink.actorRef(connection,
                ClientConnection.SocketClosed.INSTANCE, error -> ClientConnection.SocketClosed.INSTANCE));
        String name = connection.path().name();
        Source<Message, NotUsed> toClient = outboundQueue
                .mapMaterializedValue(stream -> {
                    outbox.attach(stream);
                    return NotUsed.getInstance();
                })
                .watchTermination((notUsed, done) -> {
                    // With the dispatcher named: Pekko's stage runs a plain whenComplete on the JDK's default
                    // executor, which on two cores starts a new thread per call, here one per closed socket (JFR:
                    // almost every thread a master started in a benchmark run, docs/BENCHMARKS.md "Third round").
                    done.whenCompleteAsync((ok, error) -> {
                        if (error instanceof BufferOverflowException overflow) {
                            // A client that does not read its socket: cut off so it holds no memory of the master's.
                            system.log().warn("{}: cut off: {}", name, overflow.getMessage());
                        }
                    }, system.executionContext());
                    return notUsed;
                })
                .map(text -> (Message) TextMessage.create(outbox.taken(text)));
        return Flow.fromSinkAndSourceCoupled(inbound, toClient);
    }

    /** Reads one message to its end; a text over the limit is drained and reported, not kept. */
    private CompletionStage<ClientConnection.Command> read(Message message) {
        if (!message.isText()) {
            return message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer)
                    .thenApplyAsync(done -> (ClientConnection.Command) ClientConnection.InboundBinary.INSTANCE,
                            system.executionContext());
        }
        TextMessage text = message.asTextMessage();
        if (text.isStrict()) {
            String strict = text.getStrictText();
            return CompletableFuture.completedFuture(strict.length() > limits.maxMessageBytes()
                    ? ClientConnection.InboundTooLarge.INSTANCE : new ClientConnection.Inbound(strict));
        }
        int max = limits.maxMessageBytes();
        return text.getStreamedText().runFold(new StringBuilder(), (acc, part) -> {
            if (acc.length() <= max) {
                acc.append(part, 0, Math.min(part.length(), max + 1 - acc.length()));
            }
            return acc;
        }, materializer).thenApplyAsync(acc -> acc.length() > max
                ? ClientConnection.InboundTooLarge.INSTANCE : new ClientConnection.Inbound(acc.toString()),
                system.executionContext());
    }
}
