package io.tessera.master.signalling;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

/** The outbox of a socket whose outbound stream is attached after the connection's actor started sending. */
class OutboxTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void whatCameBeforeTheStreamGoesOutFirstInOrder() {
        TestProbe<String> stream = testKit.createTestProbe();
        Outbox outbox = new Outbox(1 << 20);
        outbox.tell("masterLeaving");
        outbox.tell(ClientConnection.CLOSE);
        stream.expectNoMessage(Duration.ofMillis(50));
        outbox.attach(stream.getRef());
        stream.expectMessage("masterLeaving");
        stream.expectMessage(ClientConnection.CLOSE);
        outbox.tell("after");
        stream.expectMessage("after");
    }

    @Test
    void tooMuchBeforeTheStreamFailsItOnceAttached() {
        TestProbe<String> stream = testKit.createTestProbe();
        Outbox outbox = new Outbox(1 << 20);
        for (int i = 0; i < 40; i++) {
            outbox.tell("event " + i);
        }
        outbox.attach(stream.getRef());
        stream.expectMessage(Outbox.OVERFLOW);
        stream.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void moreCharactersThanTheBoundFailTheStream() {
        TestProbe<String> stream = testKit.createTestProbe();
        Outbox outbox = new Outbox(stream.getRef(), 10);
        outbox.tell("12345");
        stream.expectMessage("12345");
        outbox.tell("123456");
        stream.expectMessage(Outbox.OVERFLOW);
        outbox.taken("12345");
        outbox.tell("1234");
        stream.expectMessage("1234");
    }
}
