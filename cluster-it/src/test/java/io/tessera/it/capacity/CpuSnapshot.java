package io.tessera.it.capacity;

import io.tessera.loadtest.browser.BrowserProcesses;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU time every party of the capacity benchmark has used so far, taken at one instant; {@link #since} turns two of
 * them into cores used (1.0 = one core busy all the time).
 *
 * @param nanos    {@code System.nanoTime()} when taken
 * @param mediaJvm the media node's JVM (signalling, the plain RTP engine's forwarding, the Janus client)
 * @param janus    the media node's Janus (the WebRTC engine's forwarding: SRTP, ICE, RTCP)
 * @param masters  the master JVMs
 * @param browsers every chromedriver and Chromium process of this JVM (the WebRTC client: publisher and subscribers)
 * @param testJvm  this JVM (the plain RTP client: synthetic publisher, receivers, their SDK sockets)
 * @param busy     the machine's busy ticks over all cores (whatever ran, ours or others')
 * @param total    the machine's ticks over all cores
 */
record CpuSnapshot(long nanos, long mediaJvm, long janus, long masters, long browsers, long testJvm, long busy,
                   long total) {

    static CpuSnapshot take(long mediaPid, long janusPid, long[] masterPids) {
        long[] machine = CpuTimes.machine();
        long masters = 0;
        for (long pid : masterPids) {
            masters += CpuTimes.ofProcess(pid);
        }
        return new CpuSnapshot(System.nanoTime(), CpuTimes.ofProcess(mediaPid), CpuTimes.ofProcess(janusPid), masters,
                CpuTimes.ofProcesses(BrowserProcesses.running()), CpuTimes.ofProcess(ProcessHandle.current().pid()),
                machine[0], machine[1]);
    }

    /** Cores used by each party between {@code earlier} and this snapshot, and the machine's busy share (0-1). */
    Map<String, Double> since(CpuSnapshot earlier) {
        double seconds = (nanos - earlier.nanos) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        cores.put("mediaJvm", cores(mediaJvm - earlier.mediaJvm, seconds));
        cores.put("janus", cores(janus - earlier.janus, seconds));
        cores.put("masters", cores(masters - earlier.masters, seconds));
        cores.put("browsers", cores(browsers - earlier.browsers, seconds));
        cores.put("testJvm", cores(testJvm - earlier.testJvm, seconds));
        cores.put("machineBusy", total == earlier.total ? 0.0 : (double) (busy - earlier.busy) / (total - earlier.total));
        return cores;
    }

    private static double cores(long ticks, double seconds) {
        return ticks / (double) CpuTimes.HZ / seconds;
    }
}
