package dev.sluice.bench;

import java.lang.management.ManagementFactory;

/**
 * Counts rows and payload bytes of one run and when the first row arrived. Signals of one flux are serial, and the
 * blocking call that waits for its end publishes the fields to the caller, so plain fields suffice.
 */
final class Tally {

    /**
     * What one run of a variant measured; {@code cpuSeconds} is the CPU time of this whole JVM during the run (every
     * thread: the caller, the driver's event loop, GC and JIT), NaN where the JVM cannot tell. It is the client's cost
     * of the rows, and less disturbed by other load on the machine than the wall time.
     */
    record Sample(long rows, long bytes, double firstRowMillis, double seconds, double cpuSeconds) {
        double rowsPerSecond() {
            return rows / seconds;
        }

        double mibPerSecond() {
            return bytes / seconds / (1024 * 1024);
        }

        /** Client CPU time per row, in microseconds. */
        double cpuMicrosPerRow() {
            return cpuSeconds * 1e6 / rows;
        }
    }

    private final long start = System.nanoTime();
    private final long cpuStart = processCpuNanos();
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
        long cpu = processCpuNanos();
        return new Sample(rows, bytes, first / 1e6, (System.nanoTime() - start) / 1e9,
                cpu < 0 || cpuStart < 0 ? Double.NaN : (cpu - cpuStart) / 1e9);
    }

    /** The CPU time this JVM has used so far, in nanoseconds; -1 where the platform does not say. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
