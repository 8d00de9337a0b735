package io.tessera.common.logging;

import ch.qos.logback.core.PropertyDefinerBase;

import java.util.Locale;

/**
 * Picks the log format for {@code logback.xml}: {@code TESSERA_LOG_FORMAT} ({@code json}, the default, or
 * {@code text}), or the system property {@code tessera.log.format}. An unknown value falls back to JSON with a
 * warning, rather than to no output at all (a bare {@code ${...}} in an appender-ref would silence the node).
 */
public final class LogFormat extends PropertyDefinerBase {
    public static final String ENV = "TESSERA_LOG_FORMAT";
    public static final String PROPERTY = "tessera.log.format";

    @Override
    public String getPropertyValue() {
        String raw = System.getProperty(PROPERTY, System.getenv(ENV));
        String format = resolve(raw);
        if (raw != null && !raw.isBlank() && !format.equalsIgnoreCase(raw.trim())) {
            addWarn(ENV + "='" + raw + "' is neither json nor text: using json");
        }
        return format;
    }

    /** "JSON" or "TEXT", the names of the appenders in logback.xml. */
    static String resolve(String raw) {
        if (raw != null && raw.trim().toLowerCase(Locale.ROOT).equals("text")) {
            return "TEXT";
        }
        return "JSON";
    }
}
