package io.tessera.media.webrtc.janus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JanusConfigWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesOnlyWhatTheNodeNeeds() throws Exception {
        JanusSettings settings = JanusSettings.fromEnvironment(Map.of("TESSERA_JANUS_WS_PORT", "18188",
                "TESSERA_WEBRTC_PORT_MIN", "40000", "TESSERA_WEBRTC_PORT_MAX", "40099",
                "TESSERA_PUBLIC_ADDRESS", "203.0.113.10", "TESSERA_JANUS_ICE_ENFORCE_LIST", "eth0"), dir);
        Path main = JanusConfigWriter.write(settings, new JanusConfigWriter.Secrets("api", "admin"));
        String janus = Files.readString(main);
        assertTrue(janus.contains("rtp_port_range = \"40000-40099\""), janus);
        assertTrue(janus.contains("ice_lite = true"), janus);
        assertTrue(janus.contains("nat_1_1_mapping = \"203.0.113.10\""), janus);
        assertTrue(janus.contains("ice_enforce_list = \"eth0\""), janus);
        assertTrue(janus.contains("plugins_folder = \"" + dir.toAbsolutePath().resolve("plugins") + "\""), janus);
        String ws = Files.readString(dir.resolve("janus.transport.websockets.jcfg"));
        assertTrue(ws.contains("ws_port = 18188") && ws.contains("ws_ip = \"127.0.0.1\""), ws);
        assertTrue(ws.contains("admin_ws = false"), ws);
        assertTrue(Files.readString(dir.resolve("janus.plugin.videoroom.jcfg")).contains("string_ids = true"));
        try (var plugins = Files.list(dir.resolve("plugins")); var transports = Files.list(dir.resolve("transports"))) {
            assertEquals(java.util.List.of("libjanus_videoroom.so"),
                    plugins.map(path -> path.getFileName().toString()).toList());
            assertEquals(java.util.List.of("libjanus_websockets.so"),
                    transports.map(path -> path.getFileName().toString()).toList());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(main)),
                "the config holds the API secrets");
    }

    @Test
    void noPublicAddressNoMapping() throws Exception {
        JanusSettings settings = JanusSettings.fromEnvironment(Map.of(), dir);
        assertEquals(8188, settings.wsPort());
        assertEquals(20000, settings.rtpPortMin());
        assertEquals(20999, settings.rtpPortMax());
        String janus = Files.readString(JanusConfigWriter.write(settings, new JanusConfigWriter.Secrets("a", "b")));
        assertFalse(janus.contains("nat_1_1_mapping"), janus);
        assertFalse(janus.contains("ice_enforce_list"), janus);
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () ->
                JanusSettings.fromEnvironment(Map.of("TESSERA_WEBRTC_PORT_MIN", "30000",
                        "TESSERA_WEBRTC_PORT_MAX", "20000"), dir));
        assertTrue(range.getMessage().contains("TESSERA_WEBRTC_PORT_MIN"), range.getMessage());
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () ->
                JanusSettings.fromEnvironment(Map.of("TESSERA_JANUS_WS_PORT", "http"), dir));
        assertTrue(port.getMessage().contains("TESSERA_JANUS_WS_PORT"), port.getMessage());
        IllegalArgumentException injected = assertThrows(IllegalArgumentException.class, () ->
                JanusSettings.fromEnvironment(Map.of("TESSERA_PUBLIC_ADDRESS", "1.2.3.4\"\nadmin_secret = \"x"), dir));
        assertTrue(injected.getMessage().contains("TESSERA_PUBLIC_ADDRESS"), injected.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new JanusSettings(JanusSettings.DEFAULT_BINARY,
                JanusSettings.DEFAULT_LIBRARY_DIR, dir, 8188, 8188, 20000, 20001, Optional.empty(), Optional.empty(),
                Optional.empty(), java.time.Duration.ofSeconds(1)));
    }
}
