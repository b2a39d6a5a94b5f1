package dev.sluice.bench;

/**
 * Counts rows and payload bytes of one run and when the first row arrived. Signals of one flux are serial, and the
 * blocking call that waits for its end publishes the fields to the caller, so plain fields suffice.
 */
final class Tally {

    /** What one run of a variant measured. */
    record Sample(long rows, long bytes, double firstRowMillis, double seconds) {
        double rowsPerSecond() {
            return rows / seconds;
        }

        double mibPerSecond() {
            return bytes / seconds / (1024 * 1024);
        }
    }

    private final long start = System.nanoTime();
    private long first = -1;
    private long rows;
    private long bytes;

    void row(long payloadBytes) {
        if (rows == 0) {
            first = System.nanoTime() - start;
        }
        rows++;
        bytes += payloadBytes;
    }

    long rows() {
        return rows;
    }

    Sample done() {
        return new Sample(rows, bytes, first / 1e6, (System.nanoTime() - start) / 1e9);
    }
}
