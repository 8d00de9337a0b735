package io.tessera.aws.lifecycle;

import ch.qos.logback.core.PropertyDefinerBase;

import java.util.Locale;

/**
 * {@code TESSERA_LOG_FORMAT} ({@code json}, the default, or {@code text}) for this handler's logback.xml, as the
 * nodes read it (io.tessera.common.logging.LogFormat; this module does not depend on the nodes' common module).
 */
public final class LogFormat extends PropertyDefinerBase {
    @Override
    public String getPropertyValue() {
        String raw = System.getProperty("tessera.log.format", System.getenv("TESSERA_LOG_FORMAT"));
        return raw != null && raw.trim().toLowerCase(Locale.ROOT).equals("text") ? "text" : "json";
    }
}
