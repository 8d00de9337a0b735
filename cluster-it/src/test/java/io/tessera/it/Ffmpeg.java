package io.tessera.it;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** ffmpeg as a real RTP peer: a VP8 test-pattern publisher and an SDP-driven receiver that decodes frames. */
public final class Ffmpeg {
    private Ffmpeg() {
    }

    public static boolean available() {
        try {
            Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The SDP offer ffmpeg's RTP muxer matches: VP8 on payload type 96 from {@code localRtpPort}. */
    public static String publisherOffer(String localHost, int localRtpPort) {
        return "v=0\r\no=- 0 0 IN IP4 " + localHost + "\r\ns=ffmpeg\r\nc=IN IP4 " + localHost + "\r\nt=0 0\r\n"
                + "m=video " + localRtpPort + " RTP/AVP 96\r\na=rtcp:" + (localRtpPort + 1) + "\r\n"
                + "a=rtpmap:96 VP8/90000\r\na=sendonly\r\n";
    }

    /** A subscriber's offer: receive VP8 on {@code localRtpPort}, RTCP on the next port. */
    static String subscriberOffer(String localHost, int localRtpPort) {
        return publisherOffer(localHost, localRtpPort).replace("a=sendonly", "a=recvonly");
    }

    /**
     * Sends a generated 320x240 test pattern, VP8 with a keyframe every second, in real time, from
     * {@code localRtpPort} (so the media node recognizes its publisher) to the media node's port.
     */
    public static Process publish(String targetHost, int targetPort, int localRtpPort, Duration duration, Path log)
            throws IOException {
        return start(log, "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", Long.toString(duration.toSeconds()),
                "-c:v", "libvpx", "-deadline", "realtime", "-g", "25", "-b:v", "300k",
                "-payload_type", "96", "-ssrc", "424242", "-f", "rtp",
                "rtp://" + targetHost + ":" + targetPort + "?localrtpport=" + localRtpPort
                        + "&localrtcpport=" + (localRtpPort + 1) + "&pkt_size=1200");
    }

    /**
     * Listens on {@code localRtpPort} as the SDP says, decodes, and writes one MD5 line per decoded frame to
     * {@code frames}; exits 0 after {@code frameCount} frames.
     */
    static Process receive(String localHost, int localRtpPort, int frameCount, Path dir) throws IOException {
        Path sdp = dir.resolve("subscriber-" + localRtpPort + ".sdp");
        Files.writeString(sdp, "v=0\r\no=- 0 0 IN IP4 " + localHost + "\r\ns=subscriber\r\nc=IN IP4 " + localHost
                + "\r\nt=0 0\r\nm=video " + localRtpPort + " RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=recvonly\r\n");
        return start(dir.resolve("ffmpeg-receiver-" + localRtpPort + ".log"), "ffmpeg", "-hide_banner", "-nostdin",
                "-loglevel", "warning", "-protocol_whitelist", "file,udp,rtp", "-i", sdp.toString(),
                "-frames:v", Integer.toString(frameCount), "-f", "framemd5",
                dir.resolve("frames-" + localRtpPort + ".txt").toString());
    }

    /** Decoded frames the receiver wrote so far (framemd5 lines that are not comments). */
    static long decodedFrames(Path dir, int localRtpPort) throws IOException {
        Path frames = dir.resolve("frames-" + localRtpPort + ".txt");
        if (!Files.exists(frames)) {
            return 0;
        }
        try (var lines = Files.lines(frames)) {
            return lines.filter(line -> !line.isBlank() && !line.startsWith("#")).count();
        }
    }

    /** An even UDP port whose successor is free too, for ffmpeg's RTP/RTCP pair. */
    public static int freeUdpPair(String host) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 30000 + 2 * ThreadLocalRandom.current().nextInt(4000);
            try (DatagramSocket rtp = new DatagramSocket(new InetSocketAddress(address, port));
                 DatagramSocket rtcp = new DatagramSocket(new InetSocketAddress(address, port + 1))) {
                return port;
            } catch (IOException taken) {
                // try another pair
            }
        }
        throw new IOException("no free UDP port pair on " + host);
    }

    public static void stop(Process p) {
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Process start(Path log, String... command) throws IOException {
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
    }
}
