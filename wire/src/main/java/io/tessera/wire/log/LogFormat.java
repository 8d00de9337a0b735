package io.tessera.wire.log;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * The log format a Tessera process writes: {@code TESSERA_LOG_FORMAT} ({@code json}, the default, or {@code text}),
 * or the system property {@code tessera.log.format}. An unknown value falls back to JSON (with a warning, by the
 * caller), rather than to no output at all. Logback reads it through a property definer in each process's module.
 */
public final class LogFormat {
    public static final String ENV = "TESSERA_LOG_FORMAT";
    public static final String PROPERTY = "tessera.log.format";
    public static final String JSON = "json";
    public static final String TEXT = "text";

    private LogFormat() {
    }

    /** The configured format, {@code json} or {@code text}; a value that names neither is reported to {@code warnings}. */
    public static String chosen(Consumer<String> warnings) {
        String raw = configured();
        String warning = warning(raw);
        if (warning != null) {
            warnings.accept(warning);
        }
        return resolve(raw);
    }

    /** The raw setting: the system property, else the environment variable; null when neither is set. */
    public static String configured() {
        return System.getProperty(PROPERTY, System.getenv(ENV));
    }

    /** {@code json} or {@code text}: what {@code raw} asks for, JSON for anything but text. */
    public static String resolve(String raw) {
        if (raw != null && raw.trim().toLowerCase(Locale.ROOT).equals(TEXT)) {
            return TEXT;
        }
        return JSON;
    }

    /** A warning when {@code raw} is set but names neither format, else null. */
    public static String warning(String raw) {
        if (raw != null && !raw.isBlank() && !resolve(raw).equalsIgnoreCase(raw.trim())) {
            return ENV + "='" + LogSafe.text(raw) + "' is neither json nor text: using json";
        }
        return null;
    }
}
