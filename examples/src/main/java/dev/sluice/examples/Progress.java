package dev.sluice.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** A progress bar on one line, redrawn at most ten times a second. Called by one thread at a time. */
final class Progress {
    private static final int WIDTH = 20;
    private static final long REDRAW_NANOS = Duration.ofMillis(100).toNanos();

    private final PrintStream out;
    private final long first;
    private final long total;
    private final long start = System.nanoTime();
    private long drawnAt = start;
    private long drawn = -1;

    /**
     * @param first the count the bar starts at; the rate counts from there
     * @param total the count that fills the bar
     */
    Progress(PrintStream out, long first, long total) {
        this.out = out;
        this.first = first;
        this.total = total;
    }

    void update(long done) {
        long now = System.nanoTime();
        if (now - drawnAt >= REDRAW_NANOS) {
            draw(done, now);
        }
    }

    void finish(long done) {
        if (done != drawn) {
            draw(done, System.nanoTime());
        }
        out.println();
    }

    private void draw(long done, long now) {
        drawnAt = now;
        drawn = done;
        int filled = total == 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
        long percent = total == 0 ? 100 : Math.min(100, done * 100 / total);
        double rate = (done - first) / Math.max(1e-9, (now - start) / 1e9);
        out.printf(Locale.ROOT, "\r[%s%s] %3d%%  %,d rows  %,.0f rows/s   ", "#".repeat(filled),
                "-".repeat(WIDTH - filled), percent, done, rate);
        out.flush();
    }
}
