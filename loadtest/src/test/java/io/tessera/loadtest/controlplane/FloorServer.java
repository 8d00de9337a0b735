package io.tessera.loadtest.controlplane;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.util.concurrent.TimeUnit;

/** {@link SocketFloorServer} in the test's JVM on a free loopback port, with an actor system of its own. */
final class FloorServer implements AutoCloseable {
    private final ActorSystem<Void> system;
    private final int port;

    private FloorServer(ActorSystem<Void> system, int port) {
        this.system = system;
        this.port = port;
    }

    static FloorServer start(String name) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name);
        try {
            int port = SocketFloorServer.bind(system, "127.0.0.1", 0).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).localAddress().getPort();
            return new FloorServer(system, port);
        } catch (Exception e) {
            system.terminate();
            throw e;
        }
    }

    /** The floor's WebSocket address. */
    String webSocketUrl() {
        return "ws://127.0.0.1:" + port + "/openvidu";
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
