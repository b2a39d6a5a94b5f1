package dev.sluice.spec;

import static dev.sluice.spec.WriteTables.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.spec.WriteTables.Mood;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * What a write reports when it ends while a statement is in flight. Another transaction holds a lock, so the
 * statement is provably on its way and waiting on the server when the input fails or the subscriber cancels; then
 * the lock is released, and what committed (counted in SQL by the test kit) is compared with what was emitted. On a
 * pool of ONE connection, so the write after each proves the connection is healthy.
 */
class WriteInFlightSpec extends WriteSpecBase {

    private static final String TABLE = "inflight_picture";

    @Table(TABLE)
    record Picture(@Id Long id, String sha1, String name, Instant takenAt, int sizeBytes, Mood mood) {
    }

    @BeforeAll
    static void table() {
        WriteTables.create(TABLE);
    }

    WriteInFlightSpec() {
        super(TABLE, Picture.class, 1);
    }

    private static Picture picture(String sha1) {
        return new Picture(null, sha1, "name " + sha1, T0, sha1.length(), Mood.CALM);
    }

    /** 700 pictures, then the input fails when {@code failure} is told to: a batch of 500 and 200 rows gathered. */
    private static Flux<Picture> sevenHundredThenFailing(Sinks.Empty<Picture> failure) {
        return Flux.range(0, 700).map(i -> picture("p" + i)).concatWith(failure.asMono());
    }

    @Test
    void aFailingInputOfInsertAllLetsTheBatchInFlightCommitAndBeEmittedBeforeTheError() {
        aFailingInputLetsTheBatchInFlightCommitAndBeEmittedBeforeTheError(repo::insertAll);
    }

    @Test
    void aFailingInputOfUpsertLetsTheBatchInFlightCommitAndBeEmittedBeforeTheError() {
        aFailingInputLetsTheBatchInFlightCommitAndBeEmittedBeforeTheError(
                input -> repo.upsert(Picture.class).onConflict("sha1").doNothing().all(input));
    }

    private void aFailingInputLetsTheBatchInFlightCommitAndBeEmittedBeforeTheError(
            Function<Flux<Picture>, Flux<Picture>> write) {
        Sinks.Empty<Picture> failure = Sinks.empty();
        List<Picture> emitted = new CopyOnWriteArrayList<>();
        try (HeldLock lock = HeldLock.share(TABLE)) {
            StepVerifier.create(write.apply(sevenHundredThenFailing(failure)).doOnNext(emitted::add))
                    .then(() -> awaitWaitingForALock("INSERT"))
                    .then(() -> failure.tryEmitError(new IllegalStateException("camera unplugged")))
                    .then(lock::release)
                    .expectNextCount(500)
                    .expectErrorMessage("camera unplugged")
                    .verify(TIMEOUT);
        }
        assertThat(tags("INSERT")).as("the batch in flight ran; the 200 rows gathered after it were not sent")
                .containsExactly("INSERT 0 500");
        assertThat(stored()).as("what committed is exactly what was emitted").isEqualTo(sha1s(emitted))
                .isEqualTo(sha1s(Flux.range(0, 500).map(i -> picture("p" + i)).collectList().block()));
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
    }

    @Test
    void whenTheBatchInFlightFailsTooItsErrorEndsTheFluxWithTheInputsAttached() {
        Sinks.Empty<Picture> failure = Sinks.empty();
        // another transaction has written p3 and not committed: the batch waits to know whether p3 is a duplicate
        try (HeldLock other = HeldLock.begin("INSERT INTO " + TABLE + " (sha1, size_bytes) VALUES ('p3', 0)")) {
            StepVerifier.create(repo.insertAll(sevenHundredThenFailing(failure)))
                    .then(() -> awaitWaitingForALock("INSERT"))
                    .then(() -> failure.tryEmitError(new IllegalStateException("camera unplugged")))
                    .then(other::commit) // now p3 is a duplicate
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(WriteException.class).hasMessageStartingWith("insertAll of Picture"
                                + " into " + TABLE + " was refused in the statement of input rows 1 to 500");
                        assertThat(e.getSuppressed()).singleElement().satisfies(input -> assertThat(input)
                                .isInstanceOf(IllegalStateException.class).hasMessage("camera unplugged"));
                    })
                    .verify(TIMEOUT);
        }
        assertThat(stored()).as("only the other transaction's row").isEqualTo("p3");
    }

    @Test
    void afterACancelNothingMoreIsEmittedButTheBatchInFlightStillCommits() {
        Sinks.Empty<Picture> never = Sinks.empty();
        List<Picture> emitted = new CopyOnWriteArrayList<>();
        try (HeldLock lock = HeldLock.share(TABLE)) {
            StepVerifier.create(repo.insertAll(sevenHundredThenFailing(never)).doOnNext(emitted::add))
                    .then(() -> awaitWaitingForALock("INSERT"))
                    .thenCancel()
                    .verify(TIMEOUT);
        }
        // the pool's one connection comes back once the statement it had sent has ended on the server
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
        assertThat(emitted).as("nothing emitted after the cancel").isEmpty();
        assertThat(rows()).as("the batch in flight committed anyway: 500, and the row after").isEqualTo(501);
    }

    @Test
    void aCopyInCancelledAfterItsLastChunkIsWrittenAsIfNotCancelled() {
        AtomicBoolean inputEnded = new AtomicBoolean();
        Flux<Picture> input = Flux.range(0, 9).map(i -> picture("c" + i)).concatWith(Mono.just(picture("held")))
                .doOnComplete(() -> inputEnded.set(true));
        List<Long> emitted = new CopyOnWriteArrayList<>();
        int backend = backendPid();
        // another transaction has written the last row's sha1 and not committed yet: the COPY, having read every
        // row, waits at its end to know whether that row is a duplicate
        try (HeldLock other = HeldLock.begin("INSERT INTO " + TABLE + " (sha1, size_bytes) VALUES ('held', 0)")) {
            StepVerifier.create(repo.copyIn(Picture.class, input).doOnNext(emitted::add))
                    .then(() -> awaitWaitingForALock("COPY"))
                    .then(() -> assertThat(inputEnded).as("the driver has taken the last chunk").isTrue())
                    .thenCancel()
                    .verify(TIMEOUT);
            other.release(); // rolled back: no duplicate after all
        }
        assertThat(repo.insert(picture("after")).block(TIMEOUT)).isNotNull();
        assertThat(emitted).as("the cancelled Mono emitted no count").isEmpty();
        assertThat(tags("COPY")).containsExactly("COPY 10");
        assertThat(rows()).as("every row of the COPY, and the row after").isEqualTo(11);
        assertThat(backendPid()).as("the same server connection after the cancel").isEqualTo(backend);
    }

    /** Waits until a statement of the pool's connection that starts with {@code command} waits for a lock. */
    private static void awaitWaitingForALock(String command) {
        HeldLock.await(command + " waiting for a lock", () -> HeldLock.waiting(command));
    }

    /** The sha1 of every stored row, in key order. */
    private static String stored() {
        return Fixtures.db().queryString("SELECT coalesce(string_agg(sha1, ',' ORDER BY id), '') FROM " + TABLE);
    }

    private static String sha1s(List<Picture> pictures) {
        return pictures.stream().map(Picture::sha1).collect(Collectors.joining(","));
    }

    /** The server process behind the pool's one connection. */
    private int backendPid() {
        return repo.query(Backend.class, "SELECT pg_backend_pid() AS pid").single().block(TIMEOUT).pid();
    }

    record Backend(int pid) {
    }
}
