package io.tessera.media.webrtc.janus;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports and a loopback-only Janus configuration for tests. */
final class JanusTestSupport {
    private JanusTestSupport() {
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Janus with its APIs on loopback, in {@code dir}, on a media range of 100 ports. No address restriction: these
     * tests never make ICE happen (Janus is ICE lite and only answers checks), so nothing is sent anywhere.
     */
    static JanusSettings loopbackSettings(Path dir) throws IOException {
        int ws = freePort();
        int admin = freePort();
        while (admin == ws) {
            admin = freePort();
        }
        int rtpMin = 30000 + ThreadLocalRandom.current().nextInt(200) * 100;
        return JanusSettings.local(dir, ws, admin, rtpMin, rtpMin + 99);
    }

    /** A minimal WebRTC offer (audio and video, BUNDLE, DTLS) that Janus accepts without any ICE happening. */
    static String offer() {
        String fingerprint = "a=fingerprint:sha-256 "
                + "AC:64:0F:87:91:A0:A0:B9:E5:BA:DF:9B:6B:DB:59:8E:72:82:C3:5E:66:FC:48:C8:95:07:4D:55:2D:4B:82:67";
        return String.join("\r\n",
                "v=0",
                "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
                "s=-",
                "t=0 0",
                "a=group:BUNDLE 0 1",
                "a=msid-semantic: WMS s",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111",
                "c=IN IP4 0.0.0.0",
                "a=rtcp:9 IN IP4 0.0.0.0",
                "a=ice-ufrag:tEsT",
                "a=ice-pwd:abcdefghijklmnopqrstuvwx",
                "a=ice-options:trickle",
                fingerprint,
                "a=setup:actpass",
                "a=mid:0",
                "a=sendonly",
                "a=msid:s a",
                "a=rtcp-mux",
                "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 minptime=10;useinbandfec=1",
                "a=ssrc:1111 cname:tessera",
                "m=video 9 UDP/TLS/RTP/SAVPF 96",
                "c=IN IP4 0.0.0.0",
                "a=rtcp:9 IN IP4 0.0.0.0",
                "a=ice-ufrag:tEsT",
                "a=ice-pwd:abcdefghijklmnopqrstuvwx",
                "a=ice-options:trickle",
                fingerprint,
                "a=setup:actpass",
                "a=mid:1",
                "a=sendonly",
                "a=msid:s v",
                "a=rtcp-mux",
                "a=rtpmap:96 VP8/90000",
                "a=rtcp-fb:96 nack",
                "a=rtcp-fb:96 nack pli",
                "a=rtcp-fb:96 ccm fir",
                "a=ssrc:2222 cname:tessera",
                "a=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host",
                "") ;
    }

    /** The pids of every running janus whose command line names {@code dir}. */
    static java.util.List<Long> janusProcessesUsing(Path dir) {
        String needle = dir.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(handle -> handle.info().command().map(command -> command.endsWith("janus")).orElse(false))
                .filter(handle -> handle.info().commandLine().map(line -> line.contains(needle)).orElse(false))
                .map(ProcessHandle::pid)
                .toList();
    }
}
