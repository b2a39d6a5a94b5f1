package dev.sluice.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.r2dbc.R2dbcRepo;
import reactor.core.scheduler.Schedulers;
import reactor.netty.tcp.TcpResources;

/**
 * Streams a whole table of 1 KiB pictures with Sluice and reports throughput, statements sent and peak heap: a
 * million rows (1 GiB of picture data) pass through a few tens of megabytes of heap, because the subscriber's
 * demand ({@code limitRate(500)}) decides how many rows the database sends.
 *
 * <p>{@link DemoTable} creates the {@code picture} table when missing and fills it on the server up to the requested
 * number of rows, so later runs only scan. Run it with
 * {@code mvn -pl examples exec:java -Dexec.args="--rows 20000"}; {@code --help} lists the options
 * ({@link ScanDemoOptions}). Exit codes: 0 done, 1 no database, 2 bad arguments.
 */
public final class ScanDemo {

    private static final int SCAN_RATE = 500;

    private ScanDemo() {
    }

    /**
     * What a scan measured.
     *
     * @param rowsScanned   rows the scan emitted
     * @param statements    statements Sluice sent for the scan: its pages and its one-time check of the table
     * @param rowsPerSecond rows scanned per second of the scan's wall-clock time
     * @param peakHeapBytes the sum of the heap memory pools' peak usage during the scan
     */
    public record Result(long rowsScanned, long statements, double rowsPerSecond, long peakHeapBytes) {
    }

    /** Thrown by {@link #run} when no database answers at the URL; the message says what failed and what to do. */
    public static final class DatabaseUnavailableException extends RuntimeException {
        DatabaseUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Runs the demo from the command line; {@code --help} prints the options. */
    public static void main(String[] args) {
        ScanDemoOptions options = ScanDemoOptions.ofCommandLine(args);
        try {
            run(options, System.out);
        } catch (DatabaseUnavailableException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        } finally {
            stopSharedThreads();
        }
    }

    /**
     * Creates and fills the table as needed, then scans it to the end, printing progress and results to {@code out}.
     *
     * @throws DatabaseUnavailableException if no connection can be made within 5 seconds
     */
    public static Result run(ScanDemoOptions options, PrintStream out) {
        AtomicLong statements = new AtomicLong();
        try (R2dbcRepo repo = R2dbcRepo.builder(options.connectionUrl())
                .statementListener(sql -> statements.incrementAndGet())
                .build()) {
            long rows = DemoTable.prepare(repo.connectionFactory(), options, out);

            HeapPeak heap = HeapPeak.start();
            out.printf(Locale.ROOT, "Scanning: repo.scan(Picture.class).limitRate(%d)%n", SCAN_RATE);
            Progress progress = new Progress(out, 0, rows);
            long start = System.nanoTime();
            Tally tally = repo.scan(Picture.class)     // keyset pages in primary-key order, sized by demand
                    .limitRate(SCAN_RATE)              // ask for 500 rows, then 375 more each time 375 arrived
                    .reduce(new Tally(0, 0), (sum, picture) -> {
                        Tally next = sum.add(picture);
                        progress.update(next.rows());
                        return next;
                    })
                    .block();
            double seconds = (System.nanoTime() - start) / 1e9;
            progress.finish(tally.rows());

            Result result = new Result(tally.rows(), statements.get(), tally.rows() / seconds, heap.bytes());
            out.printf(Locale.ROOT, "Scanned %,d rows (%s of picture data) in %.2f s: %,.0f rows/s%n",
                    result.rowsScanned(), mebibytes(tally.bytes()), seconds, result.rowsPerSecond());
            out.printf(Locale.ROOT, "Statements sent: %,d (%,d rows per statement)%n", result.statements(),
                    result.rowsScanned() / Math.max(1, result.statements()));
            out.printf(Locale.ROOT, "Peak heap during the scan: %s, with a max heap (-Xmx) of %s%n",
                    mebibytes(result.peakHeapBytes()), mebibytes(Runtime.getRuntime().maxMemory()));
            return result;
        }
    }

    /** Rows and bytes of picture data seen so far. */
    private record Tally(long rows, long bytes) {
        Tally add(Picture picture) {
            return new Tally(rows + 1, bytes + picture.data().length);
        }
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }

    /**
     * Stops reactor-netty's event loops and Reactor's schedulers, which serve every client in the JVM and outlive
     * {@link #run}: the process then ends at once, and Maven's exec:java does not wait 15 s for them to stop, nor
     * unload classes under connections that are still closing.
     */
    private static void stopSharedThreads() {
        TcpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, Duration.ofSeconds(5)).block();
        Schedulers.shutdownNow();
    }
}
