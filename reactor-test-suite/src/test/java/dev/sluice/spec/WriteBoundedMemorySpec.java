package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Writing far more than the heap holds completes in a JVM started with {@code -Xmx64m}: {@code insertAll} and
 * {@code copyIn} of 200,000 rows of 1 KiB (about 200 MiB), generated as they are requested and never held. Holding
 * the same rows in a list in that JVM runs out of memory, which shows the heap really is too small for them.
 */
class WriteBoundedMemorySpec {

    static final int ROWS = 200_000;
    static final int DATA_BYTES = 1024;

    @Table("w_big_load")
    public record BigLoad(@Id Long id, String name, int sizeBytes, byte[] data) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS w_big_load (id bigserial PRIMARY KEY, name text NOT NULL, "
                + "size_bytes int NOT NULL, data bytea NOT NULL)");
    }

    /** Row {@code i}: 1 KiB of data that differs per row, made when the writer asks for it. */
    static BigLoad row(int i) {
        byte[] data = new byte[DATA_BYTES];
        for (int b = 0; b < DATA_BYTES; b++) {
            data[b] = (byte) (i * 31 + b);
        }
        return new BigLoad(null, "IMG_" + i, DATA_BYTES, data);
    }

    /** What the forked JVM runs: {@code <url> insertAll|copyIn|collect}; prints the rows written. */
    public static void main(String[] args) {
        try (R2dbcRepo repo = R2dbcRepo.create(args[0])) {
            Flux<BigLoad> rows = Flux.range(0, ROWS).map(WriteBoundedMemorySpec::row);
            long written = switch (args[1]) {
                case "insertAll" -> repo.insertAll(rows).count().block();
                case "copyIn" -> repo.copyIn(BigLoad.class, rows).block();
                case "collect" -> rows.collectList().flatMapMany(all -> repo.insertAll(Flux.fromIterable(all))).count().block();
                default -> throw new IllegalArgumentException(args[1]);
            };
            System.out.println("rows=" + written);
        }
    }

    private static Fixtures.Forked fork(String mode) throws Exception {
        Fixtures.db().execute("TRUNCATE w_big_load");
        return Fixtures.forkSmallHeap(WriteBoundedMemorySpec.class, Duration.ofMinutes(4), Fixtures.db().r2dbcUrl(),
                mode);
    }

    private static long rowsInTable() {
        return Fixtures.db().queryLong("SELECT count(*) FROM w_big_load");
    }

    @Test
    void insertAllOf200kRowsOf1KiBRunsIn64MiBOfHeap() throws Exception {
        writesEveryRowIn64MiB("insertAll");
    }

    @Test
    void copyInOf200kRowsOf1KiBRunsIn64MiBOfHeap() throws Exception {
        writesEveryRowIn64MiB("copyIn");
    }

    private static void writesEveryRowIn64MiB(String mode) throws Exception {
        Fixtures.Forked outcome = fork(mode);
        assertThat(outcome.output()).contains("rows=" + ROWS);
        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        assertThat(rowsInTable()).isEqualTo(ROWS);
        assertThat(Fixtures.db().queryLong("SELECT sum(octet_length(data)) FROM w_big_load"))
                .isEqualTo((long) ROWS * DATA_BYTES);
    }

    @Test
    void theSameRowsHeldInAListDoNotFitThatHeap() throws Exception {
        Fixtures.Forked outcome = fork("collect");
        assertThat(outcome.output()).doesNotContain("rows=" + ROWS);
        assertThat(outcome.ranOutOfHeap()).as("ran out of heap, not failed otherwise:%n%s", outcome.output()).isTrue();
        assertThat(rowsInTable()).as("nothing was written before the list was complete").isZero();
    }
}
