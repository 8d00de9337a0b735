package io.tessera.media.webrtc.janus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Supervision of a real Janus: start, restart after a crash, give up past the bound, stop, leftovers. */
class JanusProcessTest {
    @TempDir
    Path dir;

    @Test
    void restartsACrashedJanusThenGivesUpPastTheBound() throws Exception {
        List<Integer> restarted = new CopyOnWriteArrayList<>();
        List<String> gaveUp = new CopyOnWriteArrayList<>();
        JanusProcess.RestartPolicy policy = new JanusProcess.RestartPolicy(2, Duration.ofMinutes(1),
                Duration.ofMillis(100), Duration.ofMillis(400));
        try (JanusProcess janus = JanusProcess.start(JanusTestSupport.loopbackSettings(dir), policy,
                new JanusProcess.Listener() {
                    @Override
                    public void onRestarted(int restartCount) {
                        restarted.add(restartCount);
                    }

                    @Override
                    public void onGaveUp(String reason) {
                        gaveUp.add(reason);
                    }
                })) {
            for (int crash = 1; crash <= 2; crash++) {
                long pid = janus.pid().orElseThrow();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                int expected = crash;
                await().atMost(Duration.ofSeconds(30)).until(() -> restarted.size() == expected);
                assertTrue(janus.pid().isPresent() && janus.pid().get() != pid, "a new Janus runs");
                try (JanusClient client = JanusClient.connect(janus.apiUri(), janus.clientOptions(),
                        JanusEvent.Listener.IGNORE).get(10, TimeUnit.SECONDS)) {
                    client.ping().get(5, TimeUnit.SECONDS);
                }
            }
            assertEquals(List.of(1, 2), restarted);
            ProcessHandle.of(janus.pid().orElseThrow()).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> gaveUp.size() == 1);
            assertTrue(janus.gaveUp());
            assertFalse(janus.isRunning());
            assertTrue(gaveUp.get(0).contains("3 times"), gaveUp.get(0));
        }
        assertEquals(List.of(), JanusTestSupport.janusProcessesUsing(dir));
    }

    @Test
    void closeStopsJanusAndAClosedClientSeesIt() throws Exception {
        List<String> closedReasons = new CopyOnWriteArrayList<>();
        JanusProcess janus = JanusProcess.start(JanusTestSupport.loopbackSettings(dir),
                JanusProcess.RestartPolicy.defaults(), JanusProcess.Listener.IGNORE);
        long pid = janus.pid().orElseThrow();
        // A keepalive every 500 ms: when the JDK loses the end of the stream (it does when Janus's exit lands while
        // the listener is still in onText; see JanusSocket#writeFailed), the client learns it from its next writes.
        JanusClient client = JanusClient.connect(janus.apiUri(),
                janus.clientOptions().withKeepaliveInterval(Duration.ofMillis(500)), new JanusEvent.Listener() {
            @Override
            public void onEvent(JanusEvent event) {
            }

            @Override
            public void onClosed(String reason) {
                closedReasons.add(reason);
            }
        }).get(10, TimeUnit.SECONDS);
        janus.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "janus still runs");
        assertEquals(List.of(), JanusTestSupport.janusProcessesUsing(dir));
        await().atMost(Duration.ofSeconds(10)).until(() -> !closedReasons.isEmpty());
        JanusException refused = assertThrows(JanusException.class, () -> {
            try {
                client.ping().join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause();
            }
        });
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
        assertEquals(0, client.pendingRequests());
        client.close();
    }

    @Test
    void aJanusLeftByAKilledNodeIsStoppedAtTheNextStart() throws Exception {
        JanusSettings settings = JanusTestSupport.loopbackSettings(dir);
        // No restarts: a SIGKILLed node's supervisor is gone with it. (With the default policy this object restarted
        // the Janus that the second start stopped, 500 ms later, on the same ports: on a loaded machine that came
        // before the second Janus answered, and one of the two died.)
        JanusProcess first = JanusProcess.start(settings, new JanusProcess.RestartPolicy(0, Duration.ofMinutes(5),
                Duration.ofMillis(500), Duration.ofSeconds(10)), JanusProcess.Listener.IGNORE);
        long orphan = first.pid().orElseThrow();
        // what a SIGKILLed node leaves behind: a running Janus and its pid file (no close, no shutdown hook)
        JanusSettings again = JanusTestSupport.loopbackSettings(dir);
        try (JanusProcess second = JanusProcess.start(again, JanusProcess.RestartPolicy.defaults(),
                JanusProcess.Listener.IGNORE)) {
            assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false),
                    "the leftover Janus was stopped");
            assertTrue(second.isRunning());
        } finally {
            first.close();
        }
        assertEquals(List.of(), JanusTestSupport.janusProcessesUsing(dir));
    }

    /** The work directory outlives the node, so each start's log would pile onto the last: past a bound it rotates. */
    @Test
    void aLargeLogFromEarlierRunsIsRotatedAtStart() throws Exception {
        Path logFile = dir.resolve("janus.log");
        byte[] earlier = new byte[(int) JanusProcess.LOG_ROTATE_BYTES + 1];
        java.util.Arrays.fill(earlier, (byte) 'x');
        Files.write(logFile, earlier);
        Files.writeString(dir.resolve("janus.log.1"), "older still");
        try (JanusProcess janus = JanusProcess.start(JanusTestSupport.loopbackSettings(dir),
                JanusProcess.RestartPolicy.defaults(), JanusProcess.Listener.IGNORE)) {
            assertTrue(janus.isRunning());
        }
        assertEquals(earlier.length, Files.size(dir.resolve("janus.log.1")), "the earlier log, the older one dropped");
        assertTrue(Files.size(logFile) < earlier.length, "this run's log starts afresh");
        assertTrue(Files.readString(logFile).contains("Janus"), "and holds this run's output");
    }

    @Test
    void startFailuresSayWhy() throws IOException {
        JanusSettings settings = JanusTestSupport.loopbackSettings(dir);
        IOException missing = assertThrows(IOException.class, () -> JanusProcess.start(
                settings.withBinary(dir.resolve("no-such-janus")), JanusProcess.RestartPolicy.defaults(),
                JanusProcess.Listener.IGNORE));
        assertTrue(missing.getMessage().contains("TESSERA_JANUS_BINARY"), missing.getMessage());

        Path crashing = dir.resolve("crashing-janus");
        Files.writeString(crashing, "#!/bin/sh\necho 'cannot start' >&2\nexit 3\n");
        Files.setPosixFilePermissions(crashing, PosixFilePermissions.fromString("rwx------"));
        IOException exited = assertThrows(IOException.class, () -> JanusProcess.start(settings.withBinary(crashing),
                JanusProcess.RestartPolicy.defaults(), JanusProcess.Listener.IGNORE));
        assertTrue(exited.getMessage().contains("exited with status 3"), exited.getMessage());
        assertTrue(Files.readString(dir.resolve("janus.log")).contains("cannot start"));

        IOException nowhere = assertThrows(IOException.class, () -> JanusProcess.start(
                settings.gatheringOnlyOn("no-such-interface"), JanusProcess.RestartPolicy.defaults(),
                JanusProcess.Listener.IGNORE));
        assertTrue(nowhere.getMessage().contains("matches no interface"), nowhere.getMessage());
        IOException loopbackOnly = assertThrows(IOException.class, () -> JanusProcess.start(
                settings.gatheringOnlyOn("lo"), JanusProcess.RestartPolicy.defaults(), JanusProcess.Listener.IGNORE));
        assertTrue(loopbackOnly.getMessage().contains("never gathers on loopback"), loopbackOnly.getMessage());
    }
}
