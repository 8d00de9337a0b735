package io.tessera.loadtest.controlplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Reading CPU per thread from /proc, against this test JVM's own threads, and the arithmetic between readings. */
class ProcessCpuTest {
    private static final long SELF = ProcessHandle.current().pid();
    private static final long BURN_NANOS = 300_000_000L;

    @Test
    void threadNamesFallIntoTheirCategories() {
        assertEquals(ThreadCategory.JIT, ThreadCategory.of("C2 CompilerThre"));
        assertEquals(ThreadCategory.JIT, ThreadCategory.of("C1 CompilerThre\n"));
        assertEquals(ThreadCategory.GC, ThreadCategory.of("GC Thread#0"));
        assertEquals(ThreadCategory.GC, ThreadCategory.of("VM Thread"));
        assertEquals(ThreadCategory.GC, ThreadCategory.of("G1 Refine#0"));
        assertEquals(ThreadCategory.WORK, ThreadCategory.of("tessera-pekko.a"));
        assertEquals(ThreadCategory.WORK, ThreadCategory.of("VM Periodic Tas"));
        assertEquals(ThreadCategory.WORK, ThreadCategory.of("java"));
    }

    @Test
    void aThreadBurningCpuIsCountedInTheCategoryItsNameSays() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc", Long.toString(SELF), "task")), "Linux /proc only");
        NodeCpu cpu = new NodeCpu(() -> Map.of("master-1", SELF));
        NodeCpu.Snapshot before = cpu.read();
        CountDownLatch release = new CountDownLatch(1);
        try {
            // Java threads get their name as the native (comm) name, truncated to 15 characters, as HotSpot's own.
            CountDownLatch jit = burn("C2 CompilerThread-fake", release);
            CountDownLatch work = burn("bench-work-burner", release);
            assertTrue(jit.await(5, TimeUnit.MINUTES) && work.await(5, TimeUnit.MINUTES));
            NodeCpu.Snapshot after = cpu.read(); // both burners still alive (waiting), so listed in task/

            ProcessCpu self = after.byNode().get("master-1");
            ProcessCpu then = before.byNode().get("master-1");
            assertNotNull(self);
            // The JVM's own compiler threads have the same comm: the burner is the one born since, with its 300 ms.
            assertTrue(self.threads().entrySet().stream().anyMatch(e -> !then.threads().containsKey(e.getKey())
                            && e.getValue().comm().equals("C2 CompilerThre")
                            && e.getValue().category() == ThreadCategory.JIT && e.getValue().ticks() >= 28),
                    "the fake compiler thread, by its comm: " + self.threads().values());
            CpuMs spent = NodeCpu.millisByRole(before, after).get("master");
            // Each burner ran >= 300 ms by its own clock; /proc truncates a thread's time to 10 ms ticks.
            assertTrue(spent.jit() >= 280, "jit " + spent);
            assertTrue(spent.work() >= 280, "work " + spent);
            assertEquals(spent.total(), spent.jit() + spent.gc() + spent.work(), 1e-9);
        } finally {
            release.countDown();
        }
    }

    @Test
    void kernelTimeIsCountedAsSys() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc", Long.toString(SELF), "task")), "Linux /proc only");
        NodeCpu cpu = new NodeCpu(() -> Map.of("master-1", SELF));
        NodeCpu.Snapshot before = cpu.read();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long userBefore = mx.getCurrentThreadUserTime();
        long cpuBefore = mx.getCurrentThreadCpuTime();
        // Reading /dev/zero into a direct buffer is nearly all kernel time (the kernel zeroes the pages).
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel zero = FileChannel.open(Path.of("/dev/zero"), StandardOpenOption.READ)) {
            while (mx.getCurrentThreadCpuTime() - cpuBefore < BURN_NANOS) {
                buf.clear();
                zero.read(buf);
            }
        }
        double ownSysMs = ((mx.getCurrentThreadCpuTime() - cpuBefore) - (mx.getCurrentThreadUserTime() - userBefore))
                / 1e6;
        CpuMs spent = NodeCpu.millisByRole(before, cpu.read()).get("master");

        assumeTrue(ownSysMs >= 200, "the kernel did not take most of the reads here: " + ownSysMs + " ms");
        // The process's stime holds at least this thread's (less tick truncation), and never exceeds the total.
        assertTrue(spent.sys() >= ownSysMs - 20, "sys " + spent + ", this thread's own " + ownSysMs);
        assertTrue(spent.sys() <= spent.total(), "sys within total " + spent);
    }

    @Test
    void aThreadThatExitsLeavesItsTimeInWorkAndANewOneCountsFromZero() {
        var gc = new ProcessCpu.ThreadTicks("VM Thread", ThreadCategory.GC, 100, 50);
        var jit = new ProcessCpu.ThreadTicks("C2 CompilerThre", ThreadCategory.JIT, 100, 200);
        var reused = new ProcessCpu.ThreadTicks("C1 CompilerThre", ThreadCategory.JIT, 100, 30);
        ProcessCpu before = new ProcessCpu(7, 1000, 300, Map.of(1L, gc, 2L, jit, 3L, reused));
        // tid 2 (a compiler thread) exited after running 40 more ticks; tid 3 was reused by a new compiler thread
        // (a later start) that ran 5; tid 4 is a new compiler thread that ran 12; the VM thread ran 10.
        ProcessCpu after = new ProcessCpu(7, 1000 + 40 + 5 + 12 + 10 + 100, 330, Map.of(
                1L, new ProcessCpu.ThreadTicks("VM Thread", ThreadCategory.GC, 100, 60),
                3L, new ProcessCpu.ThreadTicks("C1 CompilerThre", ThreadCategory.JIT, 900, 5),
                4L, new ProcessCpu.ThreadTicks("C2 CompilerThre", ThreadCategory.JIT, 950, 12)));

        CpuMs spent = NodeCpu.millisByRole(new NodeCpu.Snapshot(Map.of("master-1", before)),
                new NodeCpu.Snapshot(Map.of("master-1", after))).get("master");

        // The exited thread's 40 ticks are in work's 140; 30 of the 167 ticks were the kernel's.
        assertEquals(new CpuMs(1670, 170, 100, 1400, 300), spent);
    }

    @Test
    void contextSwitchesCountLiveThreadsAndANewThreadFromZero() {
        var kept = new ProcessCpu.ThreadTicks("dispatcher-1", ThreadCategory.WORK, 100, 50, 1_000);
        var reused = new ProcessCpu.ThreadTicks("dispatcher-2", ThreadCategory.WORK, 100, 30, 700);
        var unreadable = new ProcessCpu.ThreadTicks("dispatcher-3", ThreadCategory.WORK, 100, 30, -1);
        ProcessCpu before = new ProcessCpu(7, 1000, 300, Map.of(1L, kept, 2L, reused, 3L, unreadable));
        // tid 1 switched 40 more times; tid 2 was reused by a later thread that switched 5 times; tid 3 became
        // readable at 9; tid 4 is new with 12; a thread that exited is not counted.
        ProcessCpu after = new ProcessCpu(7, 1100, 330, Map.of(
                1L, new ProcessCpu.ThreadTicks("dispatcher-1", ThreadCategory.WORK, 100, 60, 1_040),
                2L, new ProcessCpu.ThreadTicks("dispatcher-2", ThreadCategory.WORK, 900, 5, 5),
                3L, new ProcessCpu.ThreadTicks("dispatcher-3", ThreadCategory.WORK, 100, 31, 9),
                4L, new ProcessCpu.ThreadTicks("dispatcher-4", ThreadCategory.WORK, 950, 12, 12)));
        assertEquals(Map.of("master", 40L + 5 + 9 + 12), NodeCpu.switchesByRole(
                new NodeCpu.Snapshot(Map.of("master-1", before)), new NodeCpu.Snapshot(Map.of("master-1", after))));
    }

    @Test
    void contextSwitchesAreReadFromATaskStatus() {
        assertEquals(15 + 4, ProcessCpu.contextSwitches(
                "Name:\tjava\nvoluntary_ctxt_switches:\t15\nnonvoluntary_ctxt_switches:\t4\n"));
        assertEquals(-1, ProcessCpu.contextSwitches("Name:\tjava\nvoluntary_ctxt_switches:\t15\n"));
        assertEquals(-1, ProcessCpu.contextSwitches(null));
    }

    @Test
    void aThreadThatSleepsAndWakesIsSeenSwitching() throws Exception {
        long pid = ProcessHandle.current().pid();
        CountDownLatch slept = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProcessCpu before = ProcessCpu.read(pid);
        Thread sleeper = new Thread(() -> {
            for (int i = 0; i < 50; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            slept.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "switching-test");
        sleeper.start();
        try {
            assertTrue(slept.await(10, TimeUnit.SECONDS));
            ProcessCpu after = ProcessCpu.read(pid);
            // 50 sleeps of 1 ms are 50 voluntary switches of the new thread, counted from zero
            assertTrue(after.switchesSince(before) >= 50, "switches " + after.switchesSince(before));
        } finally {
            release.countDown();
            sleeper.join();
        }
    }

    @Test
    void aRestartedNodeIsNotComparedWithItsPredecessor() {
        ProcessCpu old = new ProcessCpu(7, 1000, 100, Map.of());
        ProcessCpu restarted = new ProcessCpu(8, 10, 1, Map.of());
        assertTrue(NodeCpu.millisByRole(new NodeCpu.Snapshot(Map.of("media-1", old)),
                new NodeCpu.Snapshot(Map.of("media-1", restarted))).isEmpty());
    }

    /** A thread with that name burning BURN_NANOS of CPU; the latch returned opens then; it waits for release. */
    private static CountDownLatch burn(String name, CountDownLatch release) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        CountDownLatch burnt = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            long x = 1;
            while (mx.getCurrentThreadCpuTime() < BURN_NANOS) {
                for (int i = 0; i < 100_000; i++) {
                    x = x * 31 + i;
                }
            }
            SINK.addAndGet(x); // keeps the loop from being optimised away
            burnt.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return burnt;
    }

    private static final AtomicLong SINK = new AtomicLong();
}
