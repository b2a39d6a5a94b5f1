package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.MappingException;
import dev.sluice.QueryException;
import dev.sluice.Repo;
import dev.sluice.RowCountException;
import dev.sluice.StatementListener;
import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.r2dbc.SessionSettings;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.spi.R2dbcBadGrammarException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.r2dbc.BadSqlGrammarException;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/**
 * The auto-configured repository against PostgreSQL: its errors arrive as Spring's {@code DataAccessException}s with
 * Sluice's message and Sluice's exception as the cause, from every kind of publisher and builder it hands out; and a
 * {@link SessionSettings} bean sets up every connection, transaction-local inside a Spring transaction. A plain
 * {@link R2dbcRepo} on the same database is the control: it signals Sluice's own exceptions, with the same message.
 */
class SpringExceptionsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** This JVM's only: the lost-connection test terminates backends by it. */
    private static final String APPLICATION = "sluice-spring-exceptions-" + ProcessHandle.current().pid();

    @Table("spring_error_note")
    record Note(@Id Long id, String name, String text) {
    }

    @Table("spring_error_no_such_table")
    record Missing(@Id Long id) {
    }

    record Setting(String value) {
    }

    @Table("spring_error_versioned")
    record Versioned(@Id Long id, String name, @dev.sluice.annotation.Version long version) {
    }

    private final List<String> statements = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void table() {
        TestDatabase.get().execute("CREATE TABLE spring_error_note (id bigint PRIMARY KEY, name text UNIQUE NOT NULL, "
                + "text text)", "CREATE TABLE spring_error_versioned (id bigint PRIMARY KEY, name text, version bigint)",
                "INSERT INTO spring_error_versioned VALUES (1, 'one', 3)");
    }

    @BeforeEach
    void rows() {
        TestDatabase.get().execute("DELETE FROM spring_error_note",
                "INSERT INTO spring_error_note VALUES (1, 'one', 'same'), (2, 'two', 'same'), (3, 'three', 'other')");
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(R2dbcAutoConfiguration.class,
                        R2dbcTransactionManagerAutoConfiguration.class, SluiceAutoConfiguration.class))
                .withPropertyValues("spring.r2dbc.url=" + TestDatabase.get().r2dbcUrl() + "&applicationName="
                                + APPLICATION, "spring.r2dbc.pool.max-size=1", "spring.r2dbc.pool.initial-size=1",
                        "spring.r2dbc.properties.forceBinary=true")
                .withBean(StatementListener.class, () -> statements::add);
    }

    /** The error a plain repository signals for the same work: Sluice's own. */
    private static Throwable plainError(Mono<?> work) {
        Throwable[] error = new Throwable[1];
        StepVerifier.create(work).expectErrorSatisfies(e -> error[0] = e).verify(TIMEOUT);
        return error[0];
    }

    @Test
    void aDuplicateKeyIsADuplicateKeyExceptionWithSluicesMessage() {
        String sluices;
        try (R2dbcRepo plain = R2dbcRepo.create(TestDatabase.get().r2dbcUrl())) {
            Throwable error = plainError(plain.insert(new Note(4L, "one", "again")));
            assertThat(error).as("plain Sluice users keep SluiceException").isInstanceOf(WriteException.class);
            sluices = error.getMessage();
        }
        runner().run(context -> {
            Repo repo = context.getBean(Repo.class);
            StepVerifier.create(repo.insert(new Note(4L, "one", "again")))
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(DuplicateKeyException.class)
                            .hasMessage(sluices)
                            .cause().isInstanceOf(WriteException.class).hasMessage(sluices))
                    .verify(TIMEOUT);
            StepVerifier.create(repo.insertAll(Flux.just(new Note(5L, "five", null), new Note(6L, "two", null))))
                    .expectNextCount(0)
                    .expectError(DuplicateKeyException.class).verify(TIMEOUT);
            StepVerifier.create(repo.upsert(Note.class).onConflict("id").doUpdate().one(new Note(3L, "one", "x")))
                    .expectError(DuplicateKeyException.class).verify(TIMEOUT);
            StepVerifier.create(repo.update(Note.class).set("name = ?", "one").where("id = ?", 2L).execute())
                    .expectError(DuplicateKeyException.class).verify(TIMEOUT);
        });
    }

    @Test
    void otherRefusedWritesAreDataIntegrityViolations() {
        runner().run(context -> {
            Repo repo = context.getBean(Repo.class);
            StepVerifier.create(repo.insert(new Note(4L, null, "no name")))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .isExactlyInstanceOf(DataIntegrityViolationException.class)
                            .hasMessageContaining("null value in column \"name\"")
                            .cause().isInstanceOf(WriteException.class))
                    .verify(TIMEOUT);
            StepVerifier.create(repo.copyIn(Note.class, Flux.just(new Note(7L, "seven", null), new Note(1L, "x", null))))
                    .expectError(DuplicateKeyException.class).verify(TIMEOUT);
        });
    }

    @Test
    void oneWithTwoRowsIsAnIncorrectResultSizeAndWithNoneAnEmptyResult() {
        String sluices;
        try (R2dbcRepo plain = R2dbcRepo.create(TestDatabase.get().r2dbcUrl())) {
            Throwable error = plainError(plain.select(Note.class).where("text = ?", "same").one());
            assertThat(error).isInstanceOf(RowCountException.class);
            sluices = error.getMessage();
        }
        runner().run(context -> {
            Repo repo = context.getBean(Repo.class);
            StepVerifier.create(repo.select(Note.class).where("text = ?", "same").one())
                    .expectErrorSatisfies(error -> {
                        assertThat(error).isExactlyInstanceOf(IncorrectResultSizeDataAccessException.class)
                                .hasMessage(sluices).hasCauseInstanceOf(RowCountException.class);
                        IncorrectResultSizeDataAccessException size = (IncorrectResultSizeDataAccessException) error;
                        assertThat(size.getExpectedSize()).isEqualTo(1);
                        assertThat(size.getActualSize()).isEqualTo(2);
                    })
                    .verify(TIMEOUT);
            StepVerifier.create(repo.select(Note.class).where("text = ?", "none").one())
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(EmptyResultDataAccessException.class)
                            .hasMessage("Expected one Note row, but found none where text = ?"))
                    .verify(TIMEOUT);
            StepVerifier.create(repo.update(new Note(99L, "ninety-nine", null)))
                    .expectError(EmptyResultDataAccessException.class).verify(TIMEOUT);
        });
    }

    @Test
    void aStaleVersionIsAnOptimisticLockingFailure() {
        runner().run(context -> {
            Repo repo = context.getBean(Repo.class);
            StepVerifier.create(repo.updateAll(reactor.core.publisher.Flux.just(new Versioned(1L, "x", 2))))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .isExactlyInstanceOf(org.springframework.dao.OptimisticLockingFailureException.class)
                            .hasCauseInstanceOf(dev.sluice.OptimisticLockException.class)
                            .hasMessageStartingWith("updateAll of Versioned: found no row of Versioned with id=1 "
                                    + "(input row 1) with version 2"))
                    .verify(TIMEOUT);
        });
        assertThat(TestDatabase.get().queryString("SELECT name || ':' || version FROM spring_error_versioned"))
                .isEqualTo("one:3");
    }

    @Test
    void aMalformedQueryOrAnUnmappableRecordIsAnInvalidApiUsage() {
        runner().run(context -> {
            Repo repo = context.getBean(Repo.class);
            assertThatThrownBy(() -> repo.select(Note.class).where("id = ? and name = ?", 1L))
                    .as("thrown while the query is built").isInstanceOf(InvalidDataAccessApiUsageException.class)
                    .hasCauseInstanceOf(QueryException.class);
            assertThatThrownBy(() -> repo.delete(Note.class).where("id = ?"))
                    .isInstanceOf(InvalidDataAccessApiUsageException.class);
            StepVerifier.create(repo.scan(Missing.class))
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(InvalidDataAccessApiUsageException.class)
                            .hasCauseInstanceOf(MappingException.class)
                            .hasMessageStartingWith("Missing: table spring_error_no_such_table does not exist"))
                    .verify(TIMEOUT);
        });
    }

    @Test
    void driverErrorsAreTranslatedBySpringFramework() {
        runner().run(context -> {
            Repo repo = context.getBean(Repo.class);
            StepVerifier.create(repo.query(Setting.class, "SELECT no_such_column AS value FROM spring_error_note"))
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(BadSqlGrammarException.class)
                            .hasMessage("Sluice; column \"no_such_column\" does not exist; bad SQL grammar "
                                    + "[SELECT no_such_column AS value FROM spring_error_note]")
                            .hasCauseInstanceOf(R2dbcBadGrammarException.class))
                    .verify(TIMEOUT);
        });
    }

    @Test
    void errorsInsideATransactionAreTranslatedWhereTheWorkCanCatchThem() {
        runner().run(context -> {
            Repo repo = context.getBean(Repo.class);
            Flux<String> work = repo.inTransaction(tx -> tx.insert(new Note(4L, "one", "again")).map(Note::name)
                    .onErrorMap(DuplicateKeyException.class, e -> new IllegalStateException("caught inside")));
            StepVerifier.create(work).expectErrorMessage("caught inside").verify(TIMEOUT);
        });
    }

    @Test
    void aStatementTimeoutIsAQueryTimeout() {
        runner().withBean(SessionSettings.class, () -> context -> Map.of("statement_timeout", "100ms"))
                .run(context -> {
                    Repo repo = context.getBean(Repo.class);
                    StepVerifier.create(repo.query(Setting.class, "SELECT pg_sleep(10)::text AS value"))
                            .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(QueryTimeoutException.class)
                                    .hasMessageContaining("canceling statement due to statement timeout"))
                            .verify(TIMEOUT);
                });
    }

    @Test
    void aLostConnectionIsATransientResourceFailure() {
        runner().run(context -> {
            Repo repo = context.getBean(Repo.class);
            Mono<Setting> sleeping = repo.query(Setting.class, "SELECT pg_sleep(60)::text AS value").next();
            Mono<Long> terminate = Mono.fromCallable(() -> TestDatabase.get().queryLong(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
                                    + APPLICATION + "' AND query LIKE 'SELECT pg_sleep(60)%'"))
                    .subscribeOn(Schedulers.boundedElastic())
                    .filter(terminated -> terminated > 0)
                    .repeatWhenEmpty(100, attempts -> attempts.delayElements(Duration.ofMillis(50)));
            StepVerifier.create(sleeping.zipWith(terminate.then(Mono.never())))
                    .expectErrorSatisfies(error -> assertThat(error)
                            .isInstanceOf(TransientDataAccessResourceException.class)
                            .hasMessageContaining("terminating connection due to administrator command"))
                    .verify(TIMEOUT);
        });
    }

    @Test
    void aSessionSettingsBeanSetsUpEveryConnectionTransactionLocalInsideASpringTransaction() {
        runner().withBean(SessionSettings.class, () -> context -> context.<String>getOrEmpty("tenant")
                        .map(tenant -> Map.of("app.tenant", tenant)).orElse(Map.of()))
                .run(context -> {
                    Repo repo = context.getBean(Repo.class);
                    TransactionalOperator transactional = TransactionalOperator.create(
                            context.getBean(ReactiveTransactionManager.class));
                    Flux<Setting> tenant = repo.query(Setting.class,
                            "SELECT coalesce(current_setting('app.tenant', true), '<never set>') AS value");
                    StepVerifier.create(tenant.contextWrite(Context.of("tenant", "acme")))
                            .expectNext(new Setting("acme")).expectComplete().verify(TIMEOUT);
                    assertThat(statements).contains("SELECT set_config($1, $2, false)",
                            "SELECT set_config($1, NULL, false)");
                    statements.clear();
                    Flux<Setting> inTransaction = transactional.transactional(tenant.concatWith(tenant))
                            .contextWrite(Context.of("tenant", "umbrella"));
                    StepVerifier.create(inTransaction).expectNext(new Setting("umbrella"), new Setting("umbrella"))
                            .expectComplete().verify(TIMEOUT);
                    assertThat(statements).as("transaction-local, in Spring's transaction; nothing to undo")
                            .contains("SELECT set_config($1, $2, true)")
                            .noneMatch(sql -> sql.startsWith("SELECT set_config($1, $2, false)"))
                            .noneMatch(sql -> sql.startsWith("SELECT set_config($1, NULL, false)"));
                    // the pool's one connection, after the commit: neither tenant is left on it
                    StepVerifier.create(tenant).expectNext(new Setting("")).expectComplete().verify(TIMEOUT);
                });
    }
}
