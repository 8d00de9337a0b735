package io.tessera.loadtest.harness.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Every media gap of a run, one line each ({@code subscriber,startMs,endMs}; end -1 while still open), in start
 * order. The report only keeps their distribution; this list is what tells whether the gaps around a fault were at
 * the subscribers of the sessions that moved, or at all of them at once (a stall of the harness or of a node).
 */
public final class GapLog {
    public static final String FILE = "gaps.csv";

    private GapLog() {
    }

    public static void write(List<MediaWatch.Gap> gaps, Path file) throws IOException {
        StringBuilder csv = new StringBuilder("subscriber,startMs,endMs\n");
        gaps.stream().sorted(Comparator.comparingLong(MediaWatch.Gap::startMillis)
                        .thenComparing(MediaWatch.Gap::subscriber))
                .forEach(g -> csv.append(g.subscriber()).append(',').append(g.startMillis()).append(',')
                        .append(g.endMillis()).append('\n'));
        Files.writeString(file, csv);
    }
}
