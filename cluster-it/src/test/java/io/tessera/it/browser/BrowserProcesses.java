package io.tessera.it.browser;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

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

    /** Waits until none is left; fails naming them (pid and command) otherwise. */
    public static void awaitNoneLeft(Duration atMost) {
        await("no chromedriver or Chromium process left").atMost(atMost)
                .failFast(() -> false)
                .until(() -> running().isEmpty());
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
