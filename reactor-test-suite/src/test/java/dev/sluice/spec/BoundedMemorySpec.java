package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A scan of a table far larger than the heap completes in a JVM started with {@code -Xmx64m}; gathering the same
 * table into a list in that JVM runs out of memory, which shows the heap really is too small to hold it.
 */
class BoundedMemorySpec {

    static final int ROWS = 200_000;

    @BeforeAll
    static void bigTable() {
        Fixtures.db().execute(
                "CREATE TABLE IF NOT EXISTS big_picture (id bigint PRIMARY KEY, sha1 bytea NOT NULL, name text NOT NULL, "
                        + "taken_at timestamptz NOT NULL, size_bytes int NOT NULL, data bytea)",
                "INSERT INTO big_picture SELECT i, decode(md5(i::text), 'hex'), 'IMG_' || i, "
                        + "timestamptz '2026-01-01 00:00:00+00' - (i % 997) * interval '1 minute', 1024, "
                        + "decode(repeat(md5(i::text), 64), 'hex') FROM generate_series(1, " + ROWS + ") i "
                        // SlowSubscribersSmallHeapSpec reads it too: fill it once per run
                        + "WHERE NOT EXISTS (SELECT 1 FROM big_picture) ON CONFLICT DO NOTHING",
                "ANALYZE big_picture");
    }

    /** What the forked JVM runs: {@code <url> scan|cursor|collect}; prints the row count. */
    public static void main(String[] args) {
        try (R2dbcRepo repo = R2dbcRepo.create(args[0])) {
            var query = repo.select(BigPicture.class);
            long rows = switch (args[1]) {
                case "scan" -> repo.scan(BigPicture.class).limitRate(500).count().block();
                case "cursor" -> query.orderBy("taken_at").flux().limitRate(500).count().block();
                case "collect" -> (long) repo.scan(BigPicture.class).collectList().block().size();
                default -> throw new IllegalArgumentException(args[1]);
            };
            System.out.println("rows=" + rows);
        }
    }

    @dev.sluice.annotation.Table("big_picture")
    public record BigPicture(@dev.sluice.annotation.Id Long id, byte[] sha1, String name, java.time.Instant takenAt,
                             int sizeBytes, byte[] data) {
    }

    private static Fixtures.Forked fork(String mode) throws Exception {
        return Fixtures.forkSmallHeap(BoundedMemorySpec.class, Duration.ofMinutes(3), Fixtures.db().r2dbcUrl(), mode);
    }

    @Test
    void aKeysetScanOf200kRowsOf1KiBRunsIn64MiBOfHeap() throws Exception {
        Fixtures.Forked outcome = fork("scan");
        assertThat(outcome.output()).contains("rows=" + ROWS);
        assertThat(outcome.exitCode()).isZero();
    }

    @Test
    void aCursorScanOf200kRowsOf1KiBRunsIn64MiBOfHeap() throws Exception {
        Fixtures.Forked outcome = fork("cursor");
        assertThat(outcome.output()).contains("rows=" + ROWS);
        assertThat(outcome.exitCode()).isZero();
    }

    @Test
    void theSameTableGatheredIntoAListDoesNotFitThatHeap() throws Exception {
        Fixtures.Forked outcome = fork("collect");
        // the OutOfMemoryError surfaces wherever the allocation failed (often inside netty's read loop), where the
        // reactive chain may not see it; -XX:+ExitOnOutOfMemoryError ends the JVM there and says why
        assertThat(outcome.output()).doesNotContain("rows=" + ROWS);
        assertThat(outcome.ranOutOfHeap()).as("ran out of heap, not failed otherwise:%n%s", outcome.output()).isTrue();
    }
}
