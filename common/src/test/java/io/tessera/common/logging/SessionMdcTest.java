package io.tessera.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class SessionMdcTest {
    @Test
    void setsTheIdsAndRestoresWhatWasThere() {
        MDC.put(LogKeys.SESSION_ID, "outer");
        try (SessionMdc mdc = SessionMdc.of("ses_1", "con_1", null)) {
            assertEquals("ses_1", MDC.get(LogKeys.SESSION_ID));
            assertEquals("con_1", MDC.get(LogKeys.CONNECTION_ID));
            assertNull(MDC.get(LogKeys.MEDIA_NODE_ID));
        }
        assertEquals("outer", MDC.get(LogKeys.SESSION_ID));
        assertNull(MDC.get(LogKeys.CONNECTION_ID));
        MDC.clear();
    }
}
