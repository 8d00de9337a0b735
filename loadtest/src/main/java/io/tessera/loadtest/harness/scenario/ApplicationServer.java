package io.tessera.loadtest.harness.scenario;

import io.tessera.client.rest.Connection;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestException;
import io.tessera.client.rest.Session;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The REST calls an application server makes, against a list of masters: a call goes to the preferred master
 * and, if that one cannot be reached, to the next (a dead master must not fail the run's REST side). A master's
 * refusal ({@link RestException}) is the answer, not a reason to ask another.
 */
final class ApplicationServer {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final List<MasterRestClient> masters;

    ApplicationServer(List<URI> masters, String secret) {
        this.masters = masters.stream().map(uri -> MasterRestClient.builder(uri).secret(secret)
                .connectTimeout(CONNECT_TIMEOUT).build()).toList();
    }

    /** A call's result and how many masters were skipped before one answered. */
    record Answer<T>(T value, int failovers) {
    }

    Answer<Session> createSession(int preferred, String sessionId) throws IOException, InterruptedException {
        return withFailover(preferred, master -> master.createSession(sessionId));
    }

    Answer<Connection> createConnection(int preferred, String sessionId, String data)
            throws IOException, InterruptedException {
        return withFailover(preferred, master -> master.createConnection(sessionId, ConnectionProperties.publisher(data)));
    }

    private interface Call<T> {
        T on(MasterRestClient master) throws IOException, InterruptedException;
    }

    private <T> Answer<T> withFailover(int preferred, Call<T> call) throws IOException, InterruptedException {
        IOException last = null;
        for (int i = 0; i < masters.size(); i++) {
            try {
                return new Answer<>(call.on(masters.get((preferred + i) % masters.size())), i);
            } catch (RestException refused) {
                throw refused;
            } catch (IOException e) {
                last = e; // this master is down or frozen: try the next one
            }
        }
        throw last;
    }
}
