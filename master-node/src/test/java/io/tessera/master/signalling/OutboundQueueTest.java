package io.tessera.master.signalling;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A socket's outbound stream holds exactly {@code outbound-buffer} messages for a client that does not read, and
 * fails at the next one, whether its buffer is one array from the start (a bound up to
 * {@link SignallingRoute#EAGER_OUTBOUND_BUFFER}) or a queue that grows as it fills (above it, the default 1 024).
 */
class OutboundQueueTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final long WAIT_SECONDS = 10;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** The client's side: reads only what the test asks for. */
    private static final class Reader implements Subscriber<String> {
        final CompletableFuture<Subscription> subscription = new CompletableFuture<>();
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> failure = new CompletableFuture<>();

        @Override
        public void onSubscribe(Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(String text) {
            received.add(text);
        }

        @Override
        public void onError(Throwable t) {
            failure.complete(t);
        }

        @Override
        public void onComplete() {
            failure.complete(null);
        }

        List<String> take(int n) throws InterruptedException {
            List<String> texts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String text = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
                assertTrue(text != null, "message " + i + " of " + n + " did not arrive; stream ended with "
                        + failure.getNow(null));
                texts.add(text);
            }
            return texts;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 1024})
    void holdsItsBoundForAClientThatDoesNotReadAndFailsOnePast(int bound) throws Exception {
        Reader reader = new Reader();
        ActorRef<String> queue = SignallingRoute.outboundQueue(bound, 1 << 20).to(Sink.fromSubscriber(reader))
                .run(Materializer.matFromSystem(testKit.system()));
        Subscription subscription = reader.subscription.get(WAIT_SECONDS, TimeUnit.SECONDS);

        // The bound fits: nothing read until all of it waits (an overflow would fail the stream at once, before the
        // reads below, which go to the same stream actor after the messages).
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < bound; i++) {
            sent.add("m" + i);
            queue.tell("m" + i);
        }
        subscription.request(bound);
        assertEquals(sent, reader.take(bound), "every message, in order");
        assertFalse(reader.failure.isDone(), "no failure with " + bound + " waiting: " + reader.failure.getNow(null));

        // Read out, nothing asked for: one more than the bound fails the stream.
        for (int i = 0; i <= bound; i++) {
            queue.tell("n" + i);
        }
        Throwable failure = reader.failure.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertInstanceOf(BufferOverflowException.class, failure, "ended with " + failure);
        assertTrue(reader.received.isEmpty(), "nothing delivered without demand: " + reader.received.size());
    }
}
