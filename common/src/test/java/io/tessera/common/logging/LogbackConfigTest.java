package io.tessera.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The nodes' logback.xml, loaded as a node loads it, encodes the fields docs/OPERATIONS.md "Logs" promises. */
class LogbackConfigTest {
    private final LoggerContext context = new LoggerContext();

    @AfterEach
    void stop() {
        context.stop();
        System.clearProperty(io.tessera.wire.log.LogFormat.PROPERTY);
    }

    @Test
    void jsonIsTheDefaultAndCarriesNodeMdcAndException() throws Exception {
        configure(null);
        context.putProperty(LogKeys.NODE_ID, "master-7");
        context.putProperty(LogKeys.ROLE, "master");
        LoggingEvent event = event("session {} created", "ses_A");
        event.setMDCPropertyMap(Map.of(LogKeys.SESSION_ID, "ses_A", LogKeys.CONNECTION_ID, "con_B"));
        event.setThrowableProxy(new ch.qos.logback.classic.spi.ThrowableProxy(new IllegalStateException("boom")));

        String line = encode(event);

        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line per event: " + line);
        JsonNode json = new ObjectMapper().readTree(line);
        assertTrue(json.path("timestamp").asText().endsWith("Z"), line);
        assertEquals("INFO", json.path("level").asText());
        assertEquals("io.tessera.test", json.path("logger").asText());
        assertEquals("test-thread", json.path("thread").asText());
        assertEquals("session ses_A created", json.path("message").asText());
        assertEquals("master-7", json.path("nodeId").asText());
        assertEquals("master", json.path("role").asText());
        assertEquals("ses_A", json.path("sessionId").asText());
        assertEquals("con_B", json.path("connectionId").asText());
        assertTrue(json.path("stackTrace").asText().contains("IllegalStateException: boom"), line);
    }

    @Test
    void textWhenAsked() {
        configure("text");
        LoggingEvent event = event("hello {}", "world");
        event.setMDCPropertyMap(Map.of(LogKeys.SESSION_ID, "ses_A"));

        String line = encode(event);

        assertTrue(line.contains("INFO") && line.contains("hello world session=ses_A"), line);
        assertFalse(line.contains("connection="), "no empty MDC suffix: " + line);
        assertFalse(line.startsWith("{"), line);
    }

    @Test
    void pekkosWarningAboutTesserasOwnSerializersIsDroppedAndNoOther() {
        configure(null);
        ch.qos.logback.core.read.ListAppender<ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
        seen.setContext(context);
        seen.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(seen);
        String note = "]. Note that this serializer is not implemented by Apache Pekko. It's not recommended to replace"
                + " serializers for messages provided by Apache Pekko.";
        ch.qos.logback.classic.Logger serialization =
                context.getLogger(OwnSerializerNotice.LOGGER_PREFIX + "(pekko://tessera)");

        serialization.warn("Using serializer [io.tessera.master.routing.gzip.PooledGzipReplicatedDataSerializer] for"
                + " message [org.apache.pekko.cluster.ddata.ReplicatedDataSerialization" + note);
        serialization.warn("Using serializer [com.example.OtherSerializer] for message [org.apache.pekko.Done" + note);
        serialization.warn("Multiple serializers found for [io.tessera.X], choosing the first");
        context.getLogger("io.tessera.test").warn("Using serializer [io.tessera.X] for message [Y" + note);

        assertEquals(java.util.List.of("Using serializer [com.example.OtherSerializer]",
                        "Multiple serializers found for [io.tessera.X]", "Using serializer [io.tessera.X]"),
                seen.list.stream().map(e -> e.getFormattedMessage().replaceAll("(\\]).*", "$1")).toList());
    }

    /** Warnings make Logback print its status report into the log as plain text: there must be none. */
    private void assertNoWarnings() {
        assertEquals(ch.qos.logback.core.status.Status.INFO,
                new ch.qos.logback.core.status.StatusUtil(context).getHighestLevel(0),
                () -> context.getStatusManager().getCopyOfStatusList().toString());
    }

    private void configure(String format) {
        if (format != null) {
            System.setProperty(io.tessera.wire.log.LogFormat.PROPERTY, format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(getClass().getResource("/logback.xml"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertNoWarnings();
    }

    private LoggingEvent event(String message, Object arg) {
        LoggingEvent event = new LoggingEvent("io.tessera.test", context.getLogger("io.tessera.test"), Level.INFO,
                message, null, new Object[]{arg});
        event.setThreadName("test-thread");
        return event;
    }

    @SuppressWarnings("unchecked")
    private String encode(ILoggingEvent event) {
        OutputStreamAppender<ILoggingEvent> a = (OutputStreamAppender<ILoggingEvent>)
                context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
        if (a == null) {
            throw new AssertionError("root has no appender CONSOLE");
        }
        return new String(a.getEncoder().encode(event), StandardCharsets.UTF_8);
    }
}
