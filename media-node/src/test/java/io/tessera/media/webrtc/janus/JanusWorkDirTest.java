package io.tessera.media.webrtc.janus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Janus work directory: the same on every start of a node, and private. */
class JanusWorkDirTest {
    @TempDir
    Path tmp;

    @Test
    void theDefaultIsKeyedByTheApiPortAndTheEnvironmentCanNameAnother() {
        assertEquals(tmp.resolve("tessera-janus-8188"), JanusWorkDir.of(Map.of(), tmp));
        assertEquals(tmp.resolve("tessera-janus-18190"),
                JanusWorkDir.of(Map.of("TESSERA_JANUS_WS_PORT", "18190"), tmp));
        assertEquals(Path.of("/var/lib/tessera/janus"), JanusWorkDir.of(Map.of("TESSERA_JANUS_WORK_DIR",
                " /var/lib/tessera/janus ", "TESSERA_JANUS_WS_PORT", "18190"), tmp));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> JanusWorkDir.of(Map.of("TESSERA_JANUS_WS_PORT", "../../etc"), tmp));
        assertTrue(bad.getMessage().contains("TESSERA_JANUS_WS_PORT"), bad.getMessage());
    }

    @Test
    void preparedDirectoriesArePrivateAndReused() throws IOException {
        Path dir = JanusWorkDir.prepare(tmp.resolve("a/b/tessera-janus-8188"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Files.writeString(dir.resolve("janus.pid"), "123");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(dir, JanusWorkDir.prepare(dir));
        assertEquals("123", Files.readString(dir.resolve("janus.pid")), "what an earlier run left is kept");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void aLinkIsRefused() throws IOException {
        Path target = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("tessera-janus-8188"), target);
        IOException refused = assertThrows(IOException.class, () -> JanusWorkDir.prepare(link));
        assertTrue(refused.getMessage().contains("not a directory"), refused.getMessage());
    }

    /** In a shared /tmp someone else could create the known name first, and read the API secret written there. */
    @Test
    void aDirectoryOfAnotherUserIsRefused() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("tessera-janus-8188"));
        UserPrincipal nobody;
        try {
            nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(dir, nobody); // only root may give a file away
        } catch (IOException e) {
            nobody = null;
        }
        assumeTrue(nobody != null && Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).equals(nobody),
                "needs root, to make a directory that belongs to another user");
        IOException refused = assertThrows(IOException.class, () -> JanusWorkDir.prepare(dir));
        assertTrue(refused.getMessage().contains("belongs to nobody") && refused.getMessage()
                .contains("TESSERA_JANUS_WORK_DIR"), refused.getMessage());
    }
}
