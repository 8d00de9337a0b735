package io.tessera.aws.lifecycle;

import ch.qos.logback.core.PropertyDefinerBase;

/** Gives this handler's logback.xml the log format, chosen as the nodes choose it ({@link io.tessera.wire.log.LogFormat}). */
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
