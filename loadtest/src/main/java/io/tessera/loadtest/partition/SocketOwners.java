package io.tessera.loadtest.partition;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which process opened a TCP connection on this machine, from Linux's {@code /proc}: the connection's client side
 * is found in {@code /proc/net/tcp[6]} by its ports, and its inode among the open files of the candidate processes.
 * All nodes connect from 127.0.0.1 whatever their own address, so the address cannot tell them apart; this can.
 */
final class SocketOwners {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private SocketOwners() {
    }

    /**
     * The candidate (a name for each pid) whose process holds the socket with local port {@code clientPort} connected
     * to port {@code serverPort}; empty when none does.
     */
    static Optional<String> owner(int clientPort, int serverPort, Map<Long, String> candidates) {
        long inode = inode(clientPort, serverPort);
        if (inode <= 0) {
            return Optional.empty();
        }
        String link = "socket:[" + inode + "]";
        for (Map.Entry<Long, String> candidate : candidates.entrySet()) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", candidate.getKey().toString(), "fd"))) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(link)) {
                            return Optional.of(candidate.getValue());
                        }
                    } catch (IOException closedMeanwhile) {
                        // the file was closed while we looked: not it
                    }
                }
            } catch (IOException gone) {
                // a process that ended: not it
            }
        }
        return Optional.empty();
    }

    /** The inode of the socket whose local port is {@code localPort} and remote port {@code remotePort}; 0 if none. */
    static long inode(int localPort, int remotePort) {
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && port(f[1]) == localPort && port(f[2]) == remotePort) {
                    return Long.parseLong(f[9]);
                }
            }
        }
        return 0;
    }

    /** "0100007F:1F90" -> 8080 (the port is big-endian hex after the colon). */
    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
    }
}
