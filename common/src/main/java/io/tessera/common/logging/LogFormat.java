package io.tessera.common.logging;

import ch.qos.logback.core.PropertyDefinerBase;

/**
 * Gives {@code logback.xml} the node's log format, as {@link io.tessera.wire.log.LogFormat} chooses it
 * ({@code TESSERA_LOG_FORMAT}: json, the default, or text); logback.xml includes {@code tessera-log-<format>.xml}. An
 * unknown value falls back to JSON with a warning, rather than to no output at all (an include of a file that is not
 * there would silence the node).
 */
public final class LogFormat extends PropertyDefinerBase {

    @Override
    public String getPropertyValue() {
        String raw = io.tessera.wire.log.LogFormat.configured();
        String warning = io.tessera.wire.log.LogFormat.warning(raw);
        if (warning != null) {
            addWarn(warning);
        }
        return io.tessera.wire.log.LogFormat.resolve(raw);
    }
}
