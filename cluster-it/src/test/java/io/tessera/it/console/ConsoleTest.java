package io.tessera.it.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.it.ClusterProcesses;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.SignallingClient;
import io.tessera.client.TesseraToken;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestResponse;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import io.tessera.wire.sdp.PlainRtpAnswer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator console in real headless Chromium against a real cluster (3 masters, 2 media nodes): login with a
 * wrong then the right secret, the cluster view, a session created over REST appearing live, a media node killed
 * (down, sessions moved, timeline), a drain and its undo from the page (seen by the REST API), closing a session and
 * evicting a connection from the page, and the page moving to another master when its own dies.
 * Screenshots: {@code target/console-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleTest {
    private static final Duration STARTUP = Duration.ofSeconds(150);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static ClusterProcesses cluster;
    private static ConsoleBrowser browser;
    private static WebDriver page;
    private static ClusterProcesses.Node m1;
    private static ClusterProcesses.Node m2;

    @BeforeAll
    static void start() {
        cluster = ClusterProcesses.start("ConsoleTest", 3, 2);
        cluster.awaitReady(STARTUP);
        m1 = cluster.masters().get(0);
        m2 = cluster.masters().get(1);
        browser = ConsoleBrowser.start(Path.of("target", "console-screenshots"));
        page = browser.driver();
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static List<WebElement> all(String css) {
        return page.findElements(By.cssSelector(css));
    }

    /** The visible text of the first match, read in one script call: the page re-renders tables as data arrives. */
    private static String text(String css) {
        Object text = ((JavascriptExecutor) page).executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : '';", css);
        return text == null ? "" : text.toString();
    }

    /** Clicks the first match, again if the page replaced it between finding and clicking. */
    private static void click(String css) {
        await("click " + css).atMost(Duration.ofSeconds(5)).ignoreException(StaleElementReferenceException.class)
                .until(() -> {
                    page.findElement(By.cssSelector(css)).click();
                    return true;
                });
    }

    @Test
    @Order(1)
    void a_wrong_secret_is_refused_with_a_clear_error_and_the_right_one_shows_3_masters_and_2_media_nodes() throws Exception {
        page.get(m1.httpBase().resolve("/console/").toString());
        page.findElement(By.id("secret")).sendKeys("not-the-secret");
        click("#login-button");
        await("login error").atMost(Duration.ofSeconds(5))
                .until(() -> text("#login-error").contains("Wrong secret"));
        assertTrue(all("#masters").isEmpty(), "nothing of the cluster is shown without the secret");
        browser.screenshot("01-wrong-secret");

        // The feed refuses a wrong secret too (the page never gets that far, so asked directly).
        RestResponse feed = cluster.rest(m1).withSecret("not-the-secret").send("GET", "/console/api/feed");
        assertEquals(401, feed.status(), feed.toString());
        assertTrue(feed.json().path("message").asText().contains("wrong secret"), feed.toString());

        WebElement secret = page.findElement(By.id("secret"));
        secret.clear();
        secret.sendKeys(cluster.secret());
        click("#login-button");
        await("3 masters and 2 media nodes shown").atMost(Duration.ofSeconds(10)).until(() ->
                all("#masters tbody tr").size() == 3 && all("#media-nodes tbody tr").size() == 2
                        && text("#media-nodes tr[data-node='media-1'] .status").equals("running")
                        && text("#media-nodes tr[data-node='media-2'] .status").equals("running")
                        && text("#feed-state").equals("live"));
        for (String master : List.of("master-1", "master-2", "master-3")) {
            assertEquals("up", text("#masters tr[data-master='" + master + "'] .status"));
        }
        assertTrue(text("#ha-plan").contains("configured: 1"), text("#ha-plan"));
        browser.screenshot("02-cluster");
    }

    @Test
    @Order(2)
    void a_session_created_over_rest_through_another_master_appears_within_a_second() throws Exception {
        go("#/sessions");
        String sid = "console-" + RUN;
        RestResponse created = cluster.rest(m2).sendJson("POST", "/openvidu/api/sessions",
                Map.of("customSessionId", sid, "mediaNode", Map.of("id", "media-1")));
        long createdAt = System.nanoTime();
        assertEquals(200, created.status(), created.toString());
        await("session row").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> !all("#sessions-table tr[data-session='" + sid + "']").isEmpty());
        long millis = (System.nanoTime() - createdAt) / 1_000_000;
        System.out.println("ConsoleTest: session created through master-2 shown by master-1's console after "
                + millis + " ms");
        assertEquals("media-1", text("#sessions-table tr[data-session='" + sid + "'] .media-node"));
        await("timeline entry").atMost(Duration.ofSeconds(2))
                .until(() -> text("#timeline").contains("session " + sid + " created on media-1"));
        browser.screenshot("03-sessions");
    }

    @Test
    @Order(3)
    void a_killed_media_node_shows_down_and_its_sessions_moved() throws Exception {
        String sid = "console-" + RUN;
        String second = "console-b-" + RUN;
        assertEquals(200, cluster.rest(m1).sendJson("POST", "/openvidu/api/sessions",
                Map.of("customSessionId", second, "mediaNode", Map.of("id", "media-1"))).status());
        go("#/cluster");
        await("media-1 has the two sessions").atMost(Duration.ofSeconds(5))
                .until(() -> text("#media-nodes tr[data-node='media-1'] .sessions").startsWith("2 /"));

        cluster.kill(cluster.node("media-1"));
        long killedAt = System.nanoTime();
        await("media-1 shown down").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> text("#media-nodes tr[data-node='media-1'] .status").startsWith("down"));
        System.out.println("ConsoleTest: media-1 shown down " + (System.nanoTime() - killedAt) / 1_000_000
                + " ms after the kill");
        await("the timeline tells the node and the moves").atMost(Duration.ofSeconds(20)).until(() -> {
            String timeline = text("#timeline");
            // Unreachable, or already removed when the failover coordinator downed it within one sample.
            return (timeline.contains("media node media-1 is unreachable")
                    || timeline.contains("media node media-1 left the cluster"))
                    && timeline.contains("session " + sid + " moved from media-1 to media-2")
                    && timeline.contains("session " + second + " moved from media-1 to media-2");
        });
        browser.screenshot("04-media-node-killed");
        go("#/sessions");
        await("sessions table shows them on media-2").atMost(Duration.ofSeconds(5)).until(() ->
                text("#sessions-table tr[data-session='" + sid + "'] .media-node").equals("media-2")
                        && text("#sessions-table tr[data-session='" + second + "'] .media-node").equals("media-2"));
        browser.screenshot("05-sessions-moved");
    }

    @Test
    @Order(4)
    void a_drain_from_the_console_is_visible_in_the_rest_api_and_undone_from_the_console() throws Exception {
        go("#/cluster");
        await("drain button").atMost(Duration.ofSeconds(5))
                .until(() -> !all("button[data-drain='media-2']").isEmpty());
        click("button[data-drain='media-2']");
        WebElement deadline = page.findElement(By.id("confirm-number"));
        deadline.clear();
        deadline.sendKeys("900");
        click("#confirm-cancel");
        assertEquals("running", mediaNodeStatus("media-2"), "cancel does nothing");

        click("button[data-drain='media-2']");
        deadline = page.findElement(By.id("confirm-number"));
        deadline.clear();
        deadline.sendKeys("900");
        click("#confirm-ok");
        await("media-2 draining in /openvidu/api/media-nodes").atMost(Duration.ofSeconds(5))
                .until(() -> "draining".equals(mediaNodeStatus("media-2")));
        await("the page shows the drain and its deadline").atMost(Duration.ofSeconds(5)).until(() ->
                text("#media-nodes tr[data-node='media-2'] .status").equals("draining")
                        && text("#media-nodes tr[data-node='media-2'] .deadline").startsWith("in 14 min")
                        && text("#timeline").contains("media node media-2: running -> draining (drain started)"));
        browser.screenshot("06-draining");

        click("button[data-undrain='media-2']");
        click("#confirm-ok");
        await("media-2 running again").atMost(Duration.ofSeconds(5))
                .until(() -> "running".equals(mediaNodeStatus("media-2")));
        await("timeline").atMost(Duration.ofSeconds(5))
                .until(() -> text("#timeline").contains("media node media-2: draining -> running (drain undone)"));

        // A drain set through another master: the page (served by master-1) still shows its deadline.
        RestResponse elsewhere = cluster.rest(m2).sendJson("PATCH", "/openvidu/api/media-nodes/media-2",
                Map.of("status", "draining", "deadline", 1800));
        assertEquals(200, elsewhere.status(), elsewhere.toString());
        await("the deadline set through master-2 shown").atMost(Duration.ofSeconds(5)).until(() ->
                text("#media-nodes tr[data-node='media-2'] .deadline").matches("in (29|30) min .*"));
        browser.screenshot("07-drained-through-another-master");
        assertEquals(200, cluster.rest(m2).sendJson("PATCH", "/openvidu/api/media-nodes/media-2",
                Map.of("status", "running")).status());
        await("no deadline once undone").atMost(Duration.ofSeconds(5))
                .until(() -> text("#media-nodes tr[data-node='media-2'] .deadline").equals("-"));
    }

    @Test
    @Order(5)
    void the_session_list_counts_the_streams_and_the_session_page_lists_them() throws Exception {
        String sid = "console-streams-" + RUN; // its own: the session ends when the last of these two leaves
        MasterRestClient rest = cluster.rest(m2);
        assertEquals(200, rest.sendJson("POST", "/openvidu/api/sessions", Map.of("customSessionId", sid)).status());
        String publisherToken = rest.sendJson("POST", "/openvidu/api/sessions/" + sid + "/connection", Map.of())
                .json().path("token").asText();
        String viewerToken = rest.sendJson("POST", "/openvidu/api/sessions/" + sid + "/connection", Map.of())
                .json().path("token").asText();
        InetAddress local = InetAddress.getByName("127.0.0.1");
        try (RtpReactor reactor = new RtpReactor("console-test-rtp");
             SignallingClient publisher = SignallingClient.builder(m2.webSocketUri()).connect();
             SignallingClient viewer = SignallingClient.builder(cluster.masters().get(2).webSocketUri()).connect();
             SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(local)
                     .packetsPerSecond(30).packetSize(500).bind();
             RtpReceiver sink = RtpReceiver.builder(reactor).localAddress(local).bind()) {
            String publisherId = publisher.joinRoom(TesseraToken.parse(publisherToken), "{}").get(15, TimeUnit.SECONDS)
                    .connectionId();
            viewer.joinRoom(TesseraToken.parse(viewerToken), "{}").get(15, TimeUnit.SECONDS);
            PublishResult published = publisher.publishVideo(PublishOptions.camera(source.sdpOffer()))
                    .get(15, TimeUnit.SECONDS);
            source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
            sink.remote(PlainRtpAnswer.parse(viewer.receiveVideoFrom(published.streamId(), sink.sdpOffer(96, "VP8"))
                    .get(15, TimeUnit.SECONDS)));

            go("#/sessions");
            await("the session list counts 1 stream").atMost(Duration.ofSeconds(5))
                    .until(() -> text("#sessions-table tr[data-session='" + sid + "'] .streams").equals("1"));
            go("#/sessions/" + sid);
            String row = "#streams tr[data-stream='" + published.streamId() + "']";
            await("the session page lists the stream with its publisher and one receiver").atMost(Duration.ofSeconds(5))
                    .until(() -> text(row).contains(publisherId) && text(row + " .receivers").equals("1")
                            && text(row).contains("640x480 30 fps") && text("#session-page .streams").equals("1"));
            browser.screenshot("08-session-streams");

            publisher.unpublishVideo().get(15, TimeUnit.SECONDS);
            await("the stream is gone from the page").atMost(Duration.ofSeconds(5))
                    .until(() -> all(row).isEmpty() && text("#session-page .streams").equals("0"));
            publisher.leaveRoom().get(15, TimeUnit.SECONDS);
            viewer.leaveRoom().get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(6)
    void evicting_a_connection_and_closing_a_session_from_the_session_page() throws Exception {
        String sid = "console-" + RUN;
        RestResponse connection = cluster.rest(m1).sendJson("POST", "/openvidu/api/sessions/" + sid + "/connection",
                Map.of("data", "alice"));
        assertEquals(200, connection.status(), connection.toString());
        String connectionId = connection.json().path("connectionId").asText();
        go("#/sessions/" + sid);
        await("participant listed").atMost(Duration.ofSeconds(5))
                .until(() -> !all("#participants tr[data-connection='" + connectionId + "']").isEmpty());
        browser.screenshot("09-session-page");
        click("button[data-evict='" + connectionId + "']");
        click("#confirm-ok");
        await("connection gone over REST").atMost(Duration.ofSeconds(5)).until(() -> cluster.rest(m2)
                .send("GET", "/openvidu/api/sessions/" + sid + "/connection/" + connectionId).status() == 404);

        click("#close-session");
        click("#confirm-ok");
        await("session gone over REST").atMost(Duration.ofSeconds(5))
                .until(() -> cluster.rest(m2).send("GET", "/openvidu/api/sessions/" + sid).status() == 404);
        await("timeline").atMost(Duration.ofSeconds(3))
                .until(() -> text("#timeline").contains("session " + sid + " closed"));
    }

    @Test
    @Order(7)
    void the_page_keeps_working_through_another_master_when_its_own_dies() throws Exception {
        go("#/sessions");
        await("the page knows the other masters").atMost(Duration.ofSeconds(10)).until(() ->
                text("#masters").contains(m2.httpBase().toString().replaceAll("/$", ""))
                        || all("#masters a").size() >= 3);
        cluster.kill(m1);
        long killedAt = System.nanoTime();
        await("the page moved to another master").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> !text("#via").contains("master-1") && text("#feed-state").equals("live"));
        System.out.println("ConsoleTest: console moved to another master (" + text("#via") + ") "
                + (System.nanoTime() - killedAt) / 1_000_000 + " ms after its master was killed");
        String sid = "console-after-" + RUN;
        assertEquals(200, cluster.rest(m2).sendJson("POST", "/openvidu/api/sessions", Map.of("customSessionId", sid)).status());
        await("a new session still appears").atMost(Duration.ofSeconds(3))
                .until(() -> !all("#sessions-table tr[data-session='" + sid + "']").isEmpty());
        browser.screenshot("10-after-master-died");
    }

    private static String mediaNodeStatus(String id) throws Exception {
        JsonNode nodes = cluster.rest(m2).send("GET", "/openvidu/api/media-nodes").json().path("content");
        for (JsonNode n : nodes) {
            if (id.equals(n.path("id").asText())) {
                return n.path("status").asText();
            }
        }
        return "absent";
    }

    /** Moves within the page (a hash change: the page, and the credential in its memory, stay). */
    private static void go(String hash) {
        ((JavascriptExecutor) page).executeScript("window.location.hash = arguments[0]", hash);
    }
}
