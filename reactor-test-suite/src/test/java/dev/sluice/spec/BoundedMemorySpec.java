package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
                        + "ON CONFLICT DO NOTHING",
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

    private record Outcome(int exitCode, String output) {
    }

    private static Outcome fork(String mode) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // an OutOfMemoryError on a driver thread would leave main() waiting forever: make any OOM end the JVM
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), BoundedMemorySpec.class.getName(),
                Fixtures.db().r2dbcUrl(), mode));
        Path log = Files.createTempFile("sluice-bounded-memory-", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the forked scan did not end within 3 minutes:\n" + Files.readString(log));
            }
            return new Outcome(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    @Test
    void aKeysetScanOf200kRowsOf1KiBRunsIn64MiBOfHeap() throws Exception {
        Outcome outcome = fork("scan");
        assertThat(outcome.output()).contains("rows=" + ROWS);
        assertThat(outcome.exitCode()).isZero();
    }

    @Test
    void aCursorScanOf200kRowsOf1KiBRunsIn64MiBOfHeap() throws Exception {
        Outcome outcome = fork("cursor");
        assertThat(outcome.output()).contains("rows=" + ROWS);
        assertThat(outcome.exitCode()).isZero();
    }

    @Test
    void theSameTableGatheredIntoAListDoesNotFitThatHeap() throws Exception {
        Outcome outcome = fork("collect");
        // the OutOfMemoryError surfaces wherever the allocation failed (often inside netty's read loop), so only
        // the outcome is certain: that JVM cannot finish
        assertThat(outcome.output()).doesNotContain("rows=" + ROWS);
        assertThat(outcome.exitCode()).as(outcome.output()).isNotZero();
    }
}
