package io.tessera.it;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What {@link ClusterProcesses} does to one node's process, port or log, apart from any cluster state. */
final class NodeProcesses {
    private NodeProcesses() {
    }

    /** A free port on {@code host}, kept bound in {@code held} until the caller has picked all it needs. */
    static int freePort(String host, List<ServerSocket> held) {
        try {
            ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host));
            held.add(s);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a port on " + host
                    + " (is the 127.0.0.0/8 loopback range usable here?)", e);
        }
    }

    static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // A port we only held for a moment.
        }
    }

    /** {@code kill -<signal> <pid>}; {@code name} says which node failed to get it. */
    static void signal(long pid, String signal, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + name + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGCONT (a frozen node would sit out SIGTERM), SIGTERM, then SIGKILL for what is alive after {@code grace}. */
    static void stopAll(Collection<Process> processes, Duration grace) {
        processes.stream().filter(Process::isAlive).forEach(p -> {
            try {
                new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                // it is killed below anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        processes.forEach(Process::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Process p : processes) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last {@code lines} lines of a log (reads at most the last 64 KiB). */
    static String tail(Path log, int lines) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - 65_536);
            byte[] buf = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(buf);
            String[] all = new String(buf, StandardCharsets.UTF_8).split("\n", -1);
            int start = Math.max(0, all.length - lines - 1);
            return String.join("\n", Arrays.copyOfRange(all, start, all.length));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }
}
