package io.tessera.loadtest.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * One headless Chromium with its chromedriver. Scripts run in the page: {@link #run} synchronously, {@link #call}
 * for a page function that returns a promise, {@link #stats} reads an {@code RTCPeerConnection}'s statistics.
 */
public final class Browser implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final ChromeDriver driver;
    private final ChromeDriverService service;

    Browser(String name, ChromeDriver driver, ChromeDriverService service) {
        this.name = name;
        this.driver = driver;
        this.service = service;
    }

    public String name() {
        return name;
    }

    public void open(URI page) {
        driver.get(page.toString());
    }

    /** Runs {@code script} (a function body; {@code arguments[i]} are the args) and returns its value. */
    public Object run(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /**
     * Calls {@code expression} (e.g. {@code "window.page.publish"}), a function returning a promise, with {@code args};
     * returns the promise's value as JSON. A rejected promise fails with its message.
     */
    public JsonNode call(String function, Object... args) {
        String script = "const done = arguments[arguments.length - 1];"
                + "const args = Array.prototype.slice.call(arguments, 0, arguments.length - 1);"
                + "Promise.resolve().then(() => " + function + "(...args))"
                + ".then(value => done(JSON.stringify({ok: value === undefined ? null : value})),"
                // openvidu-browser rejects with plain objects too ({code, message}): their fields, not [object Object]
                + " error => done(JSON.stringify({error: error && error.stack ? String(error.stack)"
                + " : (error !== null && typeof error === 'object' ? JSON.stringify(error) : String(error))})));";
        Object raw = ((JavascriptExecutor) driver).executeAsyncScript(script, args);
        JsonNode reply = parse(String.valueOf(raw));
        if (reply.has("error")) {
            throw new IllegalStateException(name + ": " + function + " failed: " + reply.get("error").asText());
        }
        return reply.get("ok");
    }

    /**
     * The statistics of the peer connection the page exposes as {@code pcExpression}, e.g. {@code "page.pc"} (read
     * anew each call: a reconnection replaces the object). The page must include {@code /rtc-stats.js}.
     */
    public RtcStats stats(String pcExpression) {
        return RtcStats.from(call("(() => window.tesseraStats(" + pcExpression + "))"));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }

    private JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": the page answered no JSON", e);
        }
    }
}
