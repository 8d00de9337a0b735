package io.tessera.loadtest.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.rest.Connection;
import io.tessera.loadtest.browser.Browser;
import io.tessera.loadtest.browser.Browsers;
import io.tessera.loadtest.browser.PageServer;
import io.tessera.loadtest.harness.measure.ErrorTally;
import io.tessera.loadtest.harness.measure.FaultLog;
import io.tessera.loadtest.harness.measure.Measurements;
import io.tessera.loadtest.harness.report.BrowserResult;
import io.tessera.loadtest.harness.report.ResultBuilder;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --clients chromium:N}: N headless Chromium pages beside the synthetic clients, each a browser of its own
 * running the unmodified openvidu-browser (optionally with the tessera-browser add-on) with its fake camera, two
 * pages a session, each subscribing to the other. The pages record every stall of the video they decode
 * ({@code frame-gaps.js}, sampled every 50 ms in the page); the run charts the frames decoded per second and lists the
 * stalls against the faults.
 *
 * <p>The media goes from Chromium to Janus, so the run must be where both reach each other on loopback only: the
 * cluster and the harness in one network namespace, Janus gathering on 127.0.0.2 (README "Load test with browsers").
 * One thread joins the pages and then publishes them; only then does the sampler read them (a chromedriver session
 * takes one command at a time), and the run reads the result after the sampler stopped.
 */
final class BrowserClients implements AutoCloseable {
    private static final String PAGE = "media-failover-test.html";

    private record Page(Browser browser, String sessionId, String connectionId) {
    }

    private final HarnessConfig cfg;
    private final ApplicationServer rest;
    private final Measurements m;
    /** The joined pages, published once every page joined or failed: the sampler never waits for the joins. */
    private volatile List<Page> pages = List.of();
    private final List<long[]> framesPerSecond = new ArrayList<>();
    private Browsers browsers;
    private PageServer pageServer;
    private long lastFrames;

    BrowserClients(HarnessConfig cfg, ApplicationServer rest, Measurements m) {
        this.cfg = cfg;
        this.rest = rest;
        this.m = m;
    }

    /** Opens the browsers, creates their sessions and joins every page; a page that fails is counted, not fatal. */
    void start() {
        BrowserPlan plan = cfg.browsers();
        try {
            browsers = new Browsers(plan.count());
            pageServer = new PageServer();
        } catch (IOException | RuntimeException e) {
            m.errors.add(ErrorTally.kindOf("chromium", e), ErrorTally.messageOf(e));
            return;
        }
        List<String> sessions = new ArrayList<>();
        for (int s = 0; s < plan.sessions(); s++) {
            String id = cfg.runName() + "-chromium" + s;
            try {
                rest.createSession(s, id);
                sessions.add(id);
            } catch (Exception e) {
                m.errors.add(ErrorTally.kindOf("chromium:sessionCreate", e), ErrorTally.messageOf(e));
                sessions.add(null);
            }
        }
        List<Page> joined = new ArrayList<>();
        for (int i = 0; i < plan.count(); i++) {
            String sessionId = sessions.get(plan.sessionOf(i));
            if (sessionId != null) {
                join(i, sessionId, joined);
            }
        }
        for (Page page : joined) {
            page.browser().run("frameGaps.start();");
        }
        pages = List.copyOf(joined);
    }

    private void join(int index, String sessionId, List<Page> joined) {
        URI master = cfg.masters().get(index % cfg.masters().size());
        try {
            Browser browser = browsers.open("chromium-" + index);
            Connection connection = rest.createConnection(index, sessionId, "chromium-" + index).value();
            browser.open(URI.create(pageServer.uri(PAGE) + "?master="
                    + URLEncoder.encode(master.toString(), StandardCharsets.UTF_8)
                    + (cfg.browsers().addon() ? "&addon=on" : "")));
            String token = connection.token();
            URI socket = HarnessConfig.webSocketUri(master);
            String connectionId = browser.call("page.join", socket.getScheme() + "://" + socket.getAuthority()
                    + token.substring(token.indexOf('?'))).asText();
            joined.add(new Page(browser, sessionId, connectionId));
        } catch (Exception e) {
            m.errors.add(ErrorTally.kindOf("chromium:join", e), ErrorTally.messageOf(e));
        }
    }

