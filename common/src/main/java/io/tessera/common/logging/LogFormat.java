package io.tessera.common.logging;

import ch.qos.logback.core.PropertyDefinerBase;

/**
 * Gives {@code logback.xml} the node's log format as {@link io.tessera.wire.log.LogFormat} chooses it; logback.xml
 * includes {@code tessera-log-<format>.xml}. An unknown value falls back to JSON with a warning, rather than to no
 * output at all (an include of a file that is not there would silence the node).
 */
public final class LogFormat extends PropertyDefinerBase {

    @Override
    public String getPropertyValue() {
        return io.tessera.wire.log.LogFormat.chosen(this::addWarn);
    }
}
