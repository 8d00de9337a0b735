package io.tessera.it.browser;

import io.tessera.loadtest.browser.Browsers;
import io.tessera.loadtest.browser.Browser;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.rest.RestResponse;
import io.tessera.it.ClusterProcesses;
import io.tessera.it.JanusEnvironment;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo page (/demo/) in real headless Chromium against a real cluster (2 masters, 1 media node) with
 * TESSERA_DEMO=on: the page loads the unmodified openvidu-browser from a master, refuses bad input with a message
 * before asking for a token, and two pages joining one session through different masters list each other (their
 * {@code connectionCreated} events) and see the other leave ({@code connectionDestroyed}); then two pages publish
 * their fake camera and microphone through Janus and each plays the other's video and audio.
 *
 * <p>Runs in the browser execution's network namespace (tag {@code browser}): Janus gathers on 127.0.0.2 there.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoPageBrowserTest {
    private static final Duration STARTUP = Duration.ofSeconds(150);
    private static final Duration PAGE = Duration.ofSeconds(30);
    private static final String SESSION = "demo-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static ClusterProcesses cluster;
    private static Browsers browsers;
    private static ClusterProcesses.Node m1;
    private static ClusterProcesses.Node m2;
    /** Two pages, each a browser of its own: the machine's two cores carry no more beside the cluster. */
    private static Browser ann;
    private static Browser bob;

    @BeforeAll
    static void start() {
        // Janus on the media node, gathering on the namespace's 127.0.0.2, remote candidates limited to loopback
        cluster = ClusterProcesses.start("DemoPageBrowserTest", 2, 1, JanusEnvironment.of(20200, 20299,
                Map.of("TESSERA_DEMO", "on")));
        cluster.awaitReady(STARTUP);
        m1 = cluster.masters().get(0);
        m2 = cluster.masters().get(1);
        browsers = new Browsers(2);
        ann = browsers.open("ann");
        bob = browsers.open("bob");
    }

    @AfterAll
    static void stop() {
        try {
            if (browsers != null) {
                browsers.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static URI demo(ClusterProcesses.Node master) {
        return master.httpBase().resolve("/demo/");
    }

    private static String text(Browser page, String id) {
        Object text = page.run("const e = document.getElementById(arguments[0]); return e ? e.textContent.trim() : '';", id);
        return text == null ? "" : text.toString();
    }

    private static boolean visible(Browser page, String id) {
        return Boolean.TRUE.equals(page.run("const e = document.getElementById(arguments[0]);"
                + " return !!e && !e.hidden;", id));
    }

    /** Fills the form as a person would and presses Join. */
    private static void join(Browser page, String session, String name) {
        page.run("document.getElementById('session-name').value = arguments[0];"
                + "document.getElementById('user-name').value = arguments[1];"
                + "document.getElementById('join').click();", session, name);
    }

    private static int participantCount(Browser page) {
        Object count = page.run("return document.getElementById('participant-count').dataset.count;");
        return count == null ? 0 : Integer.parseInt(count.toString());
    }

    @SuppressWarnings("unchecked")
    private static List<String> participants(Browser page) {
        return (List<String>) page.run("return [...document.querySelectorAll('#participants li')]"
                + ".map(li => li.textContent.trim()).sort();");
    }

    private static int tiles(Browser page) {
        return ((Number) page.run("return document.querySelectorAll('#tiles .tile').length;")).intValue();
    }

    private static JsonNode sessions() throws Exception {
        RestResponse list = cluster.rest(m1).send("GET", "/openvidu/api/sessions");
        assertEquals(200, list.status(), list.toString());
        return list.json();
    }

    @Test
    @Order(1)
    void thePageLoadsTheLibraryFromTheMasterAndSaysWhatIsWrongWithTheForm() throws Exception {
        ann.open(demo(m1));

        assertEquals("function", ann.run("return typeof OpenVidu;"), "openvidu-browser did not load from the master");
        assertEquals("2.32.2", ann.run("return new OpenVidu().libraryVersion;"));
        await("the page knows demo tokens are on").atMost(PAGE)
                .until(() -> Boolean.TRUE.equals(ann.run("return document.body.dataset.state === 'idle'"
                        + " && document.getElementById('notice').hidden;")));

        join(ann, "my room!", "Ann");
        await("session name refused").atMost(PAGE).until(() -> visible(ann, "error"));
        assertEquals("Session name must be 1-128 letters, digits, '-' or '_'.", text(ann, "error"));

        join(ann, SESSION, "   ");
        await("empty name refused").atMost(PAGE)
                .until(() -> text(ann, "error").equals("Your name must be 1-50 characters, no control characters."));
        join(ann, SESSION, "n".repeat(51));
        await("long name refused").atMost(PAGE).until(() -> text(ann, "error").startsWith("Your name must be"));

        assertTrue(visible(ann, "join-form") && !visible(ann, "room"), "the page left the form on bad input");
        assertEquals(0, sessions().path("numberOfElements").asInt(), "bad input created a session: " + sessions());
    }

    @Test
    @Order(2)
    void twoPagesJoinOneSessionThroughDifferentMastersAndSeeEachOther() throws Exception {
        ann.open(demo(m1));
        bob.open(demo(m2));

        join(ann, SESSION, "Ann");
        await("Ann in the session").atMost(PAGE).until(() -> participantCount(ann) == 1);
        assertEquals(List.of("Ann (you)"), participants(ann));
        assertEquals("Session " + SESSION, text(ann, "room-title"));
        assertTrue(!visible(ann, "join-form"), "the form is still shown after joining");

        join(bob, SESSION, "Bob");
        try {
            await("both pages list both participants").atMost(PAGE)
                    .until(() -> participantCount(ann) == 2 && participantCount(bob) == 2);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the pages did not list each other; Ann's page: " + participants(ann)
                    + " error '" + text(ann, "error") + "'; Bob's page: " + participants(bob) + " error '"
                    + text(bob, "error") + "' state " + bob.run("return document.body.dataset.state;"), e);
        }
        assertEquals(List.of("Ann (you)", "Bob"), participants(ann));
        assertEquals(List.of("Ann", "Bob (you)"), participants(bob));
        assertEquals(2, tiles(ann), "one video tile per participant");
        assertEquals(2, tiles(bob), "one video tile per participant");
        // The page's token endpoint created the session on demand, once, for both masters' pages.
        JsonNode session = cluster.rest(m2).send("GET", "/openvidu/api/sessions/" + SESSION).json();
        assertEquals(SESSION, session.path("sessionId").asText(), session.toString());
        assertEquals(2, session.path("connections").path("numberOfElements").asInt(), session.toString());

        bob.run("document.getElementById('leave').click();");
        await("Ann sees Bob leave").atMost(PAGE).until(() -> participantCount(ann) == 1);
        assertEquals(List.of("Ann (you)"), participants(ann));
        await("Bob's page is back at the form").atMost(PAGE)
                .until(() -> visible(bob, "join-form") && !visible(bob, "room") && tiles(bob) == 0);
    }

    /**
     * What a page shows of one participant's media: the tile's state text, and its video element playing frames and
     * carrying a live audio track.
     */
    private static String media(Browser page, String name) {
        return String.valueOf(page.run("const tile = [...document.querySelectorAll('#tiles .tile')]"
                + ".find(t => t.querySelector('.label').textContent === arguments[0]);"
                + "if (!tile) return 'no tile';"
                + "const v = tile.querySelector('video');"
                + "const audio = v && v.srcObject ? v.srcObject.getAudioTracks().filter(t => t.readyState === 'live').length : 0;"
                + "return tile.querySelector('.media-state').textContent + (v && v.videoWidth > 0 && v.currentTime > 0"
                + " ? ' video' : '') + (audio > 0 ? ' audio' : '');", name));
    }

    @Test
    @Order(3)
    void twoPagesPublishTheirCameraAndMicrophoneAndReceiveEachOther() {
        String session = SESSION + "-media";
        ann.open(demo(m2));
        bob.open(demo(m1));
        join(ann, session, "Ann");
        await("Ann in the session").atMost(PAGE).until(() -> participantCount(ann) == 1);
        join(bob, session, "Bob");

        try {
            await("each page publishes and plays the other's video and audio").atMost(Duration.ofSeconds(60))
                    .until(() -> media(ann, "Ann (you)").startsWith("publishing video")
                            && media(ann, "Bob").equals("receiving video audio")
                            && media(bob, "Bob (you)").startsWith("publishing video")
                            && media(bob, "Ann").equals("receiving video audio"));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("media did not flow through the page: Ann's page shows Ann '"
                    + media(ann, "Ann (you)") + "', Bob '" + media(ann, "Bob") + "', error '" + text(ann, "error")
                    + "'; Bob's page shows Bob '" + media(bob, "Bob (you)") + "', Ann '" + media(bob, "Ann")
                    + "', error '" + text(bob, "error") + "'", e);
        }
        assertTrue(!visible(ann, "error") && !visible(bob, "error"),
                "an error was shown: '" + text(ann, "error") + "' / '" + text(bob, "error") + "'");

        ann.run("document.getElementById('leave').click();");
        await("Bob sees Ann leave").atMost(PAGE).until(() -> participantCount(bob) == 1);
        bob.run("document.getElementById('leave').click();");
        await("Bob's page is back at the form").atMost(PAGE).until(() -> visible(bob, "join-form"));
    }
}
