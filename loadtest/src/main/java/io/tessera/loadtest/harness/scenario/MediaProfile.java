package io.tessera.loadtest.harness.scenario;

/** What each publisher sends: a bitrate in packets of one size; the packet rate follows from both. */
public record MediaProfile(int bitrateKbps, int packetSize) {
    public MediaProfile {
        if (bitrateKbps < 1 || bitrateKbps > 100_000) {
            throw new IllegalArgumentException("bitrate must be 1..100000 kbit/s, got " + bitrateKbps);
        }
        if (packetSize < 28 || packetSize > 1400) {
            // 12 bytes of RTP header + 16 of the synthetic timestamp prefix; 1400 fits any loopback or LAN MTU.
            throw new IllegalArgumentException("packet size must be 28..1400 bytes, got " + packetSize);
        }
    }

    /** Packets per second, rounded up, at least 1. */
    public int packetsPerSecond() {
        return (int) Math.max(1, Math.ceil(bitrateKbps * 1000.0 / 8 / packetSize));
    }
}
