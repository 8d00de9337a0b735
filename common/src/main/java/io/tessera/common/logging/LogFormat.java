package io.tessera.common.logging;

import ch.qos.logback.core.PropertyDefinerBase;

import java.util.Locale;

/**
 * Picks the log format for {@code logback.xml}: {@code TESSERA_LOG_FORMAT} ({@code json}, the default, or
 * {@code text}), or the system property {@code tessera.log.format}. An unknown value falls back to JSON with a
 * warning, rather than to no output at all (an include of a file that is not there would silence the node).
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

    /** "json" or "text": logback.xml includes {@code tessera-log-<format>.xml}. */
    static String resolve(String raw) {
        if (raw != null && raw.trim().toLowerCase(Locale.ROOT).equals("text")) {
            return "text";
        }
        return "json";
    }
}
