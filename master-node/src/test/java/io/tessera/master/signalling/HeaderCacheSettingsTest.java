package io.tessera.master.signalling;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A master's HTTP server caches no header value per connection: the cache's first value made every WebSocket copy
 * Pekko HTTP's header table (~5 KB) and keep it for its life (docs/BENCHMARKS.md "What a socket holds, and two arrays
 * less"). Pekko's own defaults cache 12 values of most headers and 32 of User-Agent.
 */
class HeaderCacheSettingsTest {

    @Test
    void aMastersServerCachesNoHeaderValue() {
        Map<String, Object> limits = ServerSettings.create(ConfigFactory.load("tessera-master")).getParserSettings()
                .getHeaderValueCacheLimits();
        assertFalse(limits.isEmpty(), "the limits are read from the server's parsing settings");
        assertTrue(limits.containsKey("default"), "the limit for headers not named: " + limits);
        limits.forEach((header, limit) -> assertTrue(((Number) limit).intValue() == 0, header + " caches " + limit));
    }
}
