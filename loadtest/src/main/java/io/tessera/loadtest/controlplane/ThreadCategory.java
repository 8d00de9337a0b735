package io.tessera.loadtest.controlplane;

/**
 * What a node's thread spends its CPU on, told from its name as Linux shows it ({@code /proc/<pid>/task/<tid>/comm}:
 * HotSpot names its native threads, truncated to 15 characters). The JIT compilers and the collector are what a
 * young JVM burns most of its CPU on; neither is the cost of an operation once the JVM is warm.
 */
public enum ThreadCategory {
    /** Everything else: the actors, streams, HTTP, remoting, and threads this cannot name. */
    WORK,
    /** {@code C1 CompilerThre}, {@code C2 CompilerThre} (HotSpot's compiler threads) and the code cache sweeper. */
    JIT,
    /**
     * {@code GC Thread#..}, the G1/Z/Shenandoah threads, and {@code VM Thread}: with {@code -XX:+UseSerialGC} (as
     * bin/cluster runs the nodes) the collection runs on the VM thread; the VM thread's other safepoint work (rare
     * here) is counted with it.
     */
    GC;

    public static ThreadCategory of(String comm) {
        String name = comm.strip();
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")
                || name.startsWith("Sweeper thread")) {
            return JIT;
        }
        if (name.startsWith("GC Thread") || name.equals("VM Thread") || name.startsWith("G1 ")
                || name.startsWith("ZWorker") || name.startsWith("ZDirector") || name.startsWith("Shenandoah")) {
            return GC;
        }
        return WORK;
    }
}
