package io.tessera.loadtest.controlplane;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jcmd's class histogram: its rows, the difference per unit, and a real reading of this JVM. */
class ClassHistogramTest {

    private static final String BEFORE = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         45236        7312344  [B (java.base@17.0.15)
               2:         20000         480000  java.lang.String (java.base@17.0.15)
               3:            10            320  com.example.Gone
               4:             4             64  com.example.Twice
               5:             2             32  com.example.Twice
            Total         65252        7792760
            """;

    private static final String AFTER = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:         47236        7712344  [B (java.base@17.0.15)
               2:         21000         504000  java.lang.String (java.base@17.0.15)
               3:           100           2400  com.example.New
               4:             6             96  com.example.Twice
            Total         68342        8218840
            """;

    @Test
    void rowsAreReadByClassAndTwoLoadersOfOneNameAddUp() {
        Map<String, ClassHistogram.Count> before = ClassHistogram.parse(BEFORE);
        assertEquals(new ClassHistogram.Count(45236, 7312344), before.get("[B"));
        assertEquals(new ClassHistogram.Count(6, 96), before.get("com.example.Twice"));
        assertEquals(5 - 1, before.size(), "the header and the total are no rows: " + before.keySet());
    }

    @Test
    void theDifferenceIsPerUnitLargestFirstWithClassesThatCameAndWent() {
        ClassHistogram.PerUnit perUnit = ClassHistogram.perUnit(ClassHistogram.parse(BEFORE),
                ClassHistogram.parse(AFTER), 100);
        assertEquals(100, perUnit.units());
        assertEquals((68342 - 65252) / 100.0, perUnit.instances(), 1e-9);
        assertEquals((8218840 - 7792760) / 100.0, perUnit.bytes(), 1e-9);
        List<String> order = perUnit.classes().stream().map(ClassHistogram.Row::className).toList();
        assertEquals(List.of("[B", "java.lang.String", "com.example.New", "com.example.Gone"), order,
                "by bytes, largest first; unchanged classes left out");
        assertEquals(new ClassHistogram.Row("[B", 20, 4000), perUnit.classes().get(0));
        assertEquals(new ClassHistogram.Row("com.example.Gone", -0.1, -3.2), perUnit.classes().get(3));
        assertEquals(2, perUnit.top(2).classes().size());
        assertEquals(perUnit.bytes(), perUnit.top(2).bytes(), "the totals stay those of every class");
    }

    @Test
    void anOutputWithoutRowsAndAZeroUnitAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassHistogram.parse("1234:\ncom.sun.tools.attach.AttachNotSupportedException: no such process"));
        assertTrue(e.getMessage().contains("AttachNotSupportedException"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassHistogram.perUnit(Map.of(), Map.of(), 0));
    }

    /** What this test holds between the two readings; a static field keeps it reachable through the second. */
    private static final List<Held> HELD = new ArrayList<>();

    private record Held(long value) {
    }

    @Test
    void thisJvmsObjectsAreCountedAfterACollection() throws Exception {
        long pid = ProcessHandle.current().pid();
        Map<String, ClassHistogram.Count> before = ClassHistogram.ofNode("this JVM", pid);
        for (int i = 0; i < 20_000; i++) {
            HELD.add(new Held(i));
        }
        Map<String, ClassHistogram.Count> after = ClassHistogram.ofNode("this JVM", pid);
        ClassHistogram.PerUnit perHeld = ClassHistogram.perUnit(before, after, 20_000);
        ClassHistogram.Row held = perHeld.classes().stream().filter(r -> r.className().equals(Held.class.getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + Held.class.getName()));
        assertEquals(1.0, held.instances(), 1e-9, "one instance per unit: " + held);
        assertTrue(held.bytes() >= 16, "an object with a long field takes at least 16 bytes: " + held);
        HELD.clear();
    }
}
