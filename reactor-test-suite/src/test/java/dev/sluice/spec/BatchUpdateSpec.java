package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import dev.sluice.OptimisticLockException;
import dev.sluice.RowCountException;
import dev.sluice.annotation.Deferred;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.annotation.Version;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * {@code updateAll} and {@code deleteAll} write one statement per batch of {@code writeBatchSize} rows (counted as
 * sent), and what SQL then reads is what was written; {@code @Version} guards every update and delete, single and
 * batched: a stale or missing row fails with an {@link OptimisticLockException} naming the entity, its key and its
 * version, and changes nothing of that row.
 */
class BatchUpdateSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Table("batch_account")
    record Account(@Id Long id, String owner, @Deferred byte[] note, @Version long version) {
    }

    @Table("batch_plain")
    record Plain(@Id Long id, String name) {
    }

    @BeforeAll
    static void tables() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS batch_account (id bigint PRIMARY KEY, owner text NOT NULL, "
                        + "note bytea, version bigint NOT NULL)",
                "CREATE TABLE IF NOT EXISTS batch_plain (id bigint PRIMARY KEY, name text)");
    }

    @BeforeEach
    void rows() {
        Fixtures.db().execute("TRUNCATE batch_account, batch_plain",
                "INSERT INTO batch_account SELECT i, 'owner ' || i, '\\x0102', 1 FROM generate_series(1, 1200) i",
                "INSERT INTO batch_plain SELECT i, 'name ' || i FROM generate_series(1, 1200) i");
    }

    static R2dbcRepo repo(List<String> statements) {
        return R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).writeBatchSize(500).statementListener(statements::add)
                .build();
    }

    static List<Account> accounts(long from, long to, String owner, long version) {
        return LongStream.rangeClosed(from, to).mapToObj(i -> new Account(i, owner + i, null, version)).toList();
    }

    static long writes(List<String> statements, String verb) {
        return statements.stream().filter(s -> s.startsWith(verb)).count();
    }

    @Test
    void updateAllWritesABatchPerStatementAndBumpsEveryVersion() {
        List<String> statements = new CopyOnWriteArrayList<>();
        List<Account> updated;
        try (R2dbcRepo repo = repo(statements)) {
            updated = repo.updateAll(Flux.fromIterable(accounts(1, 1200, "new ", 1))).collectList().block(TIMEOUT);
        }
        assertThat(writes(statements, "UPDATE")).isEqualTo(3);
        assertThat(updated).hasSize(1200);
        assertThat(updated.get(0).version()).isEqualTo(2);
        assertThat(updated.get(0).owner()).isEqualTo("new 1");
        // the deferred note, null in the input (not loaded), kept its stored value
        assertThat(Fixtures.queryString("SELECT count(*) || ' ' || min(version) || ' ' || max(version) FROM "
                + "batch_account WHERE owner = 'new ' || id AND note = '\\x0102'")).isEqualTo("1200 2 2");
    }

    @Test
    void aStaleVersionInABatchFailsNamingItAfterTheRowsWritten() {
        Fixtures.db().execute("UPDATE batch_account SET version = 5 WHERE id = 700");
        List<String> statements = new CopyOnWriteArrayList<>();
        List<Account> emitted = new ArrayList<>();
        Throwable e;
        try (R2dbcRepo repo = repo(statements)) {
            e = catchThrowable(() -> repo.updateAll(Flux.fromIterable(accounts(1, 1000, "new ", 1)))
                    .doOnNext(emitted::add).blockLast(TIMEOUT));
        }
        assertThat(e).isInstanceOf(OptimisticLockException.class).hasMessage("updateAll of Account: found no row of "
                + "Account with id=700 (input row 700) with version 1: it was changed or deleted since it was read; "
                + "reload it and apply the change again; the other rows of input rows 501 to 1000 were updated "
                + "(inTransaction makes the stream all or nothing)");
        assertThat(emitted).hasSize(999);
        assertThat(Fixtures.queryString("SELECT string_agg(DISTINCT owner || ':' || version, ',') FROM batch_account "
                + "WHERE id = 700")).isEqualTo("owner 700:5");
        assertThat(Fixtures.queryString("SELECT count(*) FROM batch_account WHERE version = 2")).isEqualTo("999");
    }

    @Test
    void singleUpdatesAndDeletesCheckTheVersion() {
        List<String> statements = new CopyOnWriteArrayList<>();
        try (R2dbcRepo repo = repo(statements)) {
            Account first = repo.update(new Account(1L, "a", null, 1)).block(TIMEOUT);
            assertThat(first.version()).isEqualTo(2);
            Throwable stale = catchThrowable(() -> repo.update(new Account(1L, "b", null, 1)).block(TIMEOUT));
            assertThat(stale).isInstanceOf(OptimisticLockException.class).hasMessage("update of Account with id=1 "
                    + "found no row with version 1: it was changed or deleted since it was read; nothing was written. "
                    + "Reload it and apply the change again");
            Throwable staleDelete = catchThrowable(() -> repo.delete(new Account(1L, "a", null, 1)).block(TIMEOUT));
            assertThat(staleDelete).isInstanceOf(OptimisticLockException.class).hasMessage("delete of Account with "
                    + "id=1 found no row with version 1: it was changed or deleted since it was read; nothing was "
                    + "written. Reload it and apply the change again");
            repo.delete(new Account(2L, "x", null, 1)).block(TIMEOUT);
        }
        assertThat(Fixtures.queryString("SELECT owner || ':' || version FROM batch_account WHERE id = 1"))
                .isEqualTo("a:2");
        assertThat(Fixtures.queryString("SELECT count(*) FROM batch_account WHERE id = 2")).isEqualTo("0");
    }

    @Test
    void deleteAllDeletesABatchPerStatementAndNamesARowNotFound() {
        List<String> statements = new CopyOnWriteArrayList<>();
        try (R2dbcRepo repo = repo(statements)) {
            Long deleted = repo.deleteAll(Flux.fromIterable(accounts(1, 1100, "", 1))).block(TIMEOUT);
            assertThat(deleted).isEqualTo(1100);
            Fixtures.db().execute("DELETE FROM batch_plain WHERE id = 3");
            Throwable e = catchThrowable(() -> repo.deleteAll(Flux.just(new Plain(2L, null), new Plain(3L, null),
                    new Plain(4L, null))).block(TIMEOUT));
            assertThat(e).isInstanceOf(RowCountException.class).isNotInstanceOf(OptimisticLockException.class)
                    .hasMessage("Expected to delete one row of Plain with id=3 (input row 2), but found none; the "
                            + "other rows of input rows 1 to 3 were deleted (inTransaction makes the stream all or "
                            + "nothing)");
        }
        assertThat(writes(statements, "DELETE")).isEqualTo(4);
        assertThat(Fixtures.queryString("SELECT count(*) || ' ' || min(id) FROM batch_account")).isEqualTo("100 1101");
        assertThat(Fixtures.queryString("SELECT count(*) FROM batch_plain WHERE id <= 4")).isEqualTo("1");
    }

    @Test
    void updateAllOfAnEntityWithoutVersionWritesWhatSqlReads() {
        List<String> statements = new CopyOnWriteArrayList<>();
        try (R2dbcRepo repo = repo(statements)) {
            List<Plain> done = repo.updateAll(Flux.just(new Plain(5L, "five"), new Plain(6L, null)))
                    .collectList().block(TIMEOUT);
            assertThat(done).containsExactly(new Plain(5L, "five"), new Plain(6L, null));
        }
        assertThat(Fixtures.queryString("SELECT string_agg(id || '=' || coalesce(name, 'NULL'), ',' ORDER BY id) "
                + "FROM batch_plain WHERE id IN (5, 6)")).isEqualTo("5=five,6=NULL");
    }
}
