package io.tessera.loadtest.browser;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Headless Chromium browsers for tests, driven by the system's chromedriver (Debian {@code chromium} and
 * {@code chromium-driver}); never downloads a browser or driver.
 *
 * <p>Each browser gets a fresh profile and fake camera and microphone. At most {@code maxBrowsers} run at once (two
 * cores are shared by everything a test starts). {@link #close()} quits every browser, stops every driver, deletes the
 * profiles and then checks with the process table that no chromedriver or Chromium process of this JVM is left.
 */
public final class Browsers implements AutoCloseable {
    public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TESSERA_CHROMIUM", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER =
            Path.of(System.getenv().getOrDefault("TESSERA_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /**
     * The niceness Chromium runs at (0-19; 0 = as this JVM). The browsers stand in for clients on other machines but
     * share this one's cores with the nodes under test: four pages of video took ~150 % of two cores, and at a load
     * of 30-55 the nodes' cluster heartbeats came seconds late, so healthy nodes were taken for dead (a media node
     * downed mid-test). Niced, the browsers get every cycle the nodes leave, and the nodes' timing stays theirs.
     */
    public static final int NICENESS = niceness(System.getenv().getOrDefault("TESSERA_BROWSER_NICE", "10"));
    static final List<String> FLAGS = List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            // subscribers play their remote audio and video without a click (openvidu-browser's streamPlaying)
            "--autoplay-policy=no-user-gesture-required");

    private final int maxBrowsers;
    private final List<Browser> open = new ArrayList<>();
    private final List<Path> profiles = new ArrayList<>();

    public Browsers(int maxBrowsers) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian packages chromium and chromium-driver; .ci/run installs them)");
        }
        this.maxBrowsers = maxBrowsers;
    }

    /** Starts a browser; refuses past the bound, so a test cannot start more than the machine carries. */
    public synchronized Browser open(String name) {
        if (open.size() >= maxBrowsers) {
            throw new IllegalStateException("at most " + maxBrowsers + " browsers at once");
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("tessera-chromium-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        profiles.add(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(launcher(profile).toFile());
        options.addArguments(FLAGS);
        options.addArguments("--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(profile.resolve("chromedriver.log").toFile())
                .withTimeout(Duration.ofSeconds(60))
                .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        Browser browser = new Browser(name, driver, service);
        open.add(browser);
        return browser;
    }

    /**
     * What chromedriver should start ({@code ChromeOptions.setBinary}): Chromium itself, or a script written into
     * {@code profile} (deleted with it) that execs Chromium through {@code nice} (the browser's helpers inherit the
     * niceness; the process tree stays the same, as each step execs). Every test that starts Chromium uses it.
     */
    public static Path launcher(Path profile) {
        if (NICENESS == 0) {
            return CHROMIUM;
        }
        Path script = profile.resolve("chromium-niced");
        try {
            // Chromium sets its threads' niceness itself: as root (CI) it raised its browser and GPU threads to -8
            // and put the rest back to 0. Without CAP_SYS_NICE it can only lower their priority from here.
            Files.writeString(script, String.join("\n",
                    "#!/bin/sh",
                    "if [ \"$(id -u)\" = 0 ] && command -v setpriv >/dev/null; then",
                    "  exec nice -n " + NICENESS + " setpriv --bounding-set=-sys_nice -- '" + CHROMIUM + "' \"$@\"",
                    "fi",
                    "exec nice -n " + NICENESS + " '" + CHROMIUM + "' \"$@\"",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!script.toFile().setExecutable(true)) {
            throw new IllegalStateException("cannot make " + script + " executable");
        }
        return script;
    }

    static int niceness(String value) {
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("TESSERA_BROWSER_NICE must be a number from 0 to 19, not '" + value
                    + "'");
        }
        if (n < 0 || n > 19) {
            throw new IllegalArgumentException("TESSERA_BROWSER_NICE must be from 0 to 19, not " + n);
        }
        return n;
    }

    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (Browser browser : open) {
            try {
                browser.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        for (Path profile : profiles) {
            deleteTree(profile);
        }
        profiles.clear();
        BrowserProcesses.awaitNoneLeft(Duration.ofSeconds(15));
        if (first != null) {
            throw first;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // a profile left in the temp directory is untidy, not wrong
        }
    }
}
