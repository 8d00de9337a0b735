package io.tessera.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's callbacks of one client, as a {@link SignallingListener}: each is called so that a failing one is
 * logged and cannot break the SDK thread that called it, and the close callback runs exactly once, even when it is
 * set after the client ended.
 */
final class Callbacks implements SignallingListener {

    private static final Logger log = LoggerFactory.getLogger(Callbacks.class);

    private volatile Consumer<ServerEvent> onEvent;
    /** Listeners of SDK parts (such as {@link MediaRecovery}), called after {@link #onEvent}. */
    private final List<Consumer<ServerEvent>> eventHooks = new CopyOnWriteArrayList<>();
    private final Consumer<Reconnecting> onReconnecting;
    private final Consumer<Reconnected> onReconnected;
    private final Consumer<Disconnected> onDisconnected;
    private Consumer<CloseInfo> onClose; // guarded by this
    private CloseInfo closedWith; // guarded by this; set once

    Callbacks(Consumer<ServerEvent> onEvent, Consumer<Reconnecting> onReconnecting,
              Consumer<Reconnected> onReconnected, Consumer<Disconnected> onDisconnected,
              Consumer<CloseInfo> onClose) {
        this.onEvent = onEvent;
        this.onReconnecting = onReconnecting;
        this.onReconnected = onReconnected;
        this.onDisconnected = onDisconnected;
        this.onClose = onClose;
    }

    void replaceOnEvent(Consumer<ServerEvent> listener) {
        this.onEvent = listener;
    }

    void addEventHook(Consumer<ServerEvent> hook) {
        eventHooks.add(hook);
    }

    /** Replaces the close callback; calls it at once when the client has already ended. */
    void replaceOnClose(Consumer<CloseInfo> listener) {
        CloseInfo already;
        synchronized (this) {
            onClose = listener;
            already = closedWith;
        }
        if (already != null) {
            call(listener, already, "close listener");
        }
    }

    @Override
    public void onEvent(ServerEvent event) {
        call(onEvent, event, "event listener");
        for (Consumer<ServerEvent> hook : eventHooks) {
            call(hook, event, "event hook");
        }
    }

    @Override
    public void onReconnecting(Reconnecting attempt) {
        call(onReconnecting, attempt, "reconnecting listener");
    }

    @Override
    public void onReconnected(Reconnected info) {
        call(onReconnected, info, "reconnected listener");
    }

    @Override
    public void onDisconnected(Disconnected info) {
        call(onDisconnected, info, "disconnected listener");
    }

    /** Calls the close callback unless the client already ended. */
    @Override
    public void onClose(CloseInfo info) {
        Consumer<CloseInfo> listener;
        synchronized (this) {
            // Under the lock so that a callback set concurrently (replaceOnClose) is called exactly once.
            if (closedWith != null) {
                return;
            }
            closedWith = info;
            listener = onClose;
        }
        call(listener, info, "close listener");
    }

    private static <T> void call(Consumer<T> listener, T value, String what) {
        if (listener == null) {
            return;
        }
        try {
            listener.accept(value);
        } catch (RuntimeException e) {
            // Not the value itself: events and resume results may carry a resume secret.
            log.warn("{} failed on {}", what, value instanceof ServerEvent ev ? ev.method()
                    : value.getClass().getSimpleName(), e);
        }
    }
}
