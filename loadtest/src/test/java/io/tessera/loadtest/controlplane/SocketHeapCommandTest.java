package io.tessera.loadtest.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command against a bare Pekko HTTP WebSocket server in this JVM ({@link SocketFloorServer}): the histogram is
 * this JVM's, so it holds the client's side of each socket too, and the server's stream machinery is in it.
 */
class SocketHeapCommandTest {
    private FloorServer floor;

    @BeforeEach
    void start() throws Exception {
        floor = FloorServer.start("socket-heap-test");
    }

    @AfterEach
    void stop() throws Exception {
        floor.close();
    }

    @Test
    void measuresWhatEachOpenSocketHoldsByClass(@TempDir Path out) throws Exception {
        int exit = new CommandLine(new SocketHeapCommand()).execute("-n", "50", "--top", "400",
                "--pid", Long.toString(ProcessHandle.current().pid()), "--url", floor.webSocketUrl(),
                "-o", out.toString());
        assertEquals(0, exit);
        JsonNode perSocket = new ObjectMapper().readTree(out.resolve(SocketHeapCommand.RESULT_FILE).toFile())
                .path("perSocket");
        assertEquals(50, perSocket.path("units").asInt());
        assertTrue(perSocket.path("bytes").asDouble() > 1000, "a socket holds kilobytes: " + perSocket.path("bytes"));
        double connections = 0;
        for (JsonNode row : perSocket.path("classes")) {
            if (row.path("className").asText().equals("org.apache.pekko.stream.impl.fusing.GraphInterpreter$Connection")) {
                connections = row.path("instances").asDouble();
            }
        }
        // The server's stream interpreter wires each socket's stages with dozens of these; none while it is closed.
        assertTrue(connections >= 10, "interpreter connections per socket: " + connections);
    }

    @Test
    void refusesWhatItCannotMeasure(@TempDir Path out) {
        String pid = Long.toString(ProcessHandle.current().pid());
        assertEquals(2, new CommandLine(new SocketHeapCommand()).execute("-n", "0", "--pid", pid,
                "--url", floor.webSocketUrl(), "-o", out.toString()));
        assertEquals(2, new CommandLine(new SocketHeapCommand()).execute("-n", "1", "--pid", pid,
                "--url", floor.webSocketUrl().replace("ws://", "http://"), "-o", out.toString()));
        assertEquals(2, new CommandLine(new SocketHeapCommand()).execute("-n", "1", "--url",
                floor.webSocketUrl(), "-o", out.toString()), "--pid is required");
    }
}
