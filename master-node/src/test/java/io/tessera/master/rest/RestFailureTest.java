package io.tessera.master.rest;

import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a failed request is answered: an ask that timed out inside the master is retryable (503), anything else 500. */
class RestFailureTest {
    @Test
    void anAskThatTimedOutIsA503AndAnUnknownFailureA500() {
        HttpResponse timedOut = RestApi.failure(new CompletionException(
                new TimeoutException("Ask timed out on [Actor[pekko://tessera/system/typedDdataReplicator]]")),
                "/openvidu/api/sessions");
        assertEquals(503, timedOut.status().intValue());
        HttpResponse unknown = RestApi.failure(new CompletionException(new IllegalStateException("boom")),
                "/openvidu/api/sessions");
        assertEquals(500, unknown.status().intValue());
    }
}
