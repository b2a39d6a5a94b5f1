package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import dev.sluice.MappingException;
import dev.sluice.QueryException;
import dev.sluice.RowCountException;
import dev.sluice.annotation.Column;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import io.r2dbc.spi.R2dbcException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Errors reach the subscriber with what is needed to fix them, and leave the connection healthy (pool of one).
 */
class ErrorSpec {

    @Table("picture")
    record MissingColumn(@Id Long id, String title) {
    }

    @Table("picture")
    record WrongType(@Id Long id, String takenAt) {
    }

    @Table("picture")
    record MisnamedColumn(@Id Long id, @Column("sizebytes") int size) {
    }

    record NoSuchTable(@Id Long id) {
    }

    @Table("nullable_size")
    record PrimitiveSize(@Id Long id, int size) {
    }

    private PgWireRelay relay;
    private R2dbcRepo repo;

    @BeforeAll
    static void tables() {
        Fixtures.pictures();
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS nullable_size (id bigint PRIMARY KEY, size int)",
                "INSERT INTO nullable_size VALUES (1, 10), (2, NULL) ON CONFLICT DO NOTHING");
    }

    @BeforeEach
    void open() {
        relay = Fixtures.relay();
        repo = Fixtures.repo(relay, 1, 100, 1000);
    }

    @AfterEach
    void close() {
        repo.close();
        relay.close();
    }

    private void stillHealthy() {
        StepVerifier.create(repo.findById(Picture.class, 7L).map(Picture::name))
                .expectNext("IMG_000007").expectComplete().verify(Duration.ofSeconds(10));
    }

    @Test
    void aDatabaseErrorCarriesTheSqlStateAndTheStatement() {
        StepVerifier.create(repo.select(Picture.class).where("no_such_column = ?", 1).flux())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(R2dbcException.class);
                    assertThat(((R2dbcException) e).getSqlState()).isEqualTo("42703");
                    assertThat(((R2dbcException) e).getSql()).contains("FROM picture WHERE (no_such_column = $1)");
                    assertThat(e.getMessage()).contains("no_such_column");
                })
                .verify(Duration.ofSeconds(10));
        stillHealthy();
    }

    @Test
    void aDatabaseErrorInCursorModeRollsBackAndFreesTheConnection() {
        // bounded demand: a cursor
        StepVerifier.create(repo.select(Picture.class).where("1 / (id - 300) > ?", -100).orderBy("name").inOneSnapshot().flux(), 0)
                .thenRequest(10)
                .expectErrorSatisfies(e -> assertThat(((R2dbcException) e).getSqlState()).isEqualTo("22012"))
                .verify(Duration.ofSeconds(10));
        stillHealthy();
        assertThat(relay.commandTags()).contains("ROLLBACK");
    }

    @Test
    void aDatabaseErrorInAnotherOrderAskedForWholeReachesTheSubscriberAndFreesTheConnection() {
        // unbounded demand: one statement, no transaction
        StepVerifier.create(repo.select(Picture.class).where("1 / (id - 300) > ?", -100).orderBy("name").flux())
                .expectErrorSatisfies(e -> assertThat(((R2dbcException) e).getSqlState()).isEqualTo("22012"))
                .verify(Duration.ofSeconds(10));
        stillHealthy();
        assertThat(relay.commandTags()).doesNotContain("BEGIN", "ROLLBACK");
    }

    @Test
    void anErrorOnALaterKeysetPageReachesTheSubscriberAfterTheRowsBefore() {
        StepVerifier.create(repo.select(Picture.class).where("1 / (id - 700) > ?", -100).flux().map(Picture::id))
                .thenConsumeWhile(id -> id < 700) // rows before the failing one may arrive first
                
                .expectErrorSatisfies(e -> assertThat(((R2dbcException) e).getSqlState()).isEqualTo("22012"))
                .verify(Duration.ofSeconds(10));
        stillHealthy();
    }

    @Test
    void mappingProblemsAreFoundOnceWithMessagesThatNameTheFix() {
        StepVerifier.create(repo.scan(MissingColumn.class))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                        "MissingColumn.title: table picture has no column title; its columns are id, sha1, name, "
                                + "taken_at, size_bytes, data. Map the component with @Column(\"...\")"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(repo.findById(WrongType.class, 1L))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                        "WrongType.takenAt: column taken_at is timestamptz but the component is String; declare it "
                                + "as Instant or OffsetDateTime"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(repo.select(MisnamedColumn.class).count())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                        "MisnamedColumn.size: table picture has no column sizebytes; did you mean size_bytes? Map it "
                                + "with @Column(\"size_bytes\")"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(repo.scan(NoSuchTable.class))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessageStartingWith(
                        "NoSuchTable: table no_such_table does not exist (or has no columns) in the connection's "
                                + "search_path"))
                .verify(Duration.ofSeconds(10));
        stillHealthy();
    }

    @Test
    void aNullInAPrimitiveComponentNamesTheRowAndTheFix() {
        StepVerifier.create(repo.scan(PrimitiveSize.class).map(PrimitiveSize::size))
                .expectNext(10)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                        "PrimitiveSize.size: column size is NULL in the row (id=2) but the component is the primitive "
                                + "int; declare it as Integer or make the column NOT NULL"))
                .verify(Duration.ofSeconds(10));
        stillHealthy();
    }

    @Test
    void valuesThatTrySqlInjectionAreBoundNotSpliced() {
        String attack = "x' OR '1'='1'; DROP TABLE picture; --";
        StepVerifier.create(repo.select(Picture.class).where("name = ?", attack).count())
                .expectNext(0L).verifyComplete();
        StepVerifier.create(repo.select(Picture.class).where("name = ? or name = ?", attack, "IMG_000003").flux()
                        .map(Picture::id))
                .expectNext(3L).verifyComplete();
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM picture")).isEqualTo(Fixtures.PICTURES);
        assertThatThrownBy(() -> repo.select(Picture.class).orderBy("name; DROP TABLE picture"))
                .isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> repo.select(Picture.class).orderBy("(select 1)"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("Picture has no column or component named '(select'");
    }

    @Test
    void oneAndFindOneSayHowManyRowsTheyFound() {
        StepVerifier.create(repo.select(Picture.class).where("name like ?", "IMG_00001%").one())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RowCountException.class)
                        .hasMessage("Expected one Picture row, but found more than one where name like ?"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(repo.select(Picture.class).where("name = ?", "nope").one())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(RowCountException.class)
                        .hasMessage("Expected one Picture row, but found none where name = ?"))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(repo.select(Picture.class).where("name = ?", "nope").findOne()).verifyComplete();
        StepVerifier.create(repo.select(Picture.class).where("name = ?", "IMG_000009").one().map(Picture::id))
                .expectNext(9L).verifyComplete();
    }

    @Test
    void badArgumentsFailAtOnceWithTheFix() {
        assertThatThrownBy(() -> repo.findById(Picture.class, "42"))
                .isInstanceOf(QueryException.class)
                .hasMessage("findById(Picture.class, ...): key id is Long but a String (42) was given; pass a Long");
        assertThatThrownBy(() -> repo.findById(Picture.class, 1L, 2L))
                .isInstanceOf(QueryException.class)
                .hasMessage("findById(Picture.class, ...): Picture has 1 key component (id) but 2 values were given");
        assertThatThrownBy(() -> repo.select(Picture.class).where("taken_at > ?", Instant.EPOCH, 5))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("has 1 placeholder but 2 values were given");
    }
}
