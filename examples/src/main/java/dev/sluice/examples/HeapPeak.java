package dev.sluice.examples;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/** The most heap in use since it was started: the sum of the heap memory pools' peak usage. */
final class HeapPeak {

    private final List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .toList();

    private HeapPeak() {
        System.gc(); // leave earlier garbage behind, so the peak shows what comes next needs
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** Starts measuring now. */
    static HeapPeak start() {
        return new HeapPeak();
    }

    /** The peak since {@link #start()}, in bytes. */
    long bytes() {
        return heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }
}
