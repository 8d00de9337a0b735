package io.tessera.it.console;

import io.tessera.loadtest.browser.Browsers;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The system's headless Chromium driven through the system's chromedriver (Debian {@code chromium},
 * {@code chromium-driver}): nothing is downloaded, Selenium Manager is never asked (binary and driver are given),
 * the browser starts with a fresh profile and without background networking, so its only traffic is to the pages
 * the test opens. {@link #close()} quits the browser and deletes the profile. Screenshots go to
 * {@code target/<dir>} (not committed). Kept small and separate so that it can be folded into a shared browser kit.
 */
public final class ConsoleBrowser implements AutoCloseable {
    private final ChromeDriver driver;
    private final Path profile;
    private final Path screenshots;

    private ConsoleBrowser(ChromeDriver driver, Path profile, Path screenshots) {
        this.driver = driver;
        this.profile = profile;
        this.screenshots = screenshots;
    }

    public static ConsoleBrowser start(Path screenshots) {
        for (Path file : new Path[]{Browsers.CHROMIUM, Browsers.CHROMEDRIVER}) {
            if (!Files.isExecutable(file)) {
                throw new IllegalStateException(file + " is missing: install the Debian packages chromium and "
                        + "chromium-driver (.ci/run does)");
            }
        }
        try {
            Files.createDirectories(screenshots);
            Path profile = Files.createTempDirectory("tessera-console-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(Browsers.launcher(profile).toFile()); // niced, as the media tests' browsers
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
                    "--disable-default-apps", "--window-size=1280,900", "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Browsers.CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .withSilent(true)
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return new ConsoleBrowser(driver, profile, screenshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Saves a PNG of the page as it is now; returns its path. */
    public Path screenshot(String name) {
        Path file = screenshots.resolve(name + ".png");
        try {
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("[[ATTACHMENT|" + file.toAbsolutePath() + "]]");
        return file;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }
}
