package dev.sluice.spec;

import static dev.sluice.spec.WriteTables.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.QueryException;
import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.spec.WriteTables.Mood;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * {@code copyIn}: binary {@code COPY ... FROM STDIN}, one statement for all rows (the server's {@code COPY n} tag
 * through a relay), all or nothing, input requested in bounded amounts. On a pool of ONE connection, so the write
 * after a failure or cancel proves the repository still works.
 */
class CopySpec extends WriteSpecBase {

    private static final String TABLE = "copy_picture";

    @Table(TABLE)
    record Picture(@Id Long id, String sha1, String name, Instant takenAt, int sizeBytes, Mood mood) {
    }

    @BeforeAll
    static void table() {
        WriteTables.create(TABLE);
    }

    CopySpec() {
        super(TABLE, Picture.class, 1);
    }

    private static Picture picture(String sha1) {
        return new Picture(null, sha1, "name " + sha1, T0, sha1.length(), Mood.CALM);
    }

    private List<String> copies() {
        return tags("COPY");
    }

    @Test
    void copyInWritesEveryRowInOneStatement() {
        Flux<Picture> input = Flux.range(0, 10_000)
                .map(i -> new Picture(null, "k" + i, i % 2 == 0 ? null : "odd", T0.plusSeconds(i), i, Mood.ANGRY));
        assertThat(repo.copyIn(Picture.class, input).block(TIMEOUT)).isEqualTo(10_000);
        assertThat(copies()).containsExactly("COPY 10000");
        assertThat(statements).filteredOn(s -> s.startsWith("COPY"))
                .containsExactly("COPY " + TABLE + " (sha1, name, taken_at, size_bytes, mood) FROM STDIN (FORMAT binary)");
        assertThat(rows()).isEqualTo(10_000);
        assertThat(repo.select(Picture.class).where("sha1 = ?", "k7").one().block(TIMEOUT))
                .isEqualTo(new Picture(8L, "k7", "odd", T0.plusSeconds(7), 7, Mood.ANGRY));
        assertThat(repo.select(Picture.class).where("sha1 = ?", "k8").one().block(TIMEOUT).name()).isNull();

        relay.reset();
        assertThat(repo.copyIn(Picture.class, Flux.just(new Picture(50_000L, "given", "n", T0, 1, Mood.CALM)))
                .block(TIMEOUT)).isEqualTo(1);
        assertThat(copies()).containsExactly("COPY 1");
        assertThat(repo.findById(Picture.class, 50_000L).block(TIMEOUT).sha1()).isEqualTo("given");
        relay.reset();
        assertThat(repo.copyIn(Picture.class, Flux.<Picture>empty()).block(TIMEOUT)).isZero();
        assertThat(copies()).as("nothing to copy: no COPY sent").isEmpty();
    }

    @Test
    void keysAreAllGivenOrAllGenerated() {
        Flux<Picture> mixed = Flux.just(picture("a"), new Picture(7L, "b", null, T0, 1, Mood.CALM));
        StepVerifier.create(repo.copyIn(Picture.class, mixed))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(QueryException.class)
                        .hasMessageContaining("give every row a key or none"))
                .verify(TIMEOUT);
        assertThat(copies()).as("the COPY was aborted").isEmpty();
        assertThat(rows()).isZero();
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
    }

    @Test
    void aFailingInputAbortsTheCopyAndItsErrorEndsTheMono() {
        Flux<Picture> failing = Flux.range(0, 1200).map(i -> picture("f" + i))
                .concatWith(Flux.error(new IllegalStateException("camera unplugged")));
        StepVerifier.create(repo.copyIn(Picture.class, failing))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessage("camera unplugged"))
                .verify(TIMEOUT);
        assertThat(copies()).as("the COPY was aborted").isEmpty();
        assertThat(rows()).isZero();
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
    }

    @Test
    void aFailedCopyWritesNothing() {
        repo.insert(picture("dup")).block(TIMEOUT);
        Flux<Picture> input = Flux.range(0, 2000).map(i -> picture(i == 1500 ? "dup" : "c" + i));
        StepVerifier.create(repo.copyIn(Picture.class, input))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(WriteException.class)
                        .hasMessageContaining(TABLE + "_sha1_key")
                        .hasMessageContaining("Key (sha1)=(dup) already exists.")
                        .as("PostgreSQL's context names the input line: the header is not a line, row 1501 is line 1501")
                        .hasMessageContaining("COPY " + TABLE + ", line 1501"))
                .verify(TIMEOUT);
        assertThat(copies()).as("the server completed no COPY").isEmpty();
        assertThat(rows()).isEqualTo(1);
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
    }

    @Test
    void copyInRequestsItsInputInBoundedAmountsAndACancelWritesNothing() {
        int backend = backendPid();
        AtomicLong largestRequest = new AtomicLong();
        AtomicLong generated = new AtomicLong();
        Flux<Picture> endless = Flux.<Picture, Long>generate(() -> 0L, (i, sink) -> {
            sink.next(picture("e" + i));
            generated.incrementAndGet();
            return i + 1;
        }).doOnRequest(n -> largestRequest.accumulateAndGet(n, Math::max));
        StepVerifier.create(repo.copyIn(Picture.class, endless))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(500))
                .thenCancel()
                .verify(TIMEOUT);
        assertThat(generated.get()).as("rows generated while copying").isPositive();
        // r2dbc-postgresql prefetches up to 32 chunks; one chunk is one write batch (500 rows)
        assertThat(largestRequest.get()).isLessThanOrEqualTo(32 * 500);
        // the cancel became a CopyFail: the COPY is aborted, nothing is written, and the pool's only connection is
        // the same one, working (a cancel passed on to r2dbc-postgresql 1.1.1 can make it close the connection)
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
        assertThat(copies()).as("the server completed no COPY").isEmpty();
        assertThat(rows()).isEqualTo(1);
        assertThat(backendPid()).as("the same server connection after the cancel").isEqualTo(backend);
    }

    /** The server process behind the pool's one connection. */
    private int backendPid() {
        return repo.query(Backend.class, "SELECT pg_backend_pid() AS pid").single().block(TIMEOUT).pid();
    }

    record Backend(int pid) {
    }
}
