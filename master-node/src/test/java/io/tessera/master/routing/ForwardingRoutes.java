package io.tessera.master.routing;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Routes that pass every call to {@link #delegate()}: a test scripts the few calls it is about (a lagging replica,
 * slow writes) by overriding them, and the rest behave as the delegate does.
 */
public abstract class ForwardingRoutes implements Routes {

    protected abstract Routes delegate();

    @Override
    public CompletionStage<Optional<SessionRecord>> session(String sessionId) {
        return delegate().session(sessionId);
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> sessionFromMajority(String sessionId) {
        return delegate().sessionFromMajority(sessionId);
    }

    @Override
    public CompletionStage<CreateOutcome> createSession(SessionRecord record) {
        return delegate().createSession(record);
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> relocateSession(String sessionId, String fromMediaNodeId,
                                                                    String toMediaNodeId) {
        return delegate().relocateSession(sessionId, fromMediaNodeId, toMediaNodeId);
    }

    @Override
    public CompletionStage<Boolean> removeSession(String sessionId) {
        return delegate().removeSession(sessionId);
    }

    @Override
    public CompletionStage<List<SessionRecord>> allSessions() {
        return delegate().allSessions();
    }

    @Override
    public CompletionStage<Void> putConnection(ConnectionRecord record) {
        return delegate().putConnection(record);
    }

    @Override
    public CompletionStage<Optional<ConnectionRecord>> updateConnection(String sessionId, String connectionId,
                                                                       Function<ConnectionRecord, ConnectionRecord> change) {
        return delegate().updateConnection(sessionId, connectionId, change);
    }

    @Override
    public CompletionStage<Boolean> removeConnection(String sessionId, String connectionId) {
        return delegate().removeConnection(sessionId, connectionId);
    }

    @Override
    public CompletionStage<List<ConnectionRecord>> connections(String sessionId) {
        return delegate().connections(sessionId);
    }

    @Override
    public CompletionStage<Optional<ConnectionRecord>> findConnection(String sessionId,
                                                                      Predicate<ConnectionRecord> match) {
        return delegate().findConnection(sessionId, match);
    }
}
