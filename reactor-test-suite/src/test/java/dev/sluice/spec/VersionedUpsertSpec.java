package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.OptimisticLockException;
import dev.sluice.QueryException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.annotation.Version;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * {@code upsert(..).doUpdate()} of a {@code @Version}ed entity: a new row is inserted with the version given (0 for
 * a new entity); a stored row is updated only when it holds the version given, and its version is incremented, as
 * {@code update} does; a row holding another version is left as it is and the write fails with an
 * {@link OptimisticLockException} naming the entity and its conflict values, one by one and in batches. The truth
 * is what SQL reads from the table.
 */
class VersionedUpsertSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Table("vups_account")
    record Account(@Id Long id, String owner, @Version long version) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS vups_account (id bigint PRIMARY KEY, owner text NOT NULL, "
                + "version bigint NOT NULL)");
    }

    @BeforeEach
    void empty() {
        Fixtures.db().execute("TRUNCATE vups_account");
    }

    static String stored() {
        return Fixtures.queryString("SELECT coalesce(string_agg(id || ':' || owner || ':' || version, ',' ORDER BY id), "
                + "'') FROM vups_account");
    }

    static R2dbcRepo repo() {
        return R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).writeBatchSize(2).build();
    }

    @Test
    void aNewRowIsInsertedWithItsVersionAndAStoredOneUpdatedOnlyAtItsVersion() {
        try (R2dbcRepo repo = repo()) {
            Account inserted = repo.upsert(Account.class).onConflict("id").doUpdate().one(new Account(1L, "ann", 0))
                    .block(TIMEOUT);
            assertThat(inserted).isEqualTo(new Account(1L, "ann", 0));
            assertThat(stored()).isEqualTo("1:ann:0");

            Account updated = repo.upsert(Account.class).onConflict("id").doUpdate().one(new Account(1L, "bob", 0))
                    .block(TIMEOUT);
            assertThat(updated).isEqualTo(new Account(1L, "bob", 1));
            assertThat(stored()).isEqualTo("1:bob:1");

            Throwable stale = catchThrowable(() -> repo.upsert(Account.class).onConflict("id").doUpdate()
                    .one(new Account(1L, "cat", 0)).block(TIMEOUT));
            assertThat(stale).isInstanceOf(OptimisticLockException.class).hasMessage("upsert of Account with id=1 "
                    + "found that row with another version than 0: it was changed since it was read; nothing was "
                    + "written. Reload it and apply the change again");
            assertThat(stored()).isEqualTo("1:bob:1");

            // doNothing leaves a stored row as it is, whatever its version
            assertThat(repo.upsert(Account.class).onConflict("id").doNothing().one(new Account(1L, "dan", 1))
                    .block(TIMEOUT)).isNull();
            assertThat(stored()).isEqualTo("1:bob:1");
        }
    }

    @Test
    void batchedUpsertsEmitTheRowsWrittenThenNameTheStaleOne() {
        Fixtures.db().execute("INSERT INTO vups_account VALUES (1, 'a', 4), (2, 'b', 7), (3, 'c', 1)");
        List<Account> emitted = new ArrayList<>();
        String after;
        try (R2dbcRepo repo = repo()) {
            // batches of two: (1 current, 2 stale), (3 current, 4 new)
            Throwable e = catchThrowable(() -> repo.upsert(Account.class).onConflict("id").doUpdate()
                    .all(Flux.just(new Account(1L, "a2", 4), new Account(2L, "b2", 6), new Account(3L, "c2", 1),
                            new Account(4L, "d", 0))).doOnNext(emitted::add).blockLast(TIMEOUT));
            assertThat(e).isInstanceOf(OptimisticLockException.class).hasMessage("upsert of Account: found the row "
                    + "of Account with id=2 (input row 2) with another version than 6: it was changed since it was "
                    + "read; reload it and apply the change again; the other rows of input rows 1 to 2 were written "
                    + "(inTransaction makes the stream all or nothing)");
            assertThat(emitted).containsExactly(new Account(1L, "a2", 5));
            // the batch after the failing one may be in flight already: it is written or not as a whole
            after = stored();
            assertThat(after).isIn("1:a2:5,2:b:7,3:c:1", "1:a2:5,2:b:7,3:c2:2,4:d:0");

            assertThat(repo.upsert(Account.class).onConflict("id").doUpdate()
                    .all(Flux.just(new Account(2L, "b3", 7), new Account(5L, "e", 0))).collectList().block(TIMEOUT))
                    .containsExactly(new Account(2L, "b3", 8), new Account(5L, "e", 0));
        }
        String third = after.contains("3:c2") ? "3:c2:2,4:d:0" : "3:c:1";
        assertThat(stored()).isEqualTo("1:a2:5,2:b3:8," + third + ",5:e:0");
    }

    @Test
    void aNullVersionIsRefusedSayingWhatToGiveANewEntity() {
        @Table("vups_account")
        record Loose(@Id Long id, String owner, @Version Long version) {
        }
        try (R2dbcRepo repo = repo()) {
            Throwable e = catchThrowable(() -> repo.upsert(Loose.class).onConflict("id").doUpdate()
                    .one(new Loose(1L, "ann", null)).block(TIMEOUT));
            assertThat(e).isInstanceOf(QueryException.class).hasMessageEndingWith("upsert(Loose): its @Version "
                    + "version is null, so no row can match it; give a new entity the version 0, or load the stored "
                    + "one to get its version");
        }
        assertThat(stored()).isEmpty();
    }
}
