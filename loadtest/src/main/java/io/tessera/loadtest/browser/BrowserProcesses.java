package io.tessera.loadtest.browser;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** The chromedriver and Chromium processes this JVM started (its descendants), read from the process table. */
public final class BrowserProcesses {
    private BrowserProcesses() {
    }

    /** Descendants of this JVM whose executable is chromedriver or Chromium (the browser and its helpers). */
    public static List<ProcessHandle> running() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().command().map(BrowserProcesses::isBrowser).orElse(false))
                .toList();
    }

    /**
     * Waits until none is left (a quit browser takes a moment to reap its helpers). Past {@code atMost} it kills
     * what is left, so that nothing outlives the run, and fails naming them (pid and command).
     */
    public static void awaitNoneLeft(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        List<ProcessHandle> left = running();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100); // polling the process table: there is no event for another process's exit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            left = running();
        }
        if (!left.isEmpty()) {
            left.forEach(ProcessHandle::destroyForcibly);
            throw new IllegalStateException("chromedriver or Chromium processes were left after " + atMost
                    + " and were killed: " + describe(left));
        }
    }

    static String describe(List<ProcessHandle> handles) {
        return handles.stream().map(handle -> handle.pid() + " " + handle.info().command().orElse("?"))
                .collect(Collectors.joining(", "));
    }

    private static boolean isBrowser(String command) {
        String name = command.substring(command.lastIndexOf('/') + 1);
        return name.startsWith("chromedriver") || name.startsWith("chromium") || name.startsWith("chrome");
    }
}
