package io.tessera.media.webrtc.janus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

/**
 * Where a media node keeps its Janus's files (configuration with the API secret, pid file, {@code janus.log}):
 * {@code TESSERA_JANUS_WORK_DIR}, else {@code <java.io.tmpdir>/tessera-janus-<TESSERA_JANUS_WS_PORT>}.
 *
 * <p>Why the same directory on every start: a node killed outright (kill -9, the OOM killer) leaves its Janus running
 * with the node's ports, and the next start finds it by the pid file there and stops it ({@link JanusProcess}). A
 * fresh temporary directory per start never found it, and left one directory behind per start. The default is keyed
 * by the API port because no two Janus on one host can share it.
 *
 * <p>The directory must be this user's own and is made private ({@code rwx------}): in a shared {@code /tmp} a name
 * known in advance could otherwise be created first by someone else, who would read the API secret.
 */
public final class JanusWorkDir {
    private JanusWorkDir() {
    }

    /** The directory the environment names, or the default under {@code tempRoot}. */
    public static Path of(Map<String, String> env, Path tempRoot) {
        String named = env.get("TESSERA_JANUS_WORK_DIR");
        if (named != null && !named.isBlank()) {
            return Path.of(named.trim());
        }
        int port = JanusSettings.intValue(env, "TESSERA_JANUS_WS_PORT", JanusSettings.DEFAULT_WS_PORT);
        return tempRoot.resolve("tessera-janus-" + port);
    }

    /**
     * Creates {@code dir} (and its parents) if needed and makes it private; refuses a symbolic link or a directory
     * another user owns.
     */
    public static Path prepare(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Files.createDirectories(absolute);
        if (Files.isSymbolicLink(absolute) || !Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the Janus work directory " + absolute + " is not a directory (a link?)");
        }
        UserPrincipal owner = Files.getOwner(absolute, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal self = absolute.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!owner.equals(self)) {
            throw new IOException("the Janus work directory " + absolute + " belongs to " + owner.getName()
                    + ", not to " + self.getName() + ": set TESSERA_JANUS_WORK_DIR to a directory of this user");
        }
        Files.setPosixFilePermissions(absolute, PosixFilePermissions.fromString("rwx------"));
        return absolute;
    }
}
