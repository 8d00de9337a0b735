package io.tessera.aws.lifecycle;

import ch.qos.logback.core.PropertyDefinerBase;

/** Gives this handler's logback.xml the log format, chosen as the nodes choose it ({@link io.tessera.wire.log.LogFormat}). */
public final class LogFormat extends PropertyDefinerBase {
    @Override
    public String getPropertyValue() {
        return io.tessera.wire.log.LogFormat.chosen(this::addWarn);
    }
}