    /** Once a second: the frames every page decoded since the last sample. */
    synchronized void sample(long second) {
        long total = 0;
        for (Page page : pages) {
            try {
                total += ((Number) page.browser().run("return frameGaps.frames;")).longValue();
            } catch (RuntimeException e) {
                m.errors.add(ErrorTally.kindOf("chromium:sample", e), ErrorTally.messageOf(e));
            }
        }
        if (framesPerSecond.size() < 7200) {
            framesPerSecond.add(new long[] {second, total - lastFrames});
        }
        lastFrames = total;
    }

    /** What the pages saw, stalls in run time; call after the load ended, before {@link #close()}. */
    synchronized BrowserResult result(List<FaultLog.Fault> faults) {
        long startWall = m.clock.startWall().toEpochMilli();
        List<BrowserResult.Stall> stalls = new ArrayList<>();
        List<Double> stallMs = new ArrayList<>();
        List<Double> recoveries = new ArrayList<>();
        List<Double> longest = new ArrayList<>();
        long subscriptions = 0;
        long sessionsLost = 0;
        long participantsLost = 0;
        for (Page page : pages) {
            JsonNode report;
            JsonNode events;
            try {
                report = page.browser().call("frameGaps.report");
                events = page.browser().call("page.report").path("events");
            } catch (RuntimeException e) {
                m.errors.add(ErrorTally.kindOf("chromium:report", e), ErrorTally.messageOf(e));
                continue;
            }
            long now = report.path("now").asLong();
            var remotes = report.path("lastFrame").fieldNames();
            while (remotes.hasNext()) {
                String remote = remotes.next();
                subscriptions++;
                long worst = now - report.path("lastFrame").path(remote).asLong();
                for (JsonNode gap : report.path("gaps").path(remote)) {
                    BrowserResult.Stall stall = new BrowserResult.Stall(page.connectionId(), remote,
                            gap.path("from").asLong() - startWall, gap.path("to").asLong() - startWall);
                    worst = Math.max(worst, stall.millis());
                    stallMs.add((double) stall.millis());
                    if (stalls.size() < BrowserResult.MAX_STALLS) {
                        stalls.add(stall);
                    }
                    FaultLog.Fault cause = ResultBuilder.faultNear(faults, stall.fromMillis());
                    if (cause != null) {
                        recoveries.add((double) (stall.toMillis() - cause.atMillis()));
                    }
                }
                longest.add((double) worst);
            }
            for (JsonNode event : events) {
                String type = event.path("type").asText();
                if (type.equals("sessionDisconnected")) {
                    sessionsLost++;
                } else if (type.equals("connectionDestroyed")) {
                    participantsLost++;
                }
            }
        }
        long frames = framesPerSecond.stream().mapToLong(p -> p[1]).sum();
        return new BrowserResult(cfg.browsers().count(), pages.size(), cfg.browsers().addon(), subscriptions, frames,
                ResultBuilder.ofValues(stallMs), ResultBuilder.ofValues(recoveries), ResultBuilder.ofValues(longest),
                sessionsLost, participantsLost, List.copyOf(stalls), List.copyOf(framesPerSecond));
    }

    /** Leaves, quits every browser and checks that no Chromium process is left. */
    @Override
    public synchronized void close() {
        for (Page page : pages) {
            try {
                page.browser().call("page.leave");
            } catch (RuntimeException e) {
                // quitting the browser below closes its socket anyway
            }
        }
        try {
            if (browsers != null) {
                browsers.close();
            }
        } finally {
            if (pageServer != null) {
                pageServer.close();
            }
        }
    }
}
