package io.tessera.loadtest.controlplane;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's live objects by class, read with the JDK's {@code jcmd <pid> GC.class_histogram} (which collects the whole
 * heap first, so only what is reachable counts), and the difference between two readings per unit of something added
 * in between: what one socket, one session, one participant holds, class by class (docs/BENCHMARKS.md "What a socket
 * holds, and two arrays less").
 */
public final class ClassHistogram {
    /** A histogram of a master runs to a few thousand lines of ~80 characters. */
    static final int MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

    /** {@code    1:         45236        7312344  [B (java.base@17.0.15)}: rank, instances, bytes, class (module). */
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** One class's instances and their shallow size in bytes. */
    public record Count(long instances, long bytes) {
    }

    /** A class that one of the two readings does not have. */
    private static final Count NONE = new Count(0, 0);

    /** One class's difference per unit. */
    public record Row(String className, double instances, double bytes) {
    }

    /** The difference of two readings per unit: totals, then the classes by bytes, largest first. */
    public record PerUnit(int units, double instances, double bytes, List<Row> classes) {
        /** The first {@code n} classes. */
        public PerUnit top(int n) {
            return new PerUnit(units, instances, bytes, classes.subList(0, Math.min(n, classes.size())));
        }
    }

    private ClassHistogram() {
    }

    /** The live objects of the JVM {@code pid} ({@code name} says which in an error), after a full collection. */
    public static Map<String, Count> ofNode(String name, long pid) throws IOException, InterruptedException {
        return parse(LiveHeap.jcmd(name, pid, "GC.class_histogram", MAX_OUTPUT_BYTES));
    }

    /** The rows of jcmd's histogram by class name; the header, the total line and anything else are skipped. */
    static Map<String, Count> parse(String histogram) {
        Map<String, Count> byClass = new HashMap<>();
        for (String line : histogram.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                // Two loaders can hold classes of one name: their counts add up.
                byClass.merge(m.group(3), new Count(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
                        (a, b) -> new Count(a.instances() + b.instances(), a.bytes() + b.bytes()));
            }
        }
        if (byClass.isEmpty()) {
            throw new IllegalArgumentException("no class rows in jcmd's GC.class_histogram output: "
                    + histogram.strip().lines().limit(5).toList());
        }
        return byClass;
    }

    /** What {@code after} holds more than {@code before}, divided by {@code units}, by class. */
    static PerUnit perUnit(Map<String, Count> before, Map<String, Count> after, int units) {
        if (units < 1) {
            throw new IllegalArgumentException("units must be at least 1: " + units);
        }
        List<Row> rows = new ArrayList<>();
        long instances = 0;
        long bytes = 0;
        Set<String> classes = new HashSet<>(before.keySet());
        classes.addAll(after.keySet());
        for (String className : classes) {
            Count b = before.getOrDefault(className, NONE);
            Count a = after.getOrDefault(className, NONE);
            long di = a.instances() - b.instances();
            long db = a.bytes() - b.bytes();
            instances += di;
            bytes += db;
            if (di != 0 || db != 0) {
                rows.add(new Row(className, (double) di / units, (double) db / units));
            }
        }
        rows.sort(Comparator.comparingDouble(Row::bytes).reversed().thenComparing(Row::className));
        return new PerUnit(units, (double) instances / units, (double) bytes / units, rows);
    }
}
