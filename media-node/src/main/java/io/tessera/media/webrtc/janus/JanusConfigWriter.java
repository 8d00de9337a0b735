package io.tessera.media.webrtc.janus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Writes the configuration of one node's Janus into its work directory, so that Janus never reads the system-wide
 * {@code /etc/janus} (whose defaults load every plugin and open HTTP on all interfaces).
 *
 * <p>Janus loads every library it finds in its plugin and transport folders. Pointing those folders at directories
 * of our own that hold links to the two libraries we use (VideoRoom, WebSockets) keeps the rest out without a
 * {@code disable} list that would need updating with every Janus release.
 *
 * <p>Names and sections follow Janus 1.1.2's {@code conf/janus.jcfg.sample.in},
 * {@code janus.transport.websockets.jcfg.sample.in} and {@code janus.plugin.videoroom.jcfg.sample.in}.
 */
public final class JanusConfigWriter {
    static final String VIDEOROOM_LIBRARY = "libjanus_videoroom.so";
    static final String WEBSOCKETS_LIBRARY = "libjanus_websockets.so";
    /** Janus drops a session after this many seconds without a request; the client's keepalive is well inside it. */
    static final int SESSION_TIMEOUT_SECONDS = 60;

    private JanusConfigWriter() {
    }

    /** The secrets of one Janus run: the API secret every request carries and the admin API's secret. */
    public record Secrets(String apiSecret, String adminSecret) {
        @Override
        public String toString() {
            return "Secrets[redacted]";
        }
    }

    /** Writes every file Janus reads and returns the path of its main configuration ({@code janus -C}). */
    public static Path write(JanusSettings settings, Secrets secrets) throws IOException {
        Path dir = settings.workDir().toAbsolutePath();
        Files.createDirectories(dir);
        Path plugins = linkFolder(dir.resolve("plugins"), settings.libraryDir().resolve("plugins"), VIDEOROOM_LIBRARY);
        Path transports = linkFolder(dir.resolve("transports"), settings.libraryDir().resolve("transports"),
                WEBSOCKETS_LIBRARY);
        Path events = emptyFolder(dir.resolve("events"));
        Path loggers = emptyFolder(dir.resolve("loggers"));
        Path main = dir.resolve("janus.jcfg");
        writePrivate(main, janusJcfg(settings, secrets, dir, plugins, transports, events, loggers));
        writePrivate(dir.resolve("janus.transport.websockets.jcfg"), websocketsJcfg(settings));
        writePrivate(dir.resolve("janus.plugin.videoroom.jcfg"), videoroomJcfg());
        return main;
    }

    static String janusJcfg(JanusSettings settings, Secrets secrets, Path configs, Path plugins, Path transports,
                            Path events, Path loggers) {
        StringBuilder out = new StringBuilder();
        out.append("# Written by the Tessera media node at every start; edits are lost.\n");
        out.append("general: {\n");
        out.append(quoted("configs_folder", configs.toString()));
        out.append(quoted("plugins_folder", plugins.toString()));
        out.append(quoted("transports_folder", transports.toString()));
        out.append(quoted("events_folder", events.toString()));
        out.append(quoted("loggers_folder", loggers.toString()));
        out.append("\tdebug_level = 4\n");
        out.append("\tdebug_timestamps = true\n");
        out.append("\tdebug_colors = false\n");
        out.append(quoted("api_secret", secrets.apiSecret()));
        out.append(quoted("admin_secret", secrets.adminSecret()));
        out.append("\tsession_timeout = ").append(SESSION_TIMEOUT_SECONDS).append('\n');
        // The media node holds the only socket; when it closes, its sessions are gone for good.
        out.append("\treclaim_session_timeout = 0\n");
        out.append("\thide_dependencies = true\n");
        settings.sdpAddress().ifPresent(address -> out.append(quoted("interface", address)));
        out.append("}\n");
        out.append("certificates: {\n}\n");
        out.append("media: {\n");
        out.append(quoted("rtp_port_range", settings.rtpPortMin() + "-" + settings.rtpPortMax()));
        out.append("}\n");
        out.append("nat: {\n");
        out.append("\tice_lite = true\n");
        out.append("\tice_tcp = false\n");
        // Half trickle: Janus puts its own candidates in its SDP (ICE lite: host candidates, known at once) and
        // still takes trickled candidates from the client.
        out.append("\tfull_trickle = false\n");
        // Browsers hide their host addresses behind mDNS names; Janus would resolve them, we refuse them instead.
        out.append("\tignore_mdns = true\n");
        settings.publicAddress().ifPresent(address -> {
            out.append(quoted("nat_1_1_mapping", address));
            out.append("\tkeep_private_host = false\n");
        });
        settings.iceEnforceList().ifPresent(list -> out.append(quoted("ice_enforce_list", list)));
        out.append("}\n");
        out.append("plugins: {\n}\n");
        out.append("transports: {\n}\n");
        out.append("loggers: {\n}\n");
        out.append("events: {\n\tbroadcast = false\n}\n");
        return out.toString();
    }

    static String websocketsJcfg(JanusSettings settings) {
        StringBuilder out = new StringBuilder();
        out.append("general: {\n");
        out.append("\tjson = \"plain\"\n");
        out.append("\tws = true\n");
        out.append("\tws_port = ").append(settings.wsPort()).append('\n');
        out.append("\tws_ip = \"127.0.0.1\"\n");
        out.append("\tws_acl = \"127.\"\n");
        out.append("\twss = false\n");
        out.append("\tws_logging = \"err,warn\"\n");
        out.append("}\n");
        out.append("admin: {\n");
        if (settings.adminWsPort() != 0) {
            out.append("\tadmin_ws = true\n");
            out.append("\tadmin_ws_port = ").append(settings.adminWsPort()).append('\n');
            out.append("\tadmin_ws_ip = \"127.0.0.1\"\n");
            out.append("\tadmin_ws_acl = \"127.\"\n");
        } else {
            out.append("\tadmin_ws = false\n");
        }
        out.append("\tadmin_wss = false\n");
        out.append("}\n");
        return out.toString();
    }

    static String videoroomJcfg() {
        // No rooms of its own: the media node creates one per session through the API.
        return "general: {\n\tstring_ids = true\n\tevents = false\n}\n";
    }

    private static String quoted(String name, String value) {
        if (value.indexOf('"') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\\') >= 0) {
            throw new IllegalArgumentException(name + " cannot be written into a Janus config file");
        }
        return "\t" + name + " = \"" + value + "\"\n";
    }

    private static Path linkFolder(Path folder, Path sourceFolder, String library) throws IOException {
        Path source = sourceFolder.resolve(library);
        if (!Files.isRegularFile(source)) {
            throw new IOException("Janus library " + source + " is missing (is the 'janus' package installed?)");
        }
        emptyFolder(folder);
        Files.createSymbolicLink(folder.resolve(library), source);
        return folder;
    }

    private static Path emptyFolder(Path folder) throws IOException {
        Files.createDirectories(folder);
        try (var entries = Files.list(folder)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                Files.delete(entry);
            }
        }
        return folder;
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, List.of(text), StandardCharsets.UTF_8);
    }
}
