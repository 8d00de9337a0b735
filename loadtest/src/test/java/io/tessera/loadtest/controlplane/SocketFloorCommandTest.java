package io.tessera.loadtest.controlplane;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The floor benchmark end to end, small: its own server JVM, real sockets, and nothing left running after. */
class SocketFloorCommandTest {

    @Test
    void aSmallRoundAnswersEveryPingAndStopsItsServer() throws Exception {
        SocketFloorCommand command = new SocketFloorCommand();
        command.sockets = 40;
        command.concurrency = 4;
        command.warmup = 10;
        command.idleSeconds = 0;
        command.serverFlags = "-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
        command.host = "127.0.0.1";
        command.pings = 3;
        List<Long> before = floorServers();
        SocketFloorCommand.Result result = command.run();
        assertEquals(40, result.socket().ok(), String.valueOf(result.socket().firstError()));
        assertEquals(0, result.socket().errors());
        assertEquals(10, result.warmup().ok());
        assertEquals(3, result.pingsPerSocket());
        assertNotNull(result.socket().cpuMsPerOpByRole().get("floor"), "the server's CPU was read");
        assertTrue(result.socket().cpuMsByRole().get("floor").total() >= 0);
        // a server thread that reads a socket sleeps between requests: its switches are counted
        assertTrue(result.socket().cpuMsPerOpByRole().get("floor").switches() > 0,
                String.valueOf(result.socket().cpuMsPerOpByRole()));
        assertEquals(before, floorServers(), "the server JVM is gone");
    }

    @Test
    void aHostThatIsNotLoopbackIsRefusedBeforeAnyServerStarts() {
        int code = new picocli.CommandLine(new SocketFloorCommand()).execute("--host", "192.0.2.1", "-n", "1",
                "-o", "target/socket-floor-refused");
        assertEquals(2, code, "picocli's usage error");
        assertEquals(List.of(), floorServers());
    }

    @Test
    void aPingCountOutOfRangeIsRefusedBeforeAnyServerStarts() {
        for (String pings : List.of("0", "1001")) {
            int code = new picocli.CommandLine(new SocketFloorCommand()).execute("--pings", pings, "-n", "1",
                    "-o", "target/socket-floor-refused");
            assertEquals(2, code, "picocli's usage error for --pings " + pings);
        }
        assertEquals(List.of(), floorServers());
    }

    @Test
    void pongAnswersARequestWithItsIdAndNothingElse() {
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"value\":\"pong\"}}",
                SocketFloorServer.pong("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\",\"params\":{}}"));
        assertEquals("", SocketFloorServer.pong("{\"method\":\"notification\"}"));
        assertEquals("", SocketFloorServer.pong("not json"));
        assertFalse(SocketFloorServer.pong("{\"id\":\"x\"}").isEmpty());
    }

    private static List<Long> floorServers() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                .contains(SocketFloorServer.class.getName())).map(ProcessHandle::pid).sorted().toList();
    }
}
