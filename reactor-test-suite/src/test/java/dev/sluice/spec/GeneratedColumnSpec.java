package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import dev.sluice.annotation.Generated;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Columns the database fills ({@code @Generated}: an identity, a {@code GENERATED ALWAYS AS} column, a
 * {@code DEFAULT now()}) are left out of every write's column list, so PostgreSQL fills them (it refuses a value for a
 * generated column), and come back through {@code RETURNING}; COPY leaves them out too and returns only a count.
 * The truth is what SQL reads.
 */
class GeneratedColumnSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Table("gen_row")
    record Row(@Id @Generated Long id, String name, @Generated Instant created, @Generated String upperName) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS gen_row (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                + "name text UNIQUE NOT NULL, created timestamptz NOT NULL DEFAULT now(), "
                + "upper_name text GENERATED ALWAYS AS (upper(name)) STORED)");
    }

    @BeforeEach
    void empty() {
        Fixtures.db().execute("TRUNCATE gen_row RESTART IDENTITY");
    }

    static String described(Row r) {
        return r.id() + " " + r.name() + " " + r.upperName();
    }

    @Test
    void everyWritePathLeavesTheColumnsToTheDatabaseAndReturnsTheirValues() {
        Instant given = Instant.parse("2000-01-01T00:00:00Z");
        try (R2dbcRepo repo = Fixtures.repo()) {
            Row one = repo.insert(new Row(99L, "one", given, "ignored")).block(TIMEOUT);
            assertThat(described(one)).isEqualTo("1 one ONE");
            assertThat(one.created()).isAfter(given);
            assertThat(repo.insertAll(Flux.just(new Row(null, "two", null, null), new Row(7L, "three", null, null)))
                    .map(GeneratedColumnSpec::described).collectList().block(TIMEOUT))
                    .containsExactly("2 two TWO", "3 three THREE");
            assertThat(described(repo.upsert(Row.class).onConflict("name").doNothing()
                    .one(new Row(null, "four", null, null)).block(TIMEOUT))).isEqualTo("4 four FOUR");
            assertThat(described(repo.update(new Row(1L, "uno", given, "x")).block(TIMEOUT))).isEqualTo("1 uno UNO");
            assertThat(repo.updateAll(Flux.just(new Row(2L, "dos", given, "y"))).map(GeneratedColumnSpec::described)
                    .collectList().block(TIMEOUT)).containsExactly("2 dos DOS");
            assertThat(repo.copyIn(Row.class, Flux.just(new Row(50L, "five", given, "z"), new Row(null, "six", null,
                    null))).block(TIMEOUT)).isEqualTo(2);
        }
        assertThat(Fixtures.queryString("SELECT string_agg(id || ' ' || name || ' ' || upper_name || ' ' "
                + "|| (created > '2000-01-01'), ', ' ORDER BY id) FROM gen_row"))
                .isEqualTo("1 uno UNO true, 2 dos DOS true, 3 three THREE true, 4 four FOUR true, 5 five FIVE true, "
                        + "6 six SIX true");
    }
}
