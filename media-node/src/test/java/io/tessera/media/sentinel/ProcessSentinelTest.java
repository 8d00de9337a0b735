package io.tessera.media.sentinel;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The sentinel's wire over real sockets: greeting, silence while alive, bye on a planned stop, the bound. */
class ProcessSentinelTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("ProcessSentinelTest");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static ProcessSentinel bound(long uid) {
        ProcessSentinel sentinel = ProcessSentinel.start(testKit.system(), "127.0.0.1", 0,
                "pekko://tessera@127.0.0.1:2651", uid);
        await().atMost(Duration.ofSeconds(10)).until(() -> sentinel.port() > 0);
        return sentinel;
    }

    private static Socket connect(ProcessSentinel sentinel) throws Exception {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", sentinel.port()), 2000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static BufferedReader reader(Socket socket) throws Exception {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    @Test
    void greetsWithTheIncarnationThenSaysByeAndClosesOnAPlannedStop() throws Exception {
        ProcessSentinel sentinel = bound(42L);
        try (Socket socket = connect(sentinel)) {
            BufferedReader in = reader(socket);
            assertEquals("tessera-sentinel 1 pekko://tessera@127.0.0.1:2651 42", in.readLine());
            await().atMost(Duration.ofSeconds(10)).until(() -> sentinel.openConnections() == 1);
            sentinel.sayBye();
            assertEquals("bye", in.readLine());
            assertNull(in.readLine(), "closed after the bye");
        }
        // A holder that connects after the bye hears it at once.
        try (Socket late = connect(sentinel)) {
            BufferedReader in = reader(late);
            assertEquals("tessera-sentinel 1 pekko://tessera@127.0.0.1:2651 42", in.readLine());
            assertEquals("bye", in.readLine());
            assertNull(in.readLine());
        }
    }

    @Test
    void holdsAtMostItsBoundOfConnectionsAndFreesTheSlotOfAHolderThatLeft() throws Exception {
        ProcessSentinel sentinel = bound(7L);
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < ProcessSentinel.MAX_CONNECTIONS; i++) {
                Socket socket = connect(sentinel);
                held.add(socket);
                assertEquals("tessera-sentinel 1 pekko://tessera@127.0.0.1:2651 7", reader(socket).readLine());
            }
            try (Socket extra = connect(sentinel)) {
                BufferedReader in = reader(extra);
                assertEquals("busy", in.readLine(), "past the bound a connection is told busy, not greeted");
                assertNull(in.readLine());
            }
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> sentinel.openConnections() == ProcessSentinel.MAX_CONNECTIONS - 1);
            try (Socket again = connect(sentinel)) {
                assertEquals("tessera-sentinel 1 pekko://tessera@127.0.0.1:2651 7", reader(again).readLine());
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
