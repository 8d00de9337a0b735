package io.tessera.loadtest.harness.scenario;

/** Where a run tells how it is going: the console progress bar, or nothing in tests. */
public interface Progress extends AutoCloseable {
    Progress NONE = new Progress() {
        @Override
        public void phase(String phase, long elapsedMillis, long plannedMillis) {
        }

        @Override
        public void counters(long elapsedMillis, String text) {
        }

        @Override
        public void note(String text) {
        }

        @Override
        public void close() {
        }
    };

    /** A new phase began. */
    void phase(String phase, long elapsedMillis, long plannedMillis);

    /** About twice a second: the counters line. */
    void counters(long elapsedMillis, String text);

    /** Something worth a line of its own (a fault applied). */
    void note(String text);

    @Override
    void close();
}
